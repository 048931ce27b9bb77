//! Lesson 04: a worker with its own loop, Qt's worker object moved to a
//! `QThread`. The pattern: the worker thread in `worker.rs` (its messages in
//! `messages.rs`, a job's timers in `timers.rs`), the window's side in
//! `pattern.rs`, `controller.rs` and `view.rs`. The scenario that measures
//! it is in `autopilot.rs`.

mod autopilot;
mod controller;
mod messages;
mod pattern;
mod timers;
mod view;
mod worker;

fn main() -> std::process::ExitCode {
    lesson_kit::run::<pattern::WorkerObject>()
}
