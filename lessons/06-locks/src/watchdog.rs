//! A deadlock watchdog, on the main loop. It looks at what two threads
//! publish in atomics (how far they got, whether they wait), never at their
//! locks or channels: a watchdog that waited for a lock could be stuck with
//! them. No progress for a while, with both waiting, is a deadlock.

use std::time::{Duration, Instant};

/// Both threads waiting, and no progress for this long: a deadlock. A
/// thread that merely waits for the other's turn waits far less.
pub const STUCK_AFTER: Duration = Duration::from_millis(300);
/// How often the window looks.
pub const LOOK_EVERY: Duration = Duration::from_millis(10);

/// What two threads show the watchdog at one look.
#[derive(Debug, Clone, Copy)]
pub struct Seen {
    /// A count that grows whenever either thread gets anywhere.
    pub progress: u32,
    /// Both are waiting for something.
    pub both_waiting: bool,
    /// Both have ended.
    pub both_over: bool,
}

/// What the watchdog says at one look.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Working,
    /// Deadlocked, first seen now: nothing moved for `quiet`. Said once.
    Stuck {
        quiet: Duration,
    },
    Over,
}

// ANCHOR: watchdog
pub struct Watchdog {
    progress: u32,
    progress_at: Instant,
    fired: bool,
}

impl Watchdog {
    pub fn new() -> Self {
        Self { progress: 0, progress_at: Instant::now(), fired: false }
    }

    pub fn check(&mut self, seen: Seen) -> Verdict {
        let now = Instant::now();
        if seen.both_over {
            return Verdict::Over;
        }
        if seen.progress != self.progress {
            (self.progress, self.progress_at) = (seen.progress, now);
            return Verdict::Working;
        }
        let quiet = now - self.progress_at;
        if seen.both_waiting && quiet >= STUCK_AFTER && !self.fired {
            self.fired = true;
            return Verdict::Stuck { quiet };
        }
        Verdict::Working
    }
}
// ANCHOR_END: watchdog
