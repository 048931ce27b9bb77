//! What a job tells the main loop: the Rust counterpart of the tutorials'
//! `WorkerSignals`.

use crate::panic::Panic;

/// One event of a job, in the order they come: `Started`, any number of
/// `Progress`, then either `Result` or `Error` (or neither, when cancelled),
/// and `Finished` last, exactly once.
#[derive(Debug, Clone, PartialEq)]
pub enum Event<T, E> {
    /// A pool thread picked the job up. A job cancelled while still queued
    /// never starts.
    Started,
    Progress(Progress),
    /// The job returned `Ok`.
    Result(T),
    /// The job returned `Err`, or panicked.
    Error(JobError<E>),
    /// Always the last event, exactly once.
    Finished(Ending),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Progress {
    /// From 0.0 to 1.0, as the job reported it.
    pub fraction: f64,
    pub message: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum JobError<E> {
    /// The job returned this error.
    Failed(E),
    /// The job panicked: its message, and the pool thread's stack where it
    /// happened (the Qt worker's traceback).
    Panicked(Panic),
}

/// How a job ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ending {
    /// It returned `Ok`, and a `Result` event came before this one.
    Succeeded,
    /// It returned `Err` or panicked, and an `Error` event came before this
    /// one.
    Failed,
    /// It was cancelled, before it started or while it ran; whatever it
    /// returned was dropped.
    Cancelled,
}
