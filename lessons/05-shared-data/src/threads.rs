//! The threads the lesson starts, kept where shutdown can reach them: jobs on a pool (the
//! project's `worker::JobPool`) for the one-off measurements, and named threads for the demos whose
//! threads must run side by side or talk to the window while they work.

use std::cell::RefCell;
use std::convert::Infallible;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};
use worker::{Ending, Event, JobError, JobPool};

/// What a pool job returned, and when the main loop received it.
pub struct Delivered<T> {
    pub value: T,
    pub arrived: Instant,
}

/// The pool the measurements run on. Its `JobPool` lets shutdown stop every job at once.
pub struct Pool(JobPool);

impl Pool {
    pub fn new(threads: u32) -> Result<Self, glib::Error> {
        JobPool::exclusive(threads).map(Self)
    }

    // ANCHOR: run
    /// Runs `job` on a pool thread and returns what it returned. Everything the job captures
    /// moves to the pool thread, and its result moves back: both must be `Send`.
    pub async fn run<T: Send + 'static>(
        &self,
        job: impl FnOnce() -> T + Send + 'static,
    ) -> Result<Delivered<T>, String> {
        let mut events =
            self.0.spawn(move |_| Ok::<T, Infallible>(job())).map_err(|e| e.to_string())?;
        let mut delivered = None;
        while let Some(event) = events.next().await {
            match event {
                Event::Result(value) => {
                    delivered = Some(Delivered { value, arrived: Instant::now() })
                }
                Event::Error(JobError::Panicked(message)) => return Err(message),
                Event::Finished(Ending::Cancelled) => return Err("the job was cancelled".into()),
                _ => {}
            }
        }
        delivered.ok_or_else(|| "the job ended without a result".into())
    }
    // ANCHOR_END: run

    /// Cancels the jobs still queued, waits (at most `patience`) for the running one, and
    /// frees the pool.
    pub fn shut_down(&self, patience: Duration) -> Result<(), String> {
        self.0.shutdown(patience)
    }
}

/// A thread the lesson started, with a way to hear that it ended without polling it.
pub struct Named {
    pub handle: JoinHandle<()>,
    /// Nobody sends on it: it closes when the thread's function returns or unwinds, dropping
    /// the sender it took along.
    ended: async_channel::Receiver<()>,
}

/// Starts `work` on a thread called `name`.
pub fn spawn_named(name: &str, work: impl FnOnce() + Send + 'static) -> std::io::Result<Named> {
    let (alive, ended) = async_channel::bounded::<()>(1);
    let handle = std::thread::Builder::new().name(name.into()).spawn(move || {
        let _alive = alive;
        work();
    })?;
    Ok(Named { handle, ended })
}

/// Every named thread the lesson started and has not joined yet.
#[derive(Default)]
pub struct Threads(RefCell<Vec<Named>>);

impl Threads {
    pub fn add(&self, thread: Named) {
        self.0.borrow_mut().push(thread);
    }

    /// Waits, without blocking the main loop, for the thread called `name` to end, then joins
    /// it. Used once the demo knows the thread is about to end: it has said it is done.
    pub async fn join(&self, name: &str, patience: Duration) -> Result<(), String> {
        let ended = {
            let threads = self.0.borrow();
            let found = threads.iter().find(|t| t.handle.thread().name() == Some(name));
            found.ok_or_else(|| format!("no thread called '{name}'"))?.ended.clone()
        };
        // The closed channel is the thread's last act: `recv` returns once it is over.
        let over = glib::future_with_timeout(patience, ended.recv()).await;
        if over.is_err() {
            return Err(format!("thread '{name}' did not end within {patience:?}"));
        }
        let thread = {
            let mut threads = self.0.borrow_mut();
            let i = threads.iter().position(|t| t.handle.thread().name() == Some(name));
            threads.swap_remove(i.expect("found above, and only this method removes threads"))
        };
        joined(thread.handle)
    }

    /// Joins every thread left: at shutdown, once they were told to stop.
    pub fn join_all(&self) -> Result<(), String> {
        let problems: Vec<String> =
            self.0.take().into_iter().filter_map(|thread| joined(thread.handle).err()).collect();
        if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
    }
}

fn joined(thread: JoinHandle<()>) -> Result<(), String> {
    let name = thread.thread().name().unwrap_or("unnamed").to_owned();
    #[expect(
        clippy::disallowed_methods,
        reason = "the thread has ended (its channel closed) or was told to stop and checks \
                  within a millisecond: the join returns at once"
    )]
    let outcome = thread.join();
    outcome.map_err(|_| format!("thread '{name}' panicked"))
}
