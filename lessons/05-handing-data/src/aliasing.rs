//! The aliasing bug of the Qt tutorials, in the one form Rust allows: a
//! worker hands the window a shared handle on its buffer,
//! `Arc<Mutex<Vec<u64>>>`, and goes on writing into it. PySide's signal does
//! the same with any Python object it carries; here the type says so.

use crate::threads::{Named, spawn_named};
use async_channel::{Receiver, Sender};
use static_assertions::assert_impl_all;
use std::fmt;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

/// Readings in one batch.
pub const BATCH: usize = 10_000;
/// The worker writes the next batch in this many steps...
const REFILL_STEPS: usize = 20;
/// ...with this pause between them, as if it read them from a device.
const REFILL_PAUSE: Duration = Duration::from_millis(2);
/// The worker thread's name.
pub const THREAD_NAME: &str = "alias-worker";

/// How the worker hands its batch to the window.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handoff {
    /// An `Arc` clone of its own buffer: the bug.
    ShareTheBuffer,
    /// A copy of the buffer, taken under its lock: Python's `deepcopy`
    /// before the `emit`.
    CloneUnderLock,
    /// The buffer itself, taken out of the mutex with `mem::take`: nothing
    /// is left to alias.
    Move,
}

// ANCHOR: messages
/// The readings of one batch, as the window receives them.
pub enum Readings {
    /// A handle on the worker's own buffer, which the worker keeps using.
    Shared(Arc<Mutex<Vec<u64>>>),
    /// A vector the window owns: nobody else can reach it.
    Owned(Vec<u64>),
}

/// What the worker sends to the window.
pub enum Message {
    /// Batch 1, what it held when the worker sent it, and how long
    /// preparing the handoff took the worker.
    Sent { readings: Readings, at_send: Summary, took: Duration },
    /// The worker has written all of batch 2 and ends.
    Done,
}

// Sent from the worker to the main loop: checked here.
assert_impl_all!(Message: Send);
// ANCHOR_END: messages

/// What the window shows of a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Summary {
    pub len: usize,
    /// Batch `n`'s readings start at `n` million.
    pub first: u64,
    pub sum: u64,
}

impl Summary {
    fn of(readings: &[u64]) -> Self {
        Self {
            len: readings.len(),
            first: readings.first().copied().unwrap_or(0),
            sum: readings.iter().sum(),
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let Self { len, first, sum } = self;
        let batch = first / 1_000_000;
        write!(f, "batch {batch}: {len} readings from {first}, sum {sum}")
    }
}

impl Readings {
    /// What the window reads now: a shared buffer under its lock, briefly.
    pub fn summary(&self) -> Summary {
        match self {
            Self::Shared(buffer) => Summary::of(&lock(buffer)),
            Self::Owned(readings) => Summary::of(readings),
        }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts a worker that sends batch 1 the way `handoff` says, then writes
/// batch 2.
pub fn spawn(
    handoff: Handoff,
    stop: Arc<AtomicBool>,
) -> std::io::Result<(Named, Receiver<Message>)> {
    let (sender, messages) = async_channel::unbounded();
    let work = move || produce(handoff, &sender, &stop);
    Ok((spawn_named(THREAD_NAME, work)?, messages))
}

// ANCHOR: produce
fn produce(handoff: Handoff, window: &Sender<Message>, stop: &AtomicBool) {
    // The worker's buffer, reused from batch to batch as workers do.
    let buffer = Arc::new(Mutex::new(Vec::with_capacity(BATCH)));
    lock(&buffer).extend(batch(1));

    let at_send = Summary::of(&lock(&buffer));
    let started = Instant::now();
    let readings = match handoff {
        // A second handle on the buffer the worker is about to overwrite.
        Handoff::ShareTheBuffer => Readings::Shared(Arc::clone(&buffer)),
        // A copy, taken while the lock is held: no writer can change the
        // buffer halfway through the copy.
        Handoff::CloneUnderLock => Readings::Owned(lock(&buffer).clone()),
        // The buffer itself; the worker's mutex keeps an empty one.
        Handoff::Move => Readings::Owned(std::mem::take(&mut *lock(&buffer))),
    };
    let took = started.elapsed();
    let _ = window.try_send(Message::Sent { readings, at_send, took });

    // Batch 2 goes into the same buffer, a step at a time.
    lock(&buffer).clear();
    let mut next = batch(2);
    for _ in 0..REFILL_STEPS {
        lock(&buffer).extend(next.by_ref().take(BATCH / REFILL_STEPS));
        if stop.load(Ordering::Acquire) {
            return;
        }
        #[expect(
            clippy::disallowed_methods,
            reason = "the worker's pause between two reads of its device"
        )]
        std::thread::sleep(REFILL_PAUSE);
    }
    let _ = window.try_send(Message::Done);
}
// ANCHOR_END: produce

/// The readings of batch `n`: `n` million, `n` million + 1, ...
fn batch(n: u64) -> impl Iterator<Item = u64> {
    (0..BATCH as u64).map(move |i| n * 1_000_000 + i)
}
