//! Lesson 03: the thread pool. The pattern: `pattern.rs` builds the window,
//! `jobs.rs` runs the jobs on a pool, `batch.rs` a CPU batch on the worker
//! written by hand in `plain_worker.rs`, and `bench.rs` compares ways to run
//! it. The scenario that measures it all is in `autopilot.rs`.

mod autopilot;
mod batch;
#[cfg(test)]
mod batch_tests;
mod bench;
mod jobs;
mod pattern;
mod plain_worker;

fn main() -> std::process::ExitCode {
    lesson_kit::run::<pattern::ThreadPoolLesson>()
}
