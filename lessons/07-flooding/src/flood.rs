//! The worker's side: progress events produced as fast as the machine can make them, and the
//! three ways they can travel to the window. Nothing in this file knows about GTK.

use async_channel::Sender;
use static_assertions::assert_impl_all;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Events per millisecond of `--work-ms`.
pub const EVENTS_PER_WORK_MS: u64 = 200;
/// The fewest events a run produces, however short `--work-ms` is: enough to flood.
pub const MIN_EVENTS: u64 = 50_000;
/// The most events a run produces: the naive run queues all of them, so this caps its memory.
pub const MAX_EVENTS: u64 = 1_000_000;
/// The bounded channel's capacity.
pub const BOUNDED_CAPACITY: usize = 64;
/// The worker samples the process's resident memory every this many events.
const MEMORY_SAMPLE_EVERY: u64 = 1024;

/// How many events a run produces for `--work-ms`: 200 a millisecond, clamped to
/// `MIN_EVENTS..=MAX_EVENTS`.
pub fn events_for(work: Duration) -> u64 {
    let ms = u64::try_from(work.as_millis()).unwrap_or(u64::MAX);
    ms.saturating_mul(EVENTS_PER_WORK_MS).clamp(MIN_EVENTS, MAX_EVENTS)
}

// ANCHOR: progress
/// One progress event: what a chatty worker emits after each item, as a Qt worker would emit
/// its `progress` signal.
#[derive(Debug, Clone)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    /// The line the window shows under the bar.
    pub note: String,
    /// When the worker made it. Its age when the window shows it is how far the window lags.
    pub made: Instant,
}

// It crosses from the worker to the main thread, so it must be `Send`.
assert_impl_all!(Progress: Send);
// ANCHOR_END: progress

// ANCHOR: latest
/// The coalescing slot: the worker overwrites the value, the window takes it when it is ready
/// to show one. However fast the worker goes, at most one value is waiting, and it is the
/// latest.
pub struct Latest<T> {
    value: Mutex<Option<T>>,
    /// Set once the worker will publish nothing more.
    closed: AtomicBool,
}

impl<T> Latest<T> {
    pub fn new() -> Arc<Self> {
        Arc::new(Self { value: Mutex::new(None), closed: AtomicBool::new(false) })
    }

    /// Replaces the waiting value, if any: that one was never shown and never will be.
    pub fn publish(&self, value: T) {
        let replaced = self.lock().replace(value);
        drop(replaced); // after the lock is released: freeing it is the worker's time, not the lock's
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

    /// Whether the worker is done. Read it *before* the last `take`: a value published before
    /// `close` is then sure to be taken.
    pub fn is_closed(&self) -> bool {
        self.closed.load(Ordering::Acquire)
    }

    fn lock(&self) -> MutexGuard<'_, Option<T>> {
        self.value.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

// Shared by the worker and the main thread: it must be `Send` and `Sync`, and it is, because
// the value it holds is `Send`.
assert_impl_all!(Arc<Latest<Progress>>: Send, Sync);
// ANCHOR_END: latest

/// The worker's end of a [`Latest`] slot. Dropping it closes the slot, however the worker
/// ends: finished, cancelled or panicking.
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
    /// A channel, unbounded (naive) or bounded (backpressure): the worker's code is the same.
    Channel(Sender<Progress>),
    /// A slot that keeps only the latest event (coalesced).
    Latest(Publisher),
}

assert_impl_all!(Outlet: Send);

impl Outlet {
    fn put(&self, event: Progress) -> Result<(), Stopped> {
        match self {
            Self::Channel(sender) => {
                #[expect(
                    clippy::disallowed_methods,
                    reason = "runs on the worker thread: waiting while a bounded channel is full \
                              is the backpressure; an unbounded channel never waits"
                )]
                let sent = sender.send_blocking(event);
                sent.map_err(|_| Stopped) // The window closed the channel: nobody is listening.
            }
            Self::Latest(publisher) => {
                publisher.0.publish(event);
                Ok(())
            }
        }
    }

    /// How many events wait for the window right now.
    fn waiting(&self) -> usize {
        match self {
            Self::Channel(sender) => sender.len(),
            Self::Latest(publisher) => publisher.0.waiting(),
        }
    }
}
// ANCHOR_END: outlet

/// The worker stopped before the end: it was cancelled, or the window closed the channel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stopped;

/// What the worker measured about its own run.
#[derive(Debug, Clone)]
pub struct WorkerReport {
    pub sent: u64,
    /// From the first event made to the last one handed over.
    pub wall: Duration,
    /// When the last event was handed over: the window's drain time starts here.
    pub last_sent: Instant,
    /// The most events waiting for the window, read after each hand-over.
    pub max_waiting: usize,
    /// Peak minus starting resident memory (VmRSS), in KiB; `None` without `/proc`.
    pub memory_growth_kib: Option<u64>,
}

// The job's outcome travels back to the main thread too.
assert_impl_all!(WorkerReport: Send);
assert_impl_all!(Stopped: Send);

// ANCHOR: produce
/// The worker: `total` events, each handed over the moment it is made, with no pause. It stops
/// early once `stop()` says so, or once the window has closed the channel.
pub fn produce(
    total: u64,
    outlet: Outlet,
    stop: impl Fn() -> bool,
) -> Result<WorkerReport, Stopped> {
    let started = Instant::now();
    let mut memory = MemoryWatch::start();
    let mut max_waiting = 0;
    for done in 1..=total {
        if stop() {
            return Err(Stopped);
        }
        let note = format!("Item {done} of {total}");
        outlet.put(Progress { done, total, note, made: Instant::now() })?;
        max_waiting = max_waiting.max(outlet.waiting());
        if done % MEMORY_SAMPLE_EVERY == 0 {
            memory.sample();
        }
    }
    let last_sent = Instant::now();
    memory.sample();
    Ok(WorkerReport {
        sent: total,
        wall: last_sent - started,
        last_sent,
        max_waiting,
        memory_growth_kib: memory.growth(),
    })
}
// ANCHOR_END: produce

/// The process's resident memory, `VmRSS` in `/proc/self/status`, in KiB. `None` where there
/// is no `/proc` (not Linux).
pub fn resident_kib() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find_map(|line| line.strip_prefix("VmRSS:"))?;
    line.trim().strip_suffix("kB")?.trim().parse().ok()
}

/// The peak of `VmRSS` over the samples taken, against the value at the start.
struct MemoryWatch {
    start: Option<u64>,
    peak: Option<u64>,
}

impl MemoryWatch {
    fn start() -> Self {
        let start = resident_kib();
        Self { start, peak: start }
    }

    fn sample(&mut self) {
        if let Some(now) = resident_kib() {
            self.peak = Some(self.peak.map_or(now, |peak| peak.max(now)));
        }
    }

    fn growth(&self) -> Option<u64> {
        Some(self.peak?.saturating_sub(self.start?))
    }
}

#[cfg(test)]
mod tests {
    //! The worker alone, without a window: the transports' bounds hold whatever the receiver
    //! does, and the worker stops when it is told to or when nobody listens.

    use super::*;
    use std::sync::atomic::AtomicU64;

    #[test]
    fn the_event_count_scales_with_the_work_and_is_capped() {
        assert_eq!(events_for(Duration::from_millis(20)), MIN_EVENTS);
        assert_eq!(events_for(Duration::from_millis(1000)), 200_000);
        assert_eq!(events_for(Duration::from_secs(5)), 1_000_000);
        assert_eq!(events_for(Duration::from_secs(600)), MAX_EVENTS);
    }

    #[test]
    fn an_unbounded_channel_nobody_reads_holds_every_event() {
        let (sender, receiver) = async_channel::unbounded();
        let report = produce(10_000, Outlet::Channel(sender), || false).unwrap();
        assert_eq!(report.max_waiting, 10_000);
        assert_eq!(receiver.len(), 10_000);
    }

    #[test]
    fn a_bounded_channel_never_holds_more_than_its_capacity() {
        let (sender, receiver) = async_channel::bounded::<Progress>(8);
        let reader = std::thread::spawn(move || {
            let mut last = 0;
            loop {
                #[expect(clippy::disallowed_methods, reason = "a test's reader thread")]
                let next = receiver.recv_blocking();
                let Ok(event) = next else { return last };
                assert_eq!(event.done, last + 1, "events arrive in order");
                last = event.done;
            }
        });
        let report = produce(10_000, Outlet::Channel(sender), || false).unwrap();
        assert!(report.max_waiting <= 8, "{} waiting", report.max_waiting);
        #[expect(clippy::disallowed_methods, reason = "a test joining its reader thread")]
        let received = reader.join().unwrap();
        assert_eq!(received, 10_000);
    }

    #[test]
    fn closing_the_channel_releases_a_worker_blocked_on_a_full_one() {
        let (sender, receiver) = async_channel::bounded(4);
        let worker = std::thread::spawn(move || produce(1_000, Outlet::Channel(sender), || false));
        // Once the channel is full, the worker's next send blocks: nobody reads.
        while !receiver.is_full() {
            std::thread::yield_now();
        }
        receiver.close();
        #[expect(clippy::disallowed_methods, reason = "a test joining the worker it released")]
        let outcome = worker.join().unwrap();
        assert_eq!(outcome.unwrap_err(), Stopped);
        assert_eq!(receiver.len(), 4, "the four events sent before the close are still there");
    }

    #[test]
    fn the_worker_stops_when_told() {
        let slot = Latest::new();
        let asked = AtomicU64::new(0);
        let outcome = produce(1_000_000, Outlet::Latest(Publisher::new(slot.clone())), || {
            asked.fetch_add(1, Ordering::Relaxed) == 100
        });
        assert_eq!(outcome.unwrap_err(), Stopped);
        assert_eq!(slot.take().map(|event| event.done), Some(100));
        assert!(slot.is_closed(), "dropping the publisher closes the slot");
    }

    #[test]
    fn the_slot_keeps_only_the_latest_value() {
        let slot = Latest::new();
        let report =
            produce(10_000, Outlet::Latest(Publisher::new(slot.clone())), || false).unwrap();
        assert_eq!(report.max_waiting, 1);
        assert!(slot.is_closed());
        assert_eq!(slot.take().map(|event| event.done), Some(10_000));
        assert_eq!(slot.take().map(|event| event.done), None);
    }

    #[test]
    fn resident_memory_is_readable_here() {
        assert!(resident_kib().is_some_and(|kib| kib > 0));
    }
}
