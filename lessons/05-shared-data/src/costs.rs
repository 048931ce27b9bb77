//! The large payload, and what each way of handing it to another thread costs: a move, a
//! `Clone`, an `Arc`, and the shared-and-mutable kinds (`Mutex`, `RwLock`, atomics).
//! Every measurement of the payload runs on a pool thread, never on the main loop.

use crate::threads::Pool;
use serde::Serialize;
use static_assertions::{assert_impl_all, assert_not_impl_any};
use std::ops::DerefMut;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::{Duration, Instant};

/// Samples in one row of the table.
pub const ROW_LEN: usize = 1024;
/// One row's share of the payload: 8 KiB.
pub const ROW_BYTES: usize = ROW_LEN * size_of::<f64>();
/// Round trips of each payload, to a pool thread and back; the report gives their median.
const ROUND_TRIPS: usize = 5;
/// Deep copies of the large payload; the report gives their median.
const CLONES: usize = 3;
/// `Arc::clone`s timed together: one is too quick for the clock.
const ARC_CLONES: u32 = 10_000;
/// Increments (or reads) per thread in the contention test of the shared counters.
const COUNTER_OPS: u64 = 200_000;

// ANCHOR: payload
/// The large result: a table of samples, as a worker returns it after loading a big file.
/// `Clone` is a deep copy, Python's `deepcopy`: every row is copied into a new buffer.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    rows: Vec<Vec<f64>>,
}

// The table crosses threads by value (a move) and behind an `Arc` (shared): checked here.
assert_impl_all!(Table: Send, Sync);
assert_impl_all!(Arc<Table>: Send, Sync);
// An `Arc` hands out `&Table` only, never `&mut Table`: what is shared is read-only.
assert_not_impl_any!(Arc<Table>: DerefMut);
// An `Rc` cannot cross at all: its count is not atomic (see the chapter on forbidden patterns).
assert_not_impl_any!(Rc<Table>: Send, Sync);
// ANCHOR_END: payload

impl Table {
    /// A table of about `bytes` bytes (whole rows, at least one).
    pub fn generate(bytes: usize) -> Self {
        let rows = bytes.div_ceil(ROW_BYTES).max(1);
        Self {
            rows: (0..rows)
                .map(|r| (0..ROW_LEN).map(|i| (r * ROW_LEN + i) as f64).collect())
                .collect(),
        }
    }

    pub fn rows(&self) -> usize {
        self.rows.len()
    }

    pub fn bytes(&self) -> usize {
        self.rows.iter().map(|row| row.len() * size_of::<f64>()).sum()
    }

    /// Where the table's rows live. Two tables at one address are one table, not two copies.
    pub fn address(&self) -> usize {
        self.rows.as_ptr() as usize
    }

    /// Whether any row of `other` is stored in the same memory as the same row of `self`.
    pub fn shares_rows_with(&self, other: &Self) -> bool {
        self.rows.iter().zip(&other.rows).any(|(a, b)| a.as_ptr() == b.as_ptr())
    }

    /// Reads every sample: a worker's use of a table it was lent.
    pub fn sum(&self) -> f64 {
        self.rows.iter().flatten().sum()
    }
}

/// What `Measure the costs` found. Times are medians of several tries, taken on pool threads.
#[derive(Debug, Clone, Serialize)]
pub struct CostFigures {
    /// The payload's size: 10 MB for each second of `--work-ms` (50 MB by default), in whole
    /// rows of 8 KiB.
    pub payload_bytes: usize,
    /// Its rows, each a `Vec<f64>` of its own: a clone allocates and copies every one.
    pub payload_rows: usize,
    /// What moves through the channel when the whole table moves: the outer `Vec`'s pointer,
    /// length and capacity, whatever the payload's size.
    pub moved_bytes: usize,
    /// From handing the table to a pool job to the job's handing it back arriving on the main
    /// loop: two moves and two thread hops.
    pub move_round_trip_ms: f64,
    /// The same round trip with a table of one row (8 KiB).
    pub move_round_trip_small_ms: f64,
    /// After every round trip the rows were at the address they started from: nothing was
    /// copied.
    pub moved_without_copy: bool,
    /// From a pool job sending the large table to the main loop receiving it, over the
    /// worker's `async_channel`.
    pub send_to_ui_ms: f64,
    /// The same for the one-row table.
    pub send_to_ui_small_ms: f64,
    /// `table.clone()` of the large table, on a pool thread.
    pub clone_ms: f64,
    /// The same for the one-row table.
    pub clone_small_ms: f64,
    /// Dropping the large copy, on the same pool thread.
    pub clone_drop_ms: f64,
    /// The copy's rows live in new buffers: no row is shared with the original.
    pub clone_is_deep: bool,
    /// `Arc::new(table)`: the table moves into the `Arc`'s allocation, rows untouched.
    pub arc_new_us: f64,
    /// One `Arc::clone` of the shared table, on the main loop: an atomic increment.
    pub arc_clone_ns: f64,
    /// A pool job given an `Arc` clone read the very rows the main loop holds.
    pub arc_worker_read_same_rows: bool,
    /// `Arc::get_mut` while a clone existed (it gives `None`: no mutation while shared).
    pub arc_mutable_while_shared: bool,
    /// `Arc::get_mut` once the job had dropped its clone (`Some`: the last owner may mutate).
    pub arc_mutable_when_unique: bool,
    /// One increment of an `Arc<Mutex<u64>>`, two threads contending: lock, add, unlock.
    pub mutex_increment_ns: f64,
    /// One read of an `Arc<RwLock<u64>>`, two threads reading at once.
    pub rwlock_read_ns: f64,
    /// One `fetch_add` on an `AtomicU64`, two threads contending.
    pub atomic_increment_ns: f64,
    /// Both counters ended at exactly twice the increments per thread: no update was lost.
    pub no_lost_updates: bool,
    /// Dropping the large table at the end, on a pool thread rather than the main loop.
    pub drop_on_worker_ms: f64,
}

/// What the window shows while the measurement goes on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    Move,
    Clone,
    Arc,
    Locked,
}

/// Measures every way of handing over a table of about `bytes` bytes, calling `show` as each
/// figure comes in. The main loop only sends, receives, and clones the `Arc`.
pub async fn measure(
    pool: &Pool,
    bytes: usize,
    show: impl Fn(Way, String),
) -> Result<CostFigures, String> {
    // ANCHOR: measure_move
    // A pool job builds the table and sends it to the main loop: the first move.
    let built = pool
        .run(move || {
            let table = Table::generate(bytes);
            (table, Instant::now())
        })
        .await?;
    let (table, sent) = built.value;
    let first_send = built.arrived - sent;
    let (payload_bytes, payload_rows) = (table.bytes(), table.rows());

    // Then to a pool thread and back, a few times; and the same with a table of one row.
    let big = round_trips_of(pool, table).await?;
    let small = round_trips_of(pool, Table::generate(ROW_BYTES)).await?;
    // ANCHOR_END: measure_move
    show(
        Way::Move,
        format!(
            "there and back: {} for {} MB, {} for 8 KiB; {} bytes travel",
            human(median(&big.took)),
            payload_bytes / 1_000_000,
            human(median(&small.took)),
            size_of::<Table>()
        ),
    );

    // ANCHOR: measure_clone
    // Deep copies, on a pool thread, of the large table and of a small one.
    let (table, clones) = clones_of(pool, big.table).await?;
    let (_, small_clones) = clones_of(pool, small.table).await?;
    // ANCHOR_END: measure_clone
    show(
        Way::Clone,
        format!(
            "{} for {} MB, {} for 8 KiB: it grows with the data",
            human(median(&clones.took)),
            payload_bytes / 1_000_000,
            human(median(&small_clones.took))
        ),
    );

    // ANCHOR: measure_arc
    // Shared and read-only: the table moves into an Arc, which the main loop clones.
    let started = Instant::now();
    let mut shared = Arc::new(table);
    let arc_new = started.elapsed();
    let arc_clone_ns = time_arc_clones(&shared);
    // A pool job reads the table through a clone of its own.
    let for_job = Arc::clone(&shared);
    let arc_mutable_while_shared = Arc::get_mut(&mut shared).is_some();
    let read = pool.run(move || (for_job.address(), for_job.sum())).await?;
    let arc_worker_read_same_rows = read.value.0 == shared.address();
    // The job's clone was dropped when the job returned: the main loop's is the only one left,
    // so the table can come back out of the Arc, without a copy.
    let arc_mutable_when_unique = Arc::get_mut(&mut shared).is_some();
    let table = Arc::try_unwrap(shared).map_err(|_| "the table is still shared")?;
    // ANCHOR_END: measure_arc
    show(Way::Arc, format!("Arc::clone: {arc_clone_ns:.0} ns; the job read the very same rows"));

    // Shared and mutable: the counters, contended by two threads.
    let counters = pool.run(|| contended_counters(COUNTER_OPS)).await?.value;
    show(
        Way::Locked,
        format!(
            "Mutex {:.0} ns, RwLock read {:.0} ns, atomic {:.0} ns, with two threads at it",
            counters.mutex_ns, counters.rwlock_ns, counters.atomic_ns
        ),
    );

    // ANCHOR: drop_on_worker
    // Freeing 50 MB is work too: a pool thread does it.
    let dropped = pool
        .run(move || {
            let started = Instant::now();
            drop(table);
            started.elapsed()
        })
        .await?;
    // ANCHOR_END: drop_on_worker

    let send_to_ui: Vec<Duration> = std::iter::once(first_send).chain(big.sends).collect();
    Ok(CostFigures {
        payload_bytes,
        payload_rows,
        moved_bytes: size_of::<Table>(),
        move_round_trip_ms: ms(median(&big.took)),
        move_round_trip_small_ms: ms(median(&small.took)),
        moved_without_copy: big.in_place && small.in_place,
        send_to_ui_ms: ms(median(&send_to_ui)),
        send_to_ui_small_ms: ms(median(&small.sends)),
        clone_ms: ms(median(&clones.took)),
        clone_small_ms: ms(median(&small_clones.took)),
        clone_drop_ms: ms(median(&clones.dropped)),
        clone_is_deep: clones.deep && small_clones.deep,
        arc_new_us: round1(arc_new.as_secs_f64() * 1e6),
        arc_clone_ns,
        arc_worker_read_same_rows,
        arc_mutable_while_shared,
        arc_mutable_when_unique,
        mutex_increment_ns: counters.mutex_ns,
        rwlock_read_ns: counters.rwlock_ns,
        atomic_increment_ns: counters.atomic_ns,
        no_lost_updates: counters.exact,
        drop_on_worker_ms: ms(dropped.value),
    })
}

/// A table's round trips to a pool thread and back.
struct Trips {
    /// The table, back home.
    table: Table,
    /// From handing it to the job to its return arriving on the main loop.
    took: Vec<Duration>,
    /// From the job's sending it back to its arrival.
    sends: Vec<Duration>,
    /// Its rows never left the address they started at.
    in_place: bool,
}

// ANCHOR: round_trips
/// Hands `table` to a pool job, which hands it straight back, a few times over.
async fn round_trips_of(pool: &Pool, mut table: Table) -> Result<Trips, String> {
    let address = table.address();
    let (mut took, mut sends, mut in_place) = (Vec::new(), Vec::new(), true);
    for _ in 0..ROUND_TRIPS {
        let handed = Instant::now();
        // `move`: the closure owns the table, and the job's return value owns it again.
        let back = pool.run(move || (table, Instant::now())).await?;
        let sent;
        (table, sent) = back.value;
        took.push(back.arrived - handed);
        sends.push(back.arrived - sent);
        in_place &= table.address() == address;
    }
    Ok(Trips { table, took, sends, in_place })
}
// ANCHOR_END: round_trips

/// How long a few deep copies took, and their drops.
struct Clones {
    took: Vec<Duration>,
    dropped: Vec<Duration>,
    /// No copy shared a row with the original.
    deep: bool,
}

// ANCHOR: clones_of
/// Deep copies of `table`, each made and dropped on a pool thread.
async fn clones_of(pool: &Pool, mut table: Table) -> Result<(Table, Clones), String> {
    let mut clones = Clones { took: Vec::new(), dropped: Vec::new(), deep: true };
    for _ in 0..CLONES {
        let back = pool
            .run(move || {
                let started = Instant::now();
                let copy = table.clone();
                let cloned = started.elapsed();
                let deep = !copy.shares_rows_with(&table);
                let started = Instant::now();
                drop(copy);
                (table, cloned, started.elapsed(), deep)
            })
            .await?;
        let (cloned, dropped, deep);
        (table, cloned, dropped, deep) = back.value;
        clones.took.push(cloned);
        clones.dropped.push(dropped);
        clones.deep &= deep;
    }
    Ok((table, clones))
}
// ANCHOR_END: clones_of

/// The mean time of one `Arc::clone` in nanoseconds, over many kept alive at once so that none
/// is dropped inside the timing.
fn time_arc_clones(shared: &Arc<Table>) -> f64 {
    let mut clones = Vec::with_capacity(ARC_CLONES as usize);
    let started = Instant::now();
    for _ in 0..ARC_CLONES {
        clones.push(Arc::clone(shared));
    }
    let took = started.elapsed();
    std::hint::black_box(&clones);
    round1(took.as_secs_f64() * 1e9 / f64::from(ARC_CLONES))
}

struct Counters {
    mutex_ns: f64,
    rwlock_ns: f64,
    atomic_ns: f64,
    exact: bool,
}

// ANCHOR: counters
/// Two threads hammer one counter of each kind: the cost of sharing mutable data.
fn contended_counters(ops: u64) -> Counters {
    let total = 2 * ops;
    let mutex = Arc::new(Mutex::new(0_u64));
    let mutex_took = on_two_threads(|| {
        for _ in 0..ops {
            *mutex.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        }
    });
    let rwlock = Arc::new(RwLock::new(1_u64));
    let rwlock_took = on_two_threads(|| {
        let mut seen = 0;
        for _ in 0..ops {
            seen += *rwlock.read().unwrap_or_else(PoisonError::into_inner);
        }
        std::hint::black_box(seen);
    });
    let atomic = Arc::new(AtomicU64::new(0));
    let atomic_took = on_two_threads(|| {
        for _ in 0..ops {
            atomic.fetch_add(1, Ordering::Relaxed);
        }
    });
    let per_op = |took: Duration| round1(took.as_secs_f64() * 1e9 / total as f64);
    Counters {
        mutex_ns: per_op(mutex_took),
        rwlock_ns: per_op(rwlock_took),
        atomic_ns: per_op(atomic_took),
        exact: *mutex.lock().unwrap_or_else(PoisonError::into_inner) == total
            && atomic.load(Ordering::Relaxed) == total,
    }
}
// ANCHOR_END: counters

/// Runs `work` on two threads at once and returns how long both took. The scope joins them
/// before returning: it is called on a pool thread, never on the main loop.
fn on_two_threads(work: impl Fn() + Sync) -> Duration {
    let started = Instant::now();
    std::thread::scope(|scope| {
        scope.spawn(&work);
        scope.spawn(&work);
    });
    started.elapsed()
}

fn median(durations: &[Duration]) -> Duration {
    let mut sorted = durations.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}

/// A short time, in the unit that reads best.
fn human(duration: Duration) -> String {
    if duration < Duration::from_micros(10) {
        format!("{:.1} µs", duration.as_secs_f64() * 1e6)
    } else if duration < Duration::from_millis(1) {
        format!("{} µs", duration.as_micros())
    } else {
        format!("{:.1} ms", duration.as_secs_f64() * 1000.0)
    }
}

fn ms(duration: Duration) -> f64 {
    lesson_kit::ms(duration)
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_has_whole_rows_of_8_kib() {
        let table = Table::generate(3 * ROW_BYTES + 1);
        assert_eq!(table.rows(), 4);
        assert_eq!(table.bytes(), 4 * ROW_BYTES);
        assert_eq!(Table::generate(0).rows(), 1);
    }

    #[test]
    fn a_move_keeps_the_rows_where_they_were() {
        let table = Table::generate(10 * ROW_BYTES);
        let address = table.address();
        let moved = std::thread::spawn(move || table);
        #[expect(clippy::disallowed_methods, reason = "a unit test, not the main loop")]
        let back = moved.join().unwrap();
        assert_eq!(back.address(), address);
    }

    #[test]
    fn a_clone_is_equal_but_shares_no_row() {
        let table = Table::generate(10 * ROW_BYTES);
        let copy = table.clone();
        assert_eq!(copy, table);
        assert!(!copy.shares_rows_with(&table));
        assert_ne!(copy.address(), table.address());
    }

    #[test]
    fn contended_counters_lose_no_update() {
        assert!(contended_counters(10_000).exact);
    }
}
