//! Lesson 09: the network on the main loop. The pattern is in `pattern.rs`
//! and `fetch.rs`, the comparisons in `blocking.rs`, the lesson's own
//! server in `server.rs`; the scenario that measures it, in `autopilot.rs`.

mod autopilot;
mod blocking;
mod fetch;
#[cfg(test)]
mod network_tests;
mod pattern;
mod protocol;
mod server;
mod threads;
mod view;

fn main() -> std::process::ExitCode {
    lesson_kit::run::<pattern::Network>()
}
