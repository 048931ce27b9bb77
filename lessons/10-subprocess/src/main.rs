//! Lesson 10: a child process. The pattern is in `pattern.rs` (starting,
//! following and stopping the child), `running.rs` and `view.rs`; the child
//! itself, this program in its child mode, in `child.rs`; the scenario that
//! measures it, in `autopilot.rs`.

mod autopilot;
mod child;
mod pattern;
mod running;
mod view;

fn main() -> std::process::ExitCode {
    // The child mode comes first: the child opens no window.
    child::run_if_asked()
        .unwrap_or_else(lesson_kit::run::<pattern::ChildProcess>)
}
