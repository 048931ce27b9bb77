//! The worker: a long-lived thread that owns its state and runs a main loop
//! of its own. The window drives it with commands and hears back through
//! events (`messages.rs`); nothing in this file knows about GTK, and the
//! worker never sees a widget.

use crate::messages::{Command, Event};
use crate::timers::Timers;
use async_channel::{Receiver, Sender, TryRecvError};
use std::cell::{Cell, RefCell};
use std::ops::{ControlFlow, RangeInclusive};
use std::panic::{self, AssertUnwindSafe};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The worker thread's name, as its timers' ticks report it.
pub const THREAD_NAME: &str = "worker";
/// How long one step of a job takes until the window asks for another
/// length.
pub const DEFAULT_STEP: Duration = Duration::from_millis(20);
/// The step lengths the worker accepts; it clamps any other to this range.
pub const STEP_RANGE: RangeInclusive<Duration> =
    Duration::from_millis(5)..=Duration::from_millis(160);

// ANCHOR: handle
/// The window's end of the worker: where commands go in, and the thread to
/// join.
pub struct Worker {
    commands: Sender<Command>,
    thread: RefCell<Option<JoinHandle<()>>>,
    quit_asked: Cell<bool>,
}

impl Worker {
    /// Starts the worker thread; its events come out of the receiver.
    pub fn spawn() -> std::io::Result<(Self, Receiver<Event>)> {
        let (commands, inbox) = async_channel::unbounded();
        let (outbox, events) = async_channel::unbounded();
        let thread = std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn(move || run_thread(inbox, outbox))?;
        let thread = RefCell::new(Some(thread));
        Ok((Self { commands, thread, quit_asked: Cell::new(false) }, events))
    }

    /// Queues a command and returns at once.
    pub fn send(&self, command: Command) {
        // This fails only once the worker has ended (it quit, or it
        // panicked). There is nobody left to ask, and the window hears of
        // it anyway: its event channel closes.
        let _ = self.commands.try_send(command);
    }

    /// Qt's `quit()` then `wait()`: asks the worker to quit and waits for
    /// its thread to end. A panic on the worker comes back as an `Err`.
    pub fn quit_and_join(&self) -> Result<(), String> {
        self.quit_asked.set(true);
        self.send(Command::Quit);
        let Some(thread) = self.thread.take() else { return Ok(()) };
        #[expect(
            clippy::disallowed_methods,
            reason = "the window has closed: the worker quits within one \
                      step, and the process must not end while it still \
                      holds anything"
        )]
        let ended = thread.join();
        let Err(panic) = ended else { return Ok(()) };
        Err(format!("the worker thread panicked: {}", text(&*panic)))
    }

    /// Whether the window has asked the worker to quit: once it has, the
    /// worker's end is no news.
    pub fn quit_asked(&self) -> bool {
        self.quit_asked.get()
    }
}
// ANCHOR_END: handle

/// A panic's message, if it has one.
fn text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

// ANCHOR: thread
/// The worker thread, from start to end. What it creates here lives and
/// dies on this thread.
fn run_thread(inbox: Receiver<Command>, outbox: Sender<Event>) {
    let context = glib::MainContext::new();
    let state = WorkerState::new(context.clone(), outbox.clone());
    // Asserted: after a panic, nothing the closure holds is used again.
    let served = panic::catch_unwind(AssertUnwindSafe(|| {
        #[expect(
            clippy::disallowed_methods,
            reason = "the worker thread's own loop, on its own context"
        )]
        context.block_on(state.serve(inbox));
    }));
    // A panic is caught only to tell the window why the worker is gone,
    // then passed on, so that `join` reports it.
    if let Err(panic) = served {
        let _ = outbox.try_send(Event::Panicked(text(&*panic).to_owned()));
        panic::resume_unwind(panic);
    }
}
// ANCHOR_END: thread

/// The worker's state. It is created on the worker thread and never leaves
/// it: no lock, no `Arc`, and no other thread can reach it.
struct WorkerState {
    /// The worker's own context, where a job's timer ticks.
    context: glib::MainContext,
    events: Sender<Event>,
    step: Duration,
    job: Option<Job>,
}

struct Job {
    done: u32,
    total: u32,
    paused: bool,
    /// Never read: it is here to be dropped with the job.
    _timers: Timers,
}

impl WorkerState {
    fn new(context: glib::MainContext, events: Sender<Event>) -> Self {
        Self { context, events, step: DEFAULT_STEP, job: None }
    }

    // ANCHOR: serve
    /// The worker's life: commands in the order they come, and the job's
    /// steps in between.
    async fn serve(mut self, inbox: Receiver<Command>) {
        loop {
            let command = if self.has_a_step_to_take() {
                // Busy: take a command if one is waiting, else take the
                // next step.
                match inbox.try_recv() {
                    Ok(command) => Some(command),
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Closed) => Some(Command::Quit),
                }
            } else {
                // Idle or paused: wait in the loop, without a thread
                // blocked, for a command. Every sender gone means the
                // window dropped its handle: that is a Quit too.
                Some(inbox.recv().await.unwrap_or(Command::Quit))
            };
            match command {
                Some(command) => {
                    if self.handle(command).is_break() {
                        return;
                    }
                }
                None => {
                    self.take_a_step(do_one_step);
                    // Hand the worker's loop back for a moment, so that its
                    // other sources (the job's timer) run between steps,
                    // just as the main loop must not be held.
                    glib::timeout_future(Duration::ZERO).await;
                }
            }
        }
    }
    // ANCHOR_END: serve

    fn has_a_step_to_take(&self) -> bool {
        self.job.as_ref().is_some_and(|job| !job.paused)
    }

    // ANCHOR: handle_command
    /// Carries out one command and answers it.
    fn handle(&mut self, command: Command) -> ControlFlow<()> {
        let name = command.name();
        let refused = |why| Event::Refused { command: name, why };
        let answer = match command {
            Command::Quit => return ControlFlow::Break(()),
            Command::Start { steps: 0 } => refused("a job needs steps"),
            Command::Start { steps } => match self.job {
                Some(_) => refused("a job is running"),
                None => {
                    self.job = Some(self.new_job(steps));
                    Event::Started { steps }
                }
            },
            Command::Pause => match &mut self.job {
                Some(job) if !job.paused => {
                    job.paused = true;
                    Event::Paused { done: job.done }
                }
                Some(_) => refused("already paused"),
                None => refused("no job"),
            },
            Command::Resume => match &mut self.job {
                Some(job) if job.paused => {
                    job.paused = false;
                    Event::Resumed
                }
                Some(_) => refused("not paused"),
                None => refused("no job"),
            },
            // Cancelling is dropping the job: no step of it can run once it
            // is gone, and its timers stop with it.
            Command::Cancel => match self.job.take() {
                Some(Job { done, total, .. }) => {
                    Event::Cancelled { done, total }
                }
                None => refused("no job"),
            },
            Command::SetStepLength(length) => {
                let (shortest, longest) = STEP_RANGE.into_inner();
                self.step = length.clamp(shortest, longest);
                Event::StepLengthSet(self.step)
            }
            // Taken now, so that a Quit queued behind Fail cannot get in
            // before the bug does.
            Command::Fail if self.job.is_some() => {
                self.take_a_step(buggy_step);
                return ControlFlow::Continue(());
            }
            Command::Fail => refused("no job"),
        };
        self.emit(answer);
        ControlFlow::Continue(())
    }
    // ANCHOR_END: handle_command

    /// A new job, with its own two timers.
    fn new_job(&self, total: u32) -> Job {
        let timers = Timers::start(&self.context, &self.events);
        Job { done: 0, total, paused: false, _timers: timers }
    }

    fn take_a_step(&mut self, step: fn(Duration)) {
        let Some(job) = &mut self.job else { return };
        let started = Instant::now();
        step(self.step);
        job.done += 1;
        let (done, total) = (job.done, job.total);
        self.emit(Event::Progress { done, total, took: started.elapsed() });
        if done == total {
            self.job = None;
            self.emit(Event::Finished { total });
        }
    }

    fn emit(&self, event: Event) {
        // This fails only once the window has dropped its receiver, as it
        // closes. The worker goes on until it is told to quit, and must not
        // panic for want of an audience.
        let _ = self.events.try_send(event);
    }
}

// ANCHOR: step
/// One step of a job: a short piece of blocking work. It holds the
/// worker's loop for one step, never the window's.
fn do_one_step(length: Duration) {
    #[expect(
        clippy::disallowed_methods,
        reason = "runs on the worker thread, never on the main loop"
    )]
    std::thread::sleep(length);
}

/// The step Fail takes: it has a bug, as real work can.
fn buggy_step(_: Duration) {
    panic!("a bug in the job");
}
// ANCHOR_END: step

#[cfg(test)]
mod tests;
