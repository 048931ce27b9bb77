//! The worker: a long-lived thread that owns its state and runs a main loop of its own. The
//! window drives it with commands and hears back through events; nothing in this file knows
//! about GTK, and the worker never sees a widget.

use async_channel::{Receiver, Sender, TryRecvError};
use static_assertions::assert_impl_all;
use std::cell::{Cell, RefCell};
use std::ops::{ControlFlow, RangeInclusive};
use std::panic::{self, AssertUnwindSafe};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The worker thread's name, as its timer's ticks report it.
pub const THREAD_NAME: &str = "worker";
/// How long one step of a job takes until the window asks for another length.
pub const DEFAULT_STEP: Duration = Duration::from_millis(20);
/// The step lengths the worker accepts; it clamps any other to this range.
pub const STEP_RANGE: RangeInclusive<Duration> =
    Duration::from_millis(5)..=Duration::from_millis(160);
/// How often each of a job's two timers asks to run.
pub const TICK: Duration = Duration::from_millis(100);

// ANCHOR: commands
/// What the window asks of the worker.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// Start a job of this many steps.
    Start {
        steps: u32,
    },
    /// Stop taking steps until `Resume`.
    Pause,
    Resume,
    /// Drop the job between two steps. That stops it within a step
    /// because steps are short and the worker reads its inbox between
    /// them; work that is one long blocking call would need a flag (an
    /// `AtomicBool`, a `gio::Cancellable`) that the call itself checks.
    Cancel,
    /// Spend this long on each step, from the next one on.
    SetStepLength(Duration),
    /// Take the job's next step now, and that step has a bug: it panics.
    Fail,
    /// Drop everything and end the thread.
    Quit,
}

// It travels to another thread, so it must be `Send`: checked whenever
// this compiles.
assert_impl_all!(Command: Send);
// ANCHOR_END: commands

// ANCHOR: events
/// What the worker tells the window. Each command gets exactly one answer
/// (one of the first six variants), in the order the commands were sent.
/// `Quit` gets none, and nor does a `Fail` that finds a job: the worker's
/// last word is then `Panicked`.
#[derive(Debug, Clone)]
pub enum Event {
    Started {
        steps: u32,
    },
    Paused {
        done: u32,
    },
    Resumed,
    StepLengthSet(Duration),
    /// The job was dropped at `stopped`, after `done` of its `total` steps.
    Cancelled {
        done: u32,
        total: u32,
        stopped: Instant,
    },
    /// The command could not be carried out in the worker's state (a
    /// second Start, ...).
    Refused {
        command: &'static str,
        why: &'static str,
    },
    /// A step is done; `took` is how long it really took.
    Progress {
        done: u32,
        total: u32,
        took: Duration,
    },
    Finished {
        total: u32,
    },
    Tick(Tick),
    /// The worker's last word: it panicked with this message, and its
    /// thread is ending.
    Panicked(String),
}

/// One tick of one of the job's timers, and where it ran.
#[derive(Debug, Clone)]
pub struct Tick {
    pub timer: Timer,
    /// Counted from 1 for each job.
    pub n: u64,
    pub thread: String,
    pub at: Instant,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timer {
    /// `glib::timeout_source_new`, attached to the worker's own context.
    WorkerContext,
    /// `glib::timeout_add`, called on the worker thread.
    TimeoutAdd,
}

assert_impl_all!(Event: Send);
// ANCHOR_END: events

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Start { .. } => "Start",
            Self::Pause => "Pause",
            Self::Resume => "Resume",
            Self::Cancel => "Cancel",
            Self::SetStepLength(_) => "SetStepLength",
            Self::Fail => "Fail",
            Self::Quit => "Quit",
        }
    }
}

impl Event {
    /// The command this event answers, named as [`Command::name`] names it; a refusal says so.
    pub fn answers(&self) -> Option<String> {
        let command = match self {
            Self::Started { .. } => "Start",
            Self::Paused { .. } => "Pause",
            Self::Resumed => "Resume",
            Self::StepLengthSet(_) => "SetStepLength",
            Self::Cancelled { .. } => "Cancel",
            Self::Refused { command, why } => return Some(format!("{command} (refused: {why})")),
            Self::Progress { .. } | Self::Finished { .. } | Self::Tick(_) | Self::Panicked(_) => {
                return None;
            }
        };
        Some(command.to_owned())
    }
}

/// The name of the thread this runs on, or its id if it has none.
pub fn current_thread_name() -> String {
    let thread = std::thread::current();
    thread.name().map_or_else(|| format!("{:?}", thread.id()), str::to_owned)
}

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

/// The worker's state. It is created on the worker thread and never leaves it: no lock, no
/// `Arc`, and no other thread can reach it.
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
                    Event::Cancelled { done, total, stopped: Instant::now() }
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
        // This fails only once the window has dropped its receiver, as it closes. The worker
        // goes on until it is told to quit, and must not panic for want of an audience.
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

// ANCHOR: timers
/// A job's two timers. They start with the job and stop when it is
/// dropped, however it ends: an idle worker has no timer to wake it up,
/// and neither has the window.
struct Timers {
    /// On the worker's own context: the worker's loop runs it.
    own: glib::Source,
    /// The trap: `glib::timeout_add`, called on the worker thread. It
    /// attaches to the main thread's context, whichever thread calls it.
    trap: glib::SourceId,
}

impl Timers {
    fn start(context: &glib::MainContext, events: &Sender<Event>) -> Self {
        let own = glib::timeout_source_new(
            TICK,
            Some("worker tick"),
            glib::Priority::DEFAULT,
            ticker(Timer::WorkerContext, events.clone()),
        );
        own.attach(Some(context));
        let on_tick = ticker(Timer::TimeoutAdd, events.clone());
        let trap = glib::timeout_add(TICK, on_tick);
        Self { own, trap }
    }
}

impl Drop for Timers {
    fn drop(&mut self) {
        // Dropping the handle alone would leave the source attached.
        self.own.destroy();
        // Left alone, the trap's timer would tick on after the job, and
        // after the worker. (`SourceId::remove` panics if the source is
        // gone already; looking it up does not.)
        let trap = glib::MainContext::default().find_source_by_id(&self.trap);
        if let Some(source) = trap {
            source.destroy();
        }
    }
}
// ANCHOR_END: timers

/// A timer's callback: it counts its ticks and sends each to the window, with the thread it ran
/// on. The closure is `Send`, so that either kind of timer accepts it.
fn ticker(timer: Timer, events: Sender<Event>) -> impl FnMut() -> glib::ControlFlow + Send {
    let mut n = 0;
    move || {
        n += 1;
        let tick = Tick { timer, n, thread: current_thread_name(), at: Instant::now() };
        // A closed channel means the window is gone: there is nobody to show the tick to.
        let _ = events.try_send(Event::Tick(tick));
        glib::ControlFlow::Continue
    }
}

#[cfg(test)]
mod tests {
    //! The worker alone, without a window: nobody runs the default context here, so the
    //! `timeout_add` timer never ticks, and nothing below depends on it.

    use super::*;

    const PATIENCE: Duration = Duration::from_secs(5);

    /// The next event that answers a command, polling without blocking on a channel.
    fn next_answer(events: &Receiver<Event>) -> String {
        let deadline = Instant::now() + PATIENCE;
        while Instant::now() < deadline {
            match events.try_recv() {
                Ok(event) => {
                    if let Some(answer) = event.answers() {
                        return answer;
                    }
                }
                Err(TryRecvError::Empty) => {
                    #[expect(
                        clippy::disallowed_methods,
                        reason = "a unit test's thread waits for the worker; no main loop runs here"
                    )]
                    std::thread::park_timeout(Duration::from_millis(1));
                }
                Err(TryRecvError::Closed) => panic!("the worker ended"),
            }
        }
        panic!("no answer within {PATIENCE:?}");
    }

    /// Every event up to the first that `is_it` picks, which comes last.
    fn events_until(events: &Receiver<Event>, is_it: impl Fn(&Event) -> bool) -> Vec<Event> {
        let deadline = Instant::now() + PATIENCE;
        let mut seen = Vec::new();
        while Instant::now() < deadline {
            match events.try_recv() {
                Ok(event) => {
                    let found = is_it(&event);
                    seen.push(event);
                    if found {
                        return seen;
                    }
                }
                Err(TryRecvError::Empty) => {
                    #[expect(
                        clippy::disallowed_methods,
                        reason = "a unit test's thread waits for the worker; no main loop runs here"
                    )]
                    std::thread::park_timeout(Duration::from_millis(1));
                }
                Err(TryRecvError::Closed) => panic!("the worker ended"),
            }
        }
        panic!("not there within {PATIENCE:?}: {seen:?}");
    }

    /// How many ticks of the worker's own timer arrive within `wait`.
    fn ticks_within(events: &Receiver<Event>, wait: Duration) -> usize {
        let deadline = Instant::now() + wait;
        let mut ticks = 0;
        while Instant::now() < deadline {
            match events.try_recv() {
                Ok(event) => ticks += usize::from(is_own_tick(&event)),
                Err(_) => {
                    #[expect(
                        clippy::disallowed_methods,
                        reason = "a unit test's thread waits for the worker; no main loop runs here"
                    )]
                    std::thread::park_timeout(Duration::from_millis(1));
                }
            }
        }
        ticks
    }

    fn is_own_tick(event: &Event) -> bool {
        matches!(event, Event::Tick(Tick { timer: Timer::WorkerContext, .. }))
    }

    #[test]
    fn every_command_is_answered_in_the_order_sent() {
        let (worker, events) = Worker::spawn().unwrap();
        let commands = [
            Command::Start { steps: 1000 },
            Command::Pause,
            Command::Pause,
            Command::SetStepLength(Duration::from_millis(5)),
            Command::Resume,
            Command::Start { steps: 3 },
            Command::Cancel,
            Command::Cancel,
            Command::Start { steps: 3 },
        ];
        for command in &commands {
            worker.send(command.clone());
        }
        let answers: Vec<String> = commands.iter().map(|_| next_answer(&events)).collect();
        assert_eq!(
            answers,
            [
                "Start",
                "Pause",
                "Pause (refused: already paused)",
                "SetStepLength",
                "Resume",
                "Start (refused: a job is running)",
                "Cancel",
                "Cancel (refused: no job)",
                "Start",
            ]
        );
        assert_eq!(worker.quit_and_join(), Ok(()));
    }

    #[test]
    fn step_lengths_are_clamped() {
        let (worker, events) = Worker::spawn().unwrap();
        worker.send(Command::SetStepLength(Duration::ZERO));
        worker.send(Command::SetStepLength(Duration::from_secs(60)));
        let mut applied = Vec::new();
        while applied.len() < 2 {
            if let Ok(Event::StepLengthSet(length)) = events.try_recv() {
                applied.push(length);
            }
            #[expect(
                clippy::disallowed_methods,
                reason = "a unit test's thread waits for the worker; no main loop runs here"
            )]
            std::thread::park_timeout(Duration::from_millis(1));
        }
        assert_eq!(applied, [*STEP_RANGE.start(), *STEP_RANGE.end()]);
        assert_eq!(worker.quit_and_join(), Ok(()));
    }

    #[test]
    fn a_worker_whose_window_is_gone_still_quits_cleanly() {
        let (worker, events) = Worker::spawn().unwrap();
        drop(events);
        worker.send(Command::Start { steps: 3 });
        #[expect(
            clippy::disallowed_methods,
            reason = "a unit test's thread waits for the worker; no main loop runs here"
        )]
        std::thread::park_timeout(Duration::from_millis(100));
        assert_eq!(worker.quit_and_join(), Ok(()), "a send to the closed channel panicked");
    }

    #[test]
    fn dropping_the_handle_is_a_quit() {
        let (worker, _events) = Worker::spawn().unwrap();
        worker.send(Command::Start { steps: 1_000_000 });
        let thread = worker.thread.take().unwrap();
        drop(worker);
        let deadline = Instant::now() + PATIENCE;
        while !thread.is_finished() {
            assert!(Instant::now() < deadline, "the worker outlived its handle");
            #[expect(
                clippy::disallowed_methods,
                reason = "a unit test's thread waits for the worker; no main loop runs here"
            )]
            std::thread::park_timeout(Duration::from_millis(1));
        }
    }

    #[test]
    fn the_timers_tick_only_while_a_job_exists() {
        let (worker, events) = Worker::spawn().unwrap();
        assert_eq!(ticks_within(&events, 3 * TICK), 0, "the timer ticked before any job");
        worker.send(Command::Start { steps: 1_000_000 });
        worker.send(Command::Pause);
        // A paused job still has its timers: the first tick comes while it is paused.
        let seen = events_until(&events, is_own_tick);
        assert!(seen.iter().any(|event| matches!(event, Event::Paused { .. })), "{seen:?}");
        worker.send(Command::Cancel);
        events_until(&events, |event| matches!(event, Event::Cancelled { .. }));
        assert_eq!(ticks_within(&events, 3 * TICK), 0, "the timer outlived its job");
        assert_eq!(worker.quit_and_join(), Ok(()));
    }

    #[test]
    fn a_panic_in_the_worker_ends_its_thread_and_join_says_why() {
        let (worker, events) = Worker::spawn().unwrap();
        worker.send(Command::Start { steps: 1_000_000 });
        worker.send(Command::Fail);
        let (joined, join) = std::sync::mpsc::channel();
        std::thread::spawn(move || joined.send(worker.quit_and_join()));
        #[expect(
            clippy::disallowed_methods,
            reason = "a unit test waits, for a bounded time, on a join that may hang"
        )]
        let ended = join.recv_timeout(Duration::from_secs(1));
        let ended = ended.expect("quit_and_join still blocked after 1 s");
        assert_eq!(ended, Err("the worker thread panicked: a bug in the job".to_owned()));

        // The window hears of it too: a last event says why, then the channel closes.
        let mut last = None;
        loop {
            match events.try_recv() {
                Ok(event) => last = Some(event),
                Err(TryRecvError::Closed) => break,
                Err(TryRecvError::Empty) => panic!("the worker is joined, its events still open"),
            }
        }
        let last = format!("{last:?}");
        assert_eq!(last, r#"Some(Panicked("a bug in the job"))"#);
    }
}
