//! Spawning a job on a pool, the handle the main loop keeps, and the reporter
//! the job gets.

use crate::events::{Ending, Event, JobError, Progress};
use crate::panic;
use crate::pool::{Scope, Unfinished};
use crate::progress::ProgressSlot;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

/// What crosses from the pool thread to the main loop. Progress values do not:
/// they wait in the shared slot, and only a notification travels.
enum Message<T, E> {
    Started,
    ProgressReady,
    Result(T),
    Error(JobError<E>),
    Finished(Ending),
}

#[derive(Default)]
struct Shared {
    cancelled: AtomicBool,
    progress: ProgressSlot,
    /// The `JobPool` the job belongs to, if any: closing it cancels the job
    /// too.
    scope: Option<Arc<Scope>>,
}

impl Shared {
    fn cancel(&self) {
        self.cancelled.store(true, Ordering::Release);
    }

    fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Acquire)
            || self.scope.as_ref().is_some_and(|s| s.is_closing())
    }
}

// ANCHOR: spawn
/// Queues `job` on `pool`. The job runs on a pool thread as soon as one is
/// free; follow it with [`Job::next`] on the main loop. The bounds are the
/// point: the job, its result and its error cross threads, so they must be
/// `Send`, and a widget never is.
pub fn spawn<T, E, F>(
    pool: &glib::ThreadPool,
    job: F,
) -> Result<Job<T, E>, glib::Error>
where
    F: FnOnce(&Reporter) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    spawn_in(pool, job, None)
}

/// [`spawn`], counting the job as `unfinished` in its pool until its closure is
/// done with or dropped.
pub(crate) fn spawn_in<T, E, F>(
    pool: &glib::ThreadPool,
    job: F,
    unfinished: Option<Unfinished>,
) -> Result<Job<T, E>, glib::Error>
where
    F: FnOnce(&Reporter) -> Result<T, E> + Send + 'static,
    T: Send + 'static,
    E: Send + 'static,
{
    let scope = unfinished.as_ref().map(Unfinished::scope);
    let shared = Arc::new(Shared { scope, ..Shared::default() });
    // Unbounded, yet it never holds more than four messages: Started, one
    // progress notification, Result or Error, and Finished.
    let (sender, events) = async_channel::unbounded();
    let on_pool = shared.clone();
    pool.push(move || {
        let _unfinished = unfinished;
        run(job, on_pool, sender);
    })?;
    Ok(Job { events, shared, finished: false })
}

fn run<T, E, F>(
    job: F,
    shared: Arc<Shared>,
    sender: async_channel::Sender<Message<T, E>>,
) where
    F: FnOnce(&Reporter) -> Result<T, E>,
    T: Send + 'static,
    E: Send + 'static,
{
    // A send fails only when the Job was dropped: nobody is listening any more,
    // and that is fine; the job was cancelled by the same drop.
    let send = |message| {
        let _ = sender.try_send(message);
    };
    if shared.is_cancelled() {
        send(Message::Finished(Ending::Cancelled));
        return;
    }
    send(Message::Started);

    let notifier = sender.clone();
    let reporter = Reporter {
        shared: shared.clone(),
        notify: Box::new(move || {
            let _ = notifier.try_send(Message::ProgressReady);
        }),
    };
    // A panic is a bug in the job. `glib::ThreadPool::push` would catch it
    // anyway, so the pool thread lives on either way; catching it here is what
    // lets the main loop still hear an `Error` and a `Finished`, like for any
    // other failure, instead of silence.
    let ending = match panic::catch(|| job(&reporter)) {
        Err(panic) => {
            send(Message::Error(JobError::Panicked(panic)));
            Ending::Failed
        }
        Ok(_) if shared.is_cancelled() => Ending::Cancelled,
        Ok(Ok(value)) => {
            send(Message::Result(value));
            Ending::Succeeded
        }
        Ok(Err(error)) => {
            send(Message::Error(JobError::Failed(error)));
            Ending::Failed
        }
    };
    send(Message::Finished(ending));
}
// ANCHOR_END: spawn

/// What a running job uses to talk to the main loop.
pub struct Reporter {
    shared: Arc<Shared>,
    notify: Box<dyn Fn() + Send + Sync>,
}

impl Reporter {
    /// Reports how far the job is, from 0.0 to 1.0. Cheap enough to call in a
    /// tight loop: the main loop sees the latest value, not every value.
    pub fn progress(&self, fraction: f64) {
        self.publish(Progress {
            fraction: fraction.clamp(0.0, 1.0),
            message: None,
        });
    }

    /// Like [`Reporter::progress`], with a message for the user.
    pub fn progress_with_message(
        &self,
        fraction: f64,
        message: impl Into<String>,
    ) {
        self.publish(Progress {
            fraction: fraction.clamp(0.0, 1.0),
            message: Some(message.into()),
        });
    }

    fn publish(&self, progress: Progress) {
        if self.shared.progress.publish(progress) {
            (self.notify)();
        }
    }

    /// Whether the main loop asked the job to stop. Long jobs should look
    /// often.
    pub fn is_cancelled(&self) -> bool {
        self.shared.is_cancelled()
    }

    /// `Err(Cancelled)` once the job was asked to stop, so a job can write
    /// `check_cancelled()?`.
    pub fn check_cancelled(&self) -> Result<(), Cancelled> {
        if self.is_cancelled() { Err(Cancelled) } else { Ok(()) }
    }
}

/// The error a job returns from [`Reporter::check_cancelled`]. Whatever a
/// cancelled job returns, it ends with [`Ending::Cancelled`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cancelled;

impl std::fmt::Display for Cancelled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the job was cancelled")
    }
}

impl std::error::Error for Cancelled {}

/// The main loop's side of a job. Dropping it cancels the job.
pub struct Job<T, E> {
    events: async_channel::Receiver<Message<T, E>>,
    shared: Arc<Shared>,
    finished: bool,
}

impl<T, E> Job<T, E> {
    /// The next event, or `None` once `Finished` has been returned.
    pub async fn next(&mut self) -> Option<Event<T, E>> {
        while !self.finished {
            let Ok(message) = self.events.recv().await else {
                // Every sender is gone without a `Finished`: the job's closure
                // was dropped without running. glib never does that (a freed
                // pool runs its queued jobs first, and `run` always sends
                // `Finished`), but a channel's end must mean something, and "it
                // never ran" is the only thing it can mean.
                self.finished = true;
                return Some(Event::Finished(Ending::Cancelled));
            };
            let event = match message {
                Message::Started => Event::Started,
                Message::ProgressReady => match self.shared.progress.take() {
                    Some(progress) => Event::Progress(progress),
                    None => continue,
                },
                Message::Result(value) => Event::Result(value),
                Message::Error(error) => Event::Error(error),
                Message::Finished(ending) => {
                    self.finished = true;
                    Event::Finished(ending)
                }
            };
            return Some(event);
        }
        None
    }

    /// Asks the job to stop. A queued job will not start; a running one sees
    /// [`Reporter::is_cancelled`].
    pub fn cancel(&self) {
        self.shared.cancel();
    }

    /// A handle that can cancel the job from elsewhere (a Cancel button, a
    /// shutdown hook) without owning it. Unlike the `Job`, dropping a
    /// `Canceller` does nothing.
    pub fn canceller(&self) -> Canceller {
        Canceller(self.shared.clone())
    }

    /// How many messages wait in the channel: never more than four, however
    /// chatty the job.
    pub fn queued_messages(&self) -> usize {
        self.events.len()
    }
}

impl<T, E> Drop for Job<T, E> {
    fn drop(&mut self) {
        self.shared.cancel();
    }
}

/// Cancels a job without owning it. `Send` and `Sync`, cheap to clone.
#[derive(Clone)]
pub struct Canceller(Arc<Shared>);

impl Canceller {
    pub fn cancel(&self) {
        self.0.cancel();
    }
}
