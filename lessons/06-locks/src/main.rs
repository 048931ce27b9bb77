//! Lesson 06: locks, atomics and deadlock. The pattern is in `pattern.rs`
//! and the files it names; the scenario that measures it, in `autopilot.rs`.

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
// Lesson 05 explains these named threads and how the window joins them.
#[path = "../../05-handing-data/src/threads.rs"]
mod threads;
mod view;
mod watchdog;

fn main() -> std::process::ExitCode {
    lesson_kit::run::<pattern::Locks>()
}
