//! Run any closure on a [`glib::ThreadPool`] and follow it from the main loop.
//!
//! This is the Rust form of the generic worker from the Qt tutorials (a `QRunnable` that takes
//! any function, plus `WorkerSignals` for progress, result, error and finished):
//!
//! - [`spawn`] queues a job on a pool the caller chooses (`ThreadPool::shared` or
//!   `ThreadPool::exclusive`, with its maximum thread count);
//! - the job gets a [`Reporter`]: progress (a fraction and an optional message) and a
//!   cancellation check. It returns `Result<T, E>`;
//! - the returned [`Job`] yields typed [`Event`]s: `Started`, `Progress`, `Result` or `Error`,
//!   and `Finished` always last, exactly once, whatever happened. Await them from
//!   `glib::spawn_future_local` and update widgets there, on the main thread;
//! - a job that panics becomes an `Error` event carrying the panic message, followed by
//!   `Finished` as always. (`glib::ThreadPool::push` itself catches a job's panic, so the pool
//!   thread would live on anyway; what the crate adds is that the main loop hears about it);
//! - [`Job::cancel`], a [`Canceller`], or dropping the `Job` cancels it: the job sees
//!   [`Reporter::is_cancelled`] and ends with [`Ending::Cancelled`], not an error;
//! - progress is coalesced: however often a job reports, at most one progress event is waiting
//!   for the main loop, and it always carries the latest value.
//!
//! The job and everything it returns must be `Send`: a widget can never be captured or returned.
//!
//! One thing to know about `glib::ThreadPool` itself: dropping it waits for every job it holds,
//! queued ones included, for as long as they take. A window that closes needs better than that:
//! [`JobPool`] wraps a pool, remembers its jobs, and its `shutdown` cancels them all, waits for
//! them with a bound, and only then frees the pool.
//!
//! ```no_run
//! # fn demo(label: gtk_stub::Label) {}
//! # mod gtk_stub { pub struct Label; impl Label { pub fn set_text(&self, _: &str) {} } }
//! use worker::{Event, Ending};
//!
//! let pool = glib::ThreadPool::exclusive(2).unwrap();
//! let mut job = worker::spawn(&pool, |reporter| {
//!     for step in 0..100 {
//!         reporter.check_cancelled()?;
//!         reporter.progress(f64::from(step) / 100.0);
//!     }
//!     Ok::<_, worker::Cancelled>(42)
//! })
//! .unwrap();
//! glib::spawn_future_local(async move {
//!     while let Some(event) = job.next().await {
//!         match event {
//!             Event::Progress(p) => println!("{:.0}%", p.fraction * 100.0),
//!             Event::Result(answer) => println!("answer: {answer}"),
//!             Event::Finished(Ending::Cancelled) => println!("cancelled"),
//!             _ => {}
//!         }
//!     }
//! });
//! ```

mod events;
mod job;
mod panic;
mod pool;
mod progress;

pub use events::{Ending, Event, JobError, Progress};
pub use job::{Cancelled, Canceller, Job, Reporter, spawn};
pub use panic::Panic;
pub use pool::{JobPool, SpawnError};
