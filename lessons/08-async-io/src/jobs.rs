//! The waits that are not file reads: a timer future, and one blocking job
//! on gio's pool whose result the main loop awaits, or, for contrast, polls
//! for with a timer every millisecond.

use crate::disk::{self, Checksum};
use crate::pattern::{App, Outcome};
use crate::view::MIB;
use async_channel::TryRecvError;
use gtk::gio;
use gtk::prelude::*;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long shutdown waits for the job on gio's pool to let go of the file.
const JOB_STOP_PATIENCE: Duration = Duration::from_secs(2);
/// How often the polling variant looks for the job's answer.
const POLL_EVERY: Duration = Duration::from_millis(1);

/// The blocking job in progress. `gone` hears nothing: its sender lives
/// inside the job and is dropped when the job returns or unwinds, so a
/// disconnect means the job has let go of the file.
pub(crate) struct Hashing {
    pub(crate) cancellable: gio::Cancellable,
    gone: mpsc::Receiver<()>,
    waiter: Waiter,
}

/// What waits on the main loop for the job's answer.
enum Waiter {
    Awaiting(glib::JoinHandle<()>),
    Polling(glib::SourceId),
}

type Job = Box<dyn FnOnce() -> Result<Checksum, glib::Error> + Send>;

impl App {
    // ANCHOR: sleep
    /// Lesson 01's `sleep`, made a timer future: the task waits, the main
    /// loop does not.
    pub(crate) fn start_sleep(self: &Rc<Self>) {
        let app = self.clone();
        let task = glib::spawn_future_local(async move {
            let started = Instant::now();
            glib::timeout_future(app.sleep_for).await;
            let took = started.elapsed().as_secs_f64();
            let text = format!("Timer: done after {took:.3} s.");
            app.view.timer.set_label(&text);
            app.tasks.borrow_mut().sleeping = None;
            app.refresh();
        });
        self.tasks.borrow_mut().sleeping = Some(task);
        self.refresh();
        let seconds = self.sleep_for.as_secs_f64();
        let text =
            format!("Timer: waiting {seconds:.1} s. The counter goes on.");
        self.view.timer.set_label(&text);
    }
    // ANCHOR_END: sleep

    // ANCHOR: spawn_blocking
    /// Hashes the file with blocking reads on gio's pool, and hears the
    /// answer on the main loop.
    pub(crate) fn start_checksum(self: &Rc<Self>, polling: bool) {
        let cancellable = gio::Cancellable::new();
        let (alive, gone) = mpsc::channel::<()>();
        let (path, block) = (self.path.clone(), self.chunk_bytes);
        let (pace, stop) = (Some(self.pace), cancellable.clone());
        let job: Job = Box::new(move || {
            // Dropped when the job returns or unwinds: shutdown waits for it.
            let _alive = alive;
            disk::checksum(&path, block, pace, &stop)
        });
        let started = Instant::now();
        let waiter = if polling {
            self.poll_for(job, started)
        } else {
            let handle = gio::spawn_blocking(job);
            let app = self.clone();
            Waiter::Awaiting(glib::spawn_future_local(async move {
                // The main loop runs on while the pool works: this task runs
                // again once, when the answer is there.
                let outcome = match handle.await {
                    Ok(result) => outcome(result),
                    Err(panic) => Outcome::Failed(describe(&panic)),
                };
                app.hashed(outcome, started, "awaited: the task ran once");
            }))
        };
        let hashing = Hashing { cancellable, gone, waiter };
        self.tasks.borrow_mut().hashing = Some(hashing);
        self.refresh();
        self.view.checksum.set_label("Checksum: hashing on gio's pool...");
    }
    // ANCHOR_END: spawn_blocking

    // ANCHOR: busy_wait
    /// The same job's answer, busy-waited for: a timer looks into a channel
    /// every millisecond until the answer is there. It works, and it wakes
    /// the main loop close to a thousand times a second, nearly always to
    /// find nothing.
    fn poll_for(self: &Rc<Self>, job: Job, started: Instant) -> Waiter {
        let (sender, answer) = async_channel::bounded(1);
        // The handle is dropped: the answer comes through the channel.
        drop(gio::spawn_blocking(move || sender.try_send(job()).is_ok()));
        let app = Rc::downgrade(self);
        let mut looks = 0;
        let timer = glib::timeout_add_local(POLL_EVERY, move || {
            let Some(app) = app.upgrade() else {
                return glib::ControlFlow::Break;
            };
            looks += 1;
            let outcome = match answer.try_recv() {
                Err(TryRecvError::Empty) => return glib::ControlFlow::Continue,
                Ok(result) => outcome(result),
                Err(TryRecvError::Closed) => {
                    Outcome::Failed("the job panicked".into())
                }
            };
            let how = format!("polled: the timer looked {looks} times");
            app.hashed(outcome, started, &how);
            glib::ControlFlow::Break
        });
        Waiter::Polling(timer)
    }
    // ANCHOR_END: busy_wait

    fn hashed(&self, outcome: Outcome<Checksum>, started: Instant, how: &str) {
        let seconds = started.elapsed().as_secs_f64();
        let text = match outcome {
            Outcome::Finished(sum) => format!(
                "Checksum: FNV-1a {:016x} over {} bytes ({:.1} MiB) in \
                 {seconds:.2} s, {how}.",
                sum.fnv1a,
                sum.bytes,
                sum.bytes as f64 / MIB
            ),
            Outcome::Cancelled => "Checksum: cancelled.".to_owned(),
            Outcome::Failed(e) => format!("Checksum failed: {e}"),
        };
        self.view.checksum.set_label(&text);
        self.tasks.borrow_mut().hashing = None;
        self.refresh();
    }
}

/// gio's way to say "cancelled" is an error, but the user asked for it.
fn outcome(result: Result<Checksum, glib::Error>) -> Outcome<Checksum> {
    match result {
        Ok(sum) => Outcome::Finished(sum),
        Err(e) if e.matches(gio::IOErrorEnum::Cancelled) => Outcome::Cancelled,
        Err(e) => Outcome::Failed(e.to_string()),
    }
}

/// What a panic said, when it said it with a string.
fn describe(panic: &Box<dyn std::any::Any + Send>) -> String {
    let message = panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str));
    format!("the job panicked: {}", message.unwrap_or("(no message)"))
}

// ANCHOR: job_stop
impl Hashing {
    /// Stops waiting, asks the job to stop, and waits until it has.
    pub(crate) fn stop(self) -> Result<(), String> {
        match self.waiter {
            Waiter::Awaiting(task) => task.abort(),
            Waiter::Polling(timer) => timer.remove(),
        }
        self.cancellable.cancel();
        #[expect(
            clippy::disallowed_methods,
            reason = "the window is closed; the job checks its cancellable \
                      before every block"
        )]
        let stopped = self.gone.recv_timeout(JOB_STOP_PATIENCE);
        match stopped {
            Err(mpsc::RecvTimeoutError::Timeout) => Err(format!(
                "the checksum job was still running after {JOB_STOP_PATIENCE:?}"
            )),
            _ => Ok(()),
        }
    }
}
// ANCHOR_END: job_stop
