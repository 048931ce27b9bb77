//! Lesson 02: processing events by hand, GTK's `processEvents()`. The pattern
//! (a handler that drains the main loop between chunks of work) is in
//! `pattern.rs`; the scenario that measures it, in `autopilot.rs`.

mod autopilot;
mod pattern;
#[cfg(test)]
mod tests;

fn main() -> std::process::ExitCode {
    lesson_kit::run::<pattern::MainContextIteration>()
}
