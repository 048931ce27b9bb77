//! Lesson 06: the pattern is in `pattern.rs`; the scenario, `autopilot.rs`.

mod autopilot;
mod counters;
mod exchange;
mod holding;
mod pattern;
mod poison;
mod runs;
mod tellers;
#[cfg(test)]
mod tests;
#[path = "../../05-handing-data/src/threads.rs"] // explained in lesson 05
mod threads;
mod view;
mod watchdog;

fn main() -> std::process::ExitCode {
    lesson_kit::run::<pattern::Locks>()
}
