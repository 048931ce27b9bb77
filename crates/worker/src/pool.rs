//! A pool that knows its jobs, so that closing the window stops them all and
//! never hangs.
//!
//! Dropping a bare `glib::ThreadPool` waits until every job it holds has run to
//! its end, however long that takes. (The threads are not joined then: glib
//! keeps a few idle ones for the next pool, and ends those after 15 seconds of
//! idleness.) `JobPool::shutdown` cancels every job first (running ones see
//! `is_cancelled`, queued ones never start), waits for them for at most a given
//! time, and only then drops the pool, which is now instant.

use crate::job::{Job, Reporter, spawn_in};
use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::time::Duration;

/// What a `JobPool` shares with its jobs: whether it is closing, and how many
/// jobs are not done.
#[derive(Default)]
pub(crate) struct Scope {
    closing: AtomicBool,
    unfinished: AtomicUsize,
}

impl Scope {
    pub(crate) fn is_closing(&self) -> bool {
        self.closing.load(Ordering::Acquire)
    }
}

/// Counts one job as unfinished for as long as it lives: it travels with the
/// job's closure, so it is dropped when the closure has run, or when the pool
/// drops the closure without running it. It also holds a sender of a channel
/// nobody sends on: once every job's is dropped, the channel disconnects, and
/// that is the event `shutdown` sleeps until.
pub(crate) struct Unfinished {
    scope: Arc<Scope>,
    _alive: mpsc::Sender<()>,
}

impl Unfinished {
    pub(crate) fn enter(scope: Arc<Scope>, alive: mpsc::Sender<()>) -> Self {
        scope.unfinished.fetch_add(1, Ordering::AcqRel);
        Self { scope, _alive: alive }
    }

    pub(crate) fn scope(&self) -> Arc<Scope> {
        self.scope.clone()
    }
}

impl Drop for Unfinished {
    fn drop(&mut self) {
        self.scope.unfinished.fetch_sub(1, Ordering::AcqRel);
    }
}

/// Why [`JobPool::spawn`] did not queue a job.
#[derive(Debug)]
pub enum SpawnError {
    /// The pool was shut down: nothing new may start.
    ShutDown,
    /// glib could not queue the job.
    Glib(glib::Error),
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::ShutDown => f.write_str("the pool is shut down"),
            Self::Glib(error) => write!(f, "{error}"),
        }
    }
}

impl std::error::Error for SpawnError {}

// ANCHOR: job_pool
/// A `glib::ThreadPool` whose jobs can all be stopped at once. Lives on the
/// main thread.
pub struct JobPool {
    pool: RefCell<Option<glib::ThreadPool>>,
    scope: Arc<Scope>,
    /// Cloned into every job; dropped by `shutdown`, which then waits on
    /// `all_done`.
    alive: RefCell<Option<mpsc::Sender<()>>>,
    all_done: mpsc::Receiver<()>,
}

impl JobPool {
    /// A pool of `max_threads` threads of its own (Qt's `maxThreadCount`).
    pub fn exclusive(max_threads: u32) -> Result<Self, glib::Error> {
        let pool = glib::ThreadPool::exclusive(max_threads)?;
        let (alive, all_done) = mpsc::channel();
        Ok(Self {
            pool: RefCell::new(Some(pool)),
            scope: Arc::default(),
            alive: RefCell::new(Some(alive)),
            all_done,
        })
    }

    /// Queues `job`, as [`crate::spawn`] does, and counts it until it is done.
    pub fn spawn<T, E, F>(&self, job: F) -> Result<Job<T, E>, SpawnError>
    where
        F: FnOnce(&Reporter) -> Result<T, E> + Send + 'static,
        T: Send + 'static,
        E: Send + 'static,
    {
        let pool = self.pool.borrow();
        let pool = pool.as_ref().ok_or(SpawnError::ShutDown)?;
        let alive = self.alive.borrow().clone().ok_or(SpawnError::ShutDown)?;
        let unfinished = Unfinished::enter(self.scope.clone(), alive);
        spawn_in(pool, job, Some(unfinished)).map_err(SpawnError::Glib)
    }

    /// Jobs waiting for a free thread (`ThreadPool::unprocessed`).
    pub fn queued(&self) -> u32 {
        self.pool.borrow().as_ref().map_or(0, glib::ThreadPool::unprocessed)
    }

    /// Cancels every job, waits up to `patience` for all of them to return,
    /// then frees the pool. If a job ignores the cancel for longer, the pool is
    /// left to the end of the process rather than waited for, and the error
    /// says how many jobs were still running.
    pub fn shutdown(&self, patience: Duration) -> Result<(), String> {
        self.scope.closing.store(true, Ordering::Release);
        let Some(pool) = self.pool.borrow_mut().take() else { return Ok(()) };
        drop(self.alive.take());
        // Sleeps until the last job lets go of its sender (nobody ever sends),
        // or `patience` runs out: one wake-up, not one per millisecond of
        // polling.
        #[expect(
            clippy::disallowed_methods,
            reason = "the window is closing: shutdown's wait for cancelled jobs, bounded by \
                      `patience`, which they notice within one step"
        )]
        let waited = self.all_done.recv_timeout(patience);
        match waited {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // Dropping the pool now would block until the stuck job
                // returns.
                std::mem::forget(pool);
                let unfinished = self.scope.unfinished.load(Ordering::Acquire);
                Err(format!(
                    "{unfinished} job(s) still running after {patience:?}"
                ))
            }
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                drop(pool); // Every job has returned: the drop has nothing to wait for.
                Ok(())
            }
        }
    }
}
// ANCHOR_END: job_pool
