//! What the window and the worker say to each other: commands in, events
//! out. Plain values, and `Send`, so that they can cross to the other
//! thread; nothing else does.

use static_assertions::assert_impl_all;
use std::time::Duration;

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
    /// The job was dropped after `done` of its `total` steps.
    Cancelled {
        done: u32,
        total: u32,
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

/// One tick of one of the job's timers, and the thread it ran on.
#[derive(Debug, Clone)]
pub struct Tick {
    pub timer: Timer,
    /// Counted from 1 for each job.
    pub n: u64,
    pub thread: String,
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
    /// The command this event answers, named as [`Command::name`] names
    /// it; a refusal says so.
    pub fn answers(&self) -> Option<String> {
        let command = match self {
            Self::Started { .. } => "Start",
            Self::Paused { .. } => "Pause",
            Self::Resumed => "Resume",
            Self::StepLengthSet(_) => "SetStepLength",
            Self::Cancelled { .. } => "Cancel",
            Self::Refused { command, why } => {
                return Some(format!("{command} (refused: {why})"));
            }
            Self::Progress { .. }
            | Self::Finished { .. }
            | Self::Tick(_)
            | Self::Panicked(_) => return None,
        };
        Some(command.to_owned())
    }
}
