//! Lesson 08: waiting without a thread. The pattern is in `pattern.rs`
//! (writing and reading the file), `jobs.rs` (a timer and one blocking
//! job), `disk.rs` and `view.rs`; the scenario that measures it, in
//! `autopilot.rs`.

mod autopilot;
mod disk;
#[cfg(test)]
mod disk_tests;
mod jobs;
mod pattern;
mod view;

fn main() -> std::process::ExitCode {
    lesson_kit::run::<pattern::AsyncIo>()
}
