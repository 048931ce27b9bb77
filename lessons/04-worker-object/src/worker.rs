//! The worker: a long-lived thread that owns its state and runs a main loop of its own. The
//! window drives it with commands and hears back through events; nothing in this file knows
//! about GTK, and the worker never sees a widget.

use async_channel::{Receiver, Sender, TryRecvError};
use static_assertions::assert_impl_all;
use std::cell::RefCell;
use std::ops::{ControlFlow, RangeInclusive};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// The worker thread's name, as its timer's ticks report it.
pub const THREAD_NAME: &str = "worker";
/// How long one step of a job takes until the window asks for another length.
pub const DEFAULT_STEP: Duration = Duration::from_millis(20);
/// The step lengths the worker accepts; it clamps any other to this range.
pub const STEP_RANGE: RangeInclusive<Duration> =
    Duration::from_millis(5)..=Duration::from_millis(160);
/// How often each of the worker's two timers asks to run.
pub const TICK: Duration = Duration::from_millis(100);

// ANCHOR: messages
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
    /// Drop the job between two steps.
    Cancel,
    /// Spend this long on each step, from the next one on.
    SetStepLength(Duration),
    /// Drop everything and end the thread.
    Quit,
}

/// What the worker tells the window. Each command but `Quit` gets exactly one answer (one of the
/// first six variants), in the order the commands were sent.
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
    /// The command could not be carried out in the worker's state (a second Start, ...).
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
}

/// One tick of one of the worker's timers, and where it ran.
#[derive(Debug, Clone)]
pub struct Tick {
    pub timer: Timer,
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

// Both travel between threads, so both must be `Send`: checked whenever this compiles.
assert_impl_all!(Command: Send);
assert_impl_all!(Event: Send);
// ANCHOR_END: messages

impl Command {
    pub fn name(&self) -> &'static str {
        match self {
            Self::Start { .. } => "Start",
            Self::Pause => "Pause",
            Self::Resume => "Resume",
            Self::Cancel => "Cancel",
            Self::SetStepLength(_) => "SetStepLength",
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
            Self::Progress { .. } | Self::Finished { .. } | Self::Tick(_) => return None,
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
/// The window's end of the worker: where commands go in, and the thread to join.
pub struct Worker {
    commands: Sender<Command>,
    thread: RefCell<Option<JoinHandle<Result<(), String>>>>,
}

impl Worker {
    /// Starts the worker thread; its events come out of the returned receiver.
    pub fn spawn() -> std::io::Result<(Self, Receiver<Event>)> {
        let (commands, inbox) = async_channel::unbounded();
        let (outbox, events) = async_channel::unbounded();
        let thread = std::thread::Builder::new()
            .name(THREAD_NAME.into())
            .spawn(move || run_thread(inbox, outbox))?;
        Ok((Self { commands, thread: RefCell::new(Some(thread)) }, events))
    }

    /// Queues a command and returns at once.
    pub fn send(&self, command: Command) {
        // This fails only once the worker has ended (it quit, or it panicked). There is nobody
        // left to ask, and the window hears of it anyway: its event channel closes.
        let _ = self.commands.try_send(command);
    }

    /// Qt's `quit()` then `wait()`: asks the worker to quit and waits for its thread to end.
    pub fn quit_and_join(&self) -> Result<(), String> {
        self.send(Command::Quit);
        let Some(thread) = self.thread.take() else { return Ok(()) };
        #[expect(
            clippy::disallowed_methods,
            reason = "the window has closed: the worker quits within one step, and the process \
                      must not end while it still holds anything"
        )]
        let ended = thread.join();
        ended.unwrap_or_else(|panic| Err(format!("the worker thread panicked: {}", text(&*panic))))
    }
}
// ANCHOR_END: handle

fn text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}

// ANCHOR: thread
/// The worker thread, from start to end. What it creates here lives and dies on this thread.
fn run_thread(inbox: Receiver<Command>, outbox: Sender<Event>) -> Result<(), String> {
    let context = glib::MainContext::new();
    let main_loop = glib::MainLoop::new(Some(&context), false);
    context
        .with_thread_default(|| {
            let own_timer = start_worker_context_timer(&context, outbox.clone());
            let trap = start_timeout_add_timer(outbox.clone());

            let main_loop_handle = main_loop.clone();
            context.spawn_local(async move {
                WorkerState::new(outbox).serve(inbox).await;
                main_loop_handle.quit();
            });
            #[expect(
                clippy::disallowed_methods,
                reason = "the worker thread's own loop, on its own context: it runs until Quit"
            )]
            main_loop.run();

            own_timer.destroy();
            stop_timeout_add_timer(trap);
        })
        .map_err(|e| format!("the worker could not take its own context: {e}"))
}
// ANCHOR_END: thread

/// The worker's state. It is created on the worker thread and never leaves it: no lock, no
/// `Arc`, and no other thread can reach it.
struct WorkerState {
    events: Sender<Event>,
    step: Duration,
    job: Option<Job>,
}

struct Job {
    done: u32,
    total: u32,
    paused: bool,
}

impl WorkerState {
    fn new(events: Sender<Event>) -> Self {
        Self { events, step: DEFAULT_STEP, job: None }
    }

    // ANCHOR: serve
    /// The worker's life: commands in the order they come, and the job's steps in between.
    async fn serve(mut self, inbox: Receiver<Command>) {
        loop {
            let command = if self.has_a_step_to_take() {
                // Busy: take a command if one is waiting, else take the next step.
                match inbox.try_recv() {
                    Ok(command) => Some(command),
                    Err(TryRecvError::Empty) => None,
                    Err(TryRecvError::Closed) => Some(Command::Quit),
                }
            } else {
                // Idle or paused: wait in the loop, without a thread blocked, for a command.
                // Every sender gone means the window dropped its handle: that is a Quit too.
                Some(inbox.recv().await.unwrap_or(Command::Quit))
            };
            match command {
                Some(command) => {
                    if self.handle(command).is_break() {
                        return;
                    }
                }
                None => {
                    self.take_a_step();
                    // Hand the worker's loop back for a moment, so that its other sources (its
                    // timer) run between steps, just as the main loop must not be held.
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
            Command::Start { steps: 0 } => refused("a job needs at least one step"),
            Command::Start { steps } => match self.job {
                Some(_) => refused("a job is running"),
                None => {
                    self.job = Some(Job { done: 0, total: steps, paused: false });
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
            // Cancelling is dropping the job: no step of it can run once it is gone.
            Command::Cancel => match self.job.take() {
                Some(job) => {
                    Event::Cancelled { done: job.done, total: job.total, stopped: Instant::now() }
                }
                None => refused("no job"),
            },
            Command::SetStepLength(length) => {
                self.step = length.clamp(*STEP_RANGE.start(), *STEP_RANGE.end());
                Event::StepLengthSet(self.step)
            }
        };
        self.emit(answer);
        ControlFlow::Continue(())
    }
    // ANCHOR_END: handle_command

    fn take_a_step(&mut self) {
        let Some(job) = &mut self.job else { return };
        let started = Instant::now();
        do_one_step(self.step);
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
/// One step of a job: a short piece of blocking work. It holds the worker's loop for one step,
/// never the window's.
fn do_one_step(length: Duration) {
    #[expect(
        clippy::disallowed_methods,
        reason = "runs on the worker thread, never on the main loop"
    )]
    std::thread::sleep(length);
}
// ANCHOR_END: step

// ANCHOR: timers
/// A timer on the worker's own context: it is dispatched by the worker's loop, so it ticks on
/// the worker thread.
fn start_worker_context_timer(context: &glib::MainContext, events: Sender<Event>) -> glib::Source {
    let mut n = 0;
    let on_tick = move || {
        n += 1;
        // A closed channel means the window is gone: there is nobody to show the tick to.
        let _ = events.try_send(Event::Tick(tick(Timer::WorkerContext, n)));
        glib::ControlFlow::Continue
    };
    let source =
        glib::timeout_source_new(TICK, Some("worker tick"), glib::Priority::DEFAULT, on_tick);
    source.attach(Some(context));
    source
}

/// The trap: the same timer through `glib::timeout_add`, called on the worker thread. It
/// compiles (the closure is `Send`), and it attaches to the global default context, the main
/// thread's, whichever thread calls it.
fn start_timeout_add_timer(events: Sender<Event>) -> glib::SourceId {
    let mut n = 0;
    glib::timeout_add(TICK, move || {
        n += 1;
        // As above: with the window gone, the tick has nowhere to go and that is fine.
        let _ = events.try_send(Event::Tick(tick(Timer::TimeoutAdd, n)));
        glib::ControlFlow::Continue
    })
}
// ANCHOR_END: timers

/// Removes the trap's timer from the default context, where it would otherwise outlive the
/// worker. (`SourceId::remove` panics if the source is gone already; looking it up does not.)
fn stop_timeout_add_timer(id: glib::SourceId) {
    if let Some(source) = glib::MainContext::default().find_source_by_id(&id) {
        source.destroy();
    }
}

fn tick(timer: Timer, n: u64) -> Tick {
    Tick { timer, n, thread: current_thread_name(), at: Instant::now() }
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
}
