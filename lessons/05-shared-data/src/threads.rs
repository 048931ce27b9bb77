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
    /// joins the pool's threads.
    pub fn shut_down(&self, patience: Duration) -> Result<(), String> {
        self.0.shutdown(patience)
    }
}

/// Every named thread the lesson started and has not joined yet.
#[derive(Default)]
pub struct Threads(RefCell<Vec<JoinHandle<()>>>);

impl Threads {
    pub fn add(&self, thread: JoinHandle<()>) {
        self.0.borrow_mut().push(thread);
    }

    /// Waits, without blocking the main loop, for the thread called `name` to end, then joins
    /// it. Used once the demo knows the thread is about to end: it has said it is done.
    pub async fn join(&self, name: &str, patience: Duration) -> Result<(), String> {
        let deadline = Instant::now() + patience;
        loop {
            let finished = {
                let mut threads = self.0.borrow_mut();
                let found = threads.iter().position(|t| t.thread().name() == Some(name));
                match found {
                    None => return Err(format!("no thread called '{name}'")),
                    Some(i) if threads[i].is_finished() => Some(threads.swap_remove(i)),
                    Some(_) => None,
                }
            };
            if let Some(thread) = finished {
                return joined(thread);
            }
            if Instant::now() > deadline {
                return Err(format!("thread '{name}' did not end within {patience:?}"));
            }
            glib::timeout_future(Duration::from_millis(1)).await;
        }
    }

    /// Joins every thread left: at shutdown, once they were told to stop.
    pub fn join_all(&self) -> Result<(), String> {
        let problems: Vec<String> =
            self.0.take().into_iter().filter_map(|thread| joined(thread).err()).collect();
        if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
    }
}

fn joined(thread: JoinHandle<()>) -> Result<(), String> {
    let name = thread.thread().name().unwrap_or("unnamed").to_owned();
    #[expect(
        clippy::disallowed_methods,
        reason = "the thread has ended (is_finished) or was told to stop and checks within a \
                  millisecond: the join returns at once"
    )]
    let outcome = thread.join();
    outcome.map_err(|_| format!("thread '{name}' panicked"))
}
