//! The worker's side: progress events made as fast as the machine can make
//! them, and the ways they can travel to the window. Nothing in this file
//! knows about GTK.

use async_channel::{Receiver, Sender};
use static_assertions::assert_impl_all;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

/// Events per millisecond of `--work-ms`.
pub const EVENTS_PER_WORK_MS: u64 = 200;
/// The fewest events a run makes, however short `--work-ms` is: a flood.
pub const MIN_EVENTS: u64 = 50_000;
/// The most events a run makes: the naive run queues nearly all of them, so
/// this caps its memory.
pub const MAX_EVENTS: u64 = 1_000_000;
/// The bounded channels' capacity, the same for the bounded and the
/// per-frame ways: the most events that wait for the window, and so the most
/// one frame applies. It holds a few milliseconds of the window's work, so
/// that the window does not run out while the worker waits for a core.
pub const CAPACITY: usize = 2048;

/// How many events a run makes for `--work-ms`: 200 a millisecond, clamped
/// to `MIN_EVENTS..=MAX_EVENTS`.
pub fn events_for(work: Duration) -> u64 {
    let ms = u64::try_from(work.as_millis()).unwrap_or(u64::MAX);
    ms.saturating_mul(EVENTS_PER_WORK_MS).clamp(MIN_EVENTS, MAX_EVENTS)
}

// ANCHOR: progress
/// One progress event: what a chatty worker emits after each item, as a Qt
/// worker would emit its `progress` signal.
#[derive(Debug, Clone)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    /// The line the window shows under the bar.
    pub note: String,
}

// It crosses from the worker to the main thread, so it must be `Send`.
assert_impl_all!(Progress: Send);
// ANCHOR_END: progress

// ANCHOR: latest
/// The coalescing slot: the worker overwrites the value, the window takes it
/// when it is ready to show one. However fast the worker goes, at most one
/// value is waiting, and it is the latest.
pub struct Latest<T> {
    value: Mutex<Option<T>>,
    /// Set once the worker will publish nothing more.
    closed: AtomicBool,
}

impl<T> Latest<T> {
    pub fn new() -> Arc<Self> {
        let value = Mutex::new(None);
        Arc::new(Self { value, closed: AtomicBool::new(false) })
    }

    /// Replaces the waiting value, if any: that one will never be shown.
    pub fn publish(&self, value: T) {
        let replaced = self.lock().replace(value);
        drop(replaced); // freed after the lock is released, not under it
    }

    /// Takes the latest value, leaving the slot empty.
    pub fn take(&self) -> Option<T> {
        self.lock().take()
    }

    /// How many values are waiting: 0 or 1.
    pub fn waiting(&self) -> usize {
        usize::from(self.lock().is_some())
    }

    pub fn close(&self) {
        self.closed.store(true, Ordering::Release);
    }

    /// Whether the worker is done. Read it *before* the last `take`: a value
    /// published before `close` is then sure to be taken.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    fn lock(&self) -> MutexGuard<'_, Option<T>> {
        self.value.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

// Shared by the worker and the main thread: it must be `Send` and `Sync`,
// and it is, because the value it holds is `Send`.
assert_impl_all!(Arc<Latest<Progress>>: Send, Sync);
// ANCHOR_END: latest

/// The worker's end of a [`Latest`] slot. Dropping it closes the slot,
/// however the worker ends: finished, cancelled or panicking.
pub struct Publisher(Arc<Latest<Progress>>);

impl Publisher {
    pub fn new(slot: Arc<Latest<Progress>>) -> Self {
        Self(slot)
    }
}

impl Drop for Publisher {
    fn drop(&mut self) {
        self.0.close();
    }
}

// ANCHOR: outlet
/// Where the worker puts each event.
pub enum Outlet {
    /// A channel, unbounded or bounded: the worker's code is the same.
    Channel(Sender<Progress>),
    /// A slot that keeps only the latest event.
    Latest(Publisher),
}

assert_impl_all!(Outlet: Send);

impl Outlet {
    fn put(&self, event: Progress) -> Result<(), Stopped> {
        match self {
            Self::Channel(sender) => {
                #[expect(
                    clippy::disallowed_methods,
                    reason = "the worker thread: waiting while a bounded \
                              channel is full is the backpressure"
                )]
                let sent = sender.send_blocking(event);
                // An error: the window closed the channel, nobody listens.
                sent.map_err(|_| Stopped)
            }
            Self::Latest(publisher) => {
                publisher.0.publish(event);
                Ok(())
            }
        }
    }
}
// ANCHOR_END: outlet

/// The worker stopped before the end: it was cancelled, or the window closed
/// the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

assert_impl_all!(Stopped: Send);

/// A run as anyone may watch it, from any thread: how many events the
/// worker has handed over so far, and how many of those wait for the window.
/// The window's live line reads it.
pub struct Backlog {
    made: AtomicU64,
    queue: Queue,
}

/// Where the events wait for the window.
#[derive(Clone)]
pub enum Queue {
    Channel(Receiver<Progress>),
    Slot(Arc<Latest<Progress>>),
}

assert_impl_all!(Arc<Backlog>: Send, Sync);

impl Backlog {
    pub fn new(queue: Queue) -> Arc<Self> {
        Arc::new(Self { made: AtomicU64::new(0), queue })
    }

    /// Events the worker has handed over.
    pub fn made(&self) -> u64 {
        self.made.load(Ordering::Relaxed)
    }

    /// Events handed over that the window has not taken yet.
    pub fn waiting(&self) -> usize {
        match &self.queue {
            Queue::Channel(channel) => channel.len(),
            Queue::Slot(slot) => slot.waiting(),
        }
    }
}

// ANCHOR: produce
/// The worker: `total` events, each handed over the moment it is made, with
/// no pause. It stops early once `stop()` says so, or once the window has
/// closed the channel.
pub fn produce(
    total: u64,
    outlet: Outlet,
    backlog: &Backlog,
    stop: impl Fn() -> bool,
) -> Result<u64, Stopped> {
    for done in 1..=total {
        if stop() {
            return Err(Stopped);
        }
        let note = format!("Item {done} of {total}");
        outlet.put(Progress { done, total, note })?;
        backlog.made.store(done, Ordering::Relaxed);
    }
    Ok(total)
}
// ANCHOR_END: produce

/// The process's resident memory, `VmRSS` in `/proc/self/status`, in KiB.
/// `None` where there is no `/proc` (not Linux).
pub fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|line| line.strip_prefix("VmRSS:"))?;
    line.trim().strip_suffix("kB")?.trim().parse().ok()
}
