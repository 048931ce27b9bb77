//! Lesson 05: handing data to another thread. The pattern is in
//! `pattern.rs` (the costs of a move, a clone and an `Arc` in `costs.rs`,
//! the aliasing bug in `aliasing.rs`, the widgets in `view.rs`); the
//! scenario that measures it, in `autopilot.rs`.

mod aliasing;
mod autopilot;
mod costs;
mod pattern;
mod table;
#[cfg(test)]
mod tests;
mod threads;
mod view;

fn main() -> std::process::ExitCode {
    lesson_kit::run::<pattern::HandingData>()
}
