//! Lesson 03: the thread pool. The pattern starts in `pattern.rs`, which
//! names the files it uses; the scenario is in `autopilot.rs`.

mod autopilot;
mod batch;
#[cfg(test)]
mod batch_tests;
mod bench;
#[cfg(test)]
mod drop_tests;
mod jobs;
mod pattern;
mod plain_worker;
mod reuse;
#[cfg(test)]
mod reuse_tests;

fn main() -> std::process::ExitCode {
    lesson_kit::run::<pattern::ThreadPoolLesson>()
}
