//! Lesson 01: the frozen window. The pattern (work in the click handler)
//! is in `pattern.rs`; the scenario that measures it, in `autopilot.rs`.

mod autopilot;
mod pattern;

fn main() -> std::process::ExitCode {
    lesson_kit::run::<pattern::Blocking>()
}
