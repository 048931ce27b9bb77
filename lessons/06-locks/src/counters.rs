//! Counting from two threads at once: a counter behind a `Mutex`, a value
//! read behind an `RwLock`, and an atomic counter. The times are the cost of
//! sharing mutable data; the totals, that no update was lost.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// Increments (or reads) per thread.
pub const OPS: u64 = 200_000;

/// One kind of shared counter, with two threads at it.
#[derive(Debug, Clone, Copy)]
pub struct Counted {
    /// The time of one operation, in nanoseconds.
    pub ns: f64,
    /// What the two threads counted (or read) together.
    pub total: u64,
}

#[derive(Debug, Clone, Copy)]
pub struct Counts {
    pub mutex: Counted,
    pub rwlock: Counted,
    pub atomic: Counted,
}

// ANCHOR: counters
/// Two threads hammer one counter of each kind, `ops` times each. They are
/// scoped threads: they borrow the counters, no `Arc` needed.
pub fn contended(ops: u64) -> Counts {
    let mutex = Mutex::new(0_u64);
    let mutex_took = on_two_threads(|| {
        for _ in 0..ops {
            *mutex.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        }
    });
    // Readers only: both hold the read lock at once.
    let rwlock = RwLock::new(1_u64);
    let reads = AtomicU64::new(0);
    let rwlock_took = on_two_threads(|| {
        let mut seen = 0;
        for _ in 0..ops {
            seen += *rwlock.read().unwrap_or_else(PoisonError::into_inner);
        }
        reads.fetch_add(seen, Ordering::Relaxed);
    });
    let atomic = AtomicU64::new(0);
    let atomic_took = on_two_threads(|| {
        for _ in 0..ops {
            atomic.fetch_add(1, Ordering::Relaxed);
        }
    });
    let per_op = |took: Duration| took.as_secs_f64() * 1e9 / (2 * ops) as f64;
    let counted = mutex.into_inner().unwrap_or_else(PoisonError::into_inner);
    Counts {
        mutex: Counted { ns: per_op(mutex_took), total: counted },
        rwlock: Counted { ns: per_op(rwlock_took), total: reads.into_inner() },
        atomic: Counted { ns: per_op(atomic_took), total: atomic.into_inner() },
    }
}
// ANCHOR_END: counters

/// Runs `work` on two threads at once and returns how long both took. The
/// scope joins them before it returns: it runs on a pool thread, never on
/// the main loop.
fn on_two_threads(work: impl Fn() + Sync) -> Duration {
    let started = Instant::now();
    std::thread::scope(|scope| {
        scope.spawn(&work);
        scope.spawn(&work);
    });
    started.elapsed()
}
