//! Lesson 07: flooding the main loop. The pattern: the worker and its
//! transports in `producer.rs`, the widgets in `view.rs`, the four ways to
//! take the events in `controller.rs`, all put together in `pattern.rs`.
//! The scenario that measures them is in `autopilot.rs`.

mod autopilot;
mod controller;
mod pattern;
mod producer;
#[cfg(test)]
mod producer_tests;
mod view;

fn main() -> std::process::ExitCode {
    lesson_kit::run::<pattern::Flooding>()
}
