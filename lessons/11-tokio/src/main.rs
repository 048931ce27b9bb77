//! Lesson 11: tokio beside GTK. The pattern is in `pattern.rs` and the
//! files it names (`runtime.rs`, `client.rs`, `server.rs`, `view.rs`); the
//! scenario that measures it, in `autopilot.rs`.

mod autopilot;
mod client;
mod pattern;
mod runtime;
mod server;
#[cfg(test)]
mod tests;
mod view;

fn main() -> std::process::ExitCode {
    lesson_kit::run::<pattern::Tokio>()
}
