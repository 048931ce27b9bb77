//! What each way of handing the table to another thread costs: a move, a
//! `Clone`, an `Arc`, each with the large table and with a table of one row.
//! Every copy and every drop of a table runs on a pool thread, never on the
//! main loop: the main loop only sends, receives, and clones the `Arc`.

use crate::table::{ROW_BYTES, Table};
use std::cell::RefCell;
use std::sync::Arc;
use std::time::{Duration, Instant};

/// Round trips of each table to a pool thread and back; the window shows
/// their median.
const ROUND_TRIPS: usize = 5;
/// Deep copies of each table; the window shows their median.
const CLONES: usize = 3;
/// `Arc::clone`s timed together: one is too quick for the clock.
const ARC_CLONES: u32 = 10_000;

/// The lesson's pool: one thread, freed at shutdown, and `None` from then
/// on.
pub type Pool = RefCell<Option<glib::ThreadPool>>;

/// A figure for the large table and for the table of one row.
#[derive(Debug, Clone, Copy)]
pub struct Pair<T> {
    pub large: T,
    pub small: T,
}

/// What Measure the costs found: the window shows all of it.
#[derive(Debug, Clone)]
pub struct Figures {
    pub bytes: Pair<usize>,
    pub rows: Pair<usize>,
    /// What travels when a table moves: the outer `Vec`'s pointer, length
    /// and capacity.
    pub moved_bytes: usize,
    /// From handing the table to a pool job to its coming back on the main
    /// loop: two moves, two thread hops.
    pub round_trip: Pair<Duration>,
    /// The rows never left the memory they started in.
    pub in_place: bool,
    /// From a pool job's send to the main loop's receiving the table.
    pub to_window: Pair<Duration>,
    pub clone: Pair<Duration>,
    /// No copy shared a row with its original.
    pub deep: bool,
    pub drop: Pair<Duration>,
    /// One `Arc::clone`, in nanoseconds.
    pub arc_clone_ns: Pair<f64>,
    /// A pool job's `Arc` clone led to the very rows the main loop holds.
    pub same_rows: bool,
    /// Whether `Arc::get_mut` gave a `&mut` while a clone existed, and
    /// once none did.
    pub mutable_while_shared: Pair<bool>,
    pub mutable_when_unique: Pair<bool>,
}

// ANCHOR: on_pool
/// Runs `job` on a pool thread and returns, on the main loop, what it
/// returned. The job, what it captures and what it returns cross threads:
/// all must be `Send`, and the compiler checks it.
async fn on_pool<T: Send + 'static>(
    pool: &Pool,
    job: impl FnOnce() -> T + Send + 'static,
) -> Result<T, String> {
    let queued = match &*pool.borrow() {
        Some(pool) => pool.push_future(job).map_err(|e| e.to_string())?,
        None => return Err("the lesson is shutting down".into()),
    };
    queued.await.map_err(|_| "a pool job panicked".to_owned())
}
// ANCHOR_END: on_pool

/// Measures every way of handing over a table of about `bytes` bytes, and
/// one of a single row.
pub async fn measure(pool: &Pool, bytes: usize) -> Result<Figures, String> {
    let large = handle(pool, bytes).await?;
    let small = handle(pool, ROW_BYTES).await?;
    let pair = |f: fn(&Handled) -> Duration| Pair {
        large: f(&large),
        small: f(&small),
    };
    Ok(Figures {
        bytes: Pair { large: large.bytes, small: small.bytes },
        rows: Pair { large: large.rows, small: small.rows },
        moved_bytes: size_of::<Table>(),
        round_trip: pair(|h| median(&h.round_trips)),
        in_place: large.in_place && small.in_place,
        to_window: pair(|h| median(&h.sends)),
        clone: pair(|h| median(&h.clones)),
        deep: large.deep && small.deep,
        drop: pair(|h| h.dropped),
        arc_clone_ns: Pair {
            large: large.arc.clone_ns,
            small: small.arc.clone_ns,
        },
        same_rows: large.arc.same_rows && small.arc.same_rows,
        mutable_while_shared: Pair {
            large: large.arc.mutable_while_shared,
            small: small.arc.mutable_while_shared,
        },
        mutable_when_unique: Pair {
            large: large.arc.mutable_when_unique,
            small: small.arc.mutable_when_unique,
        },
    })
}

/// One table handed over every way.
struct Handled {
    bytes: usize,
    rows: usize,
    round_trips: Vec<Duration>,
    sends: Vec<Duration>,
    in_place: bool,
    clones: Vec<Duration>,
    deep: bool,
    arc: Shared,
    dropped: Duration,
}

async fn handle(pool: &Pool, bytes: usize) -> Result<Handled, String> {
    let trips = round_trips(pool, bytes).await?;
    let (bytes, rows) = (trips.table.bytes(), trips.table.rows());
    let (table, clones, deep) = clones_of(pool, trips.table).await?;
    let (table, arc) = share(pool, table).await?;
    let dropped = drop_on_pool(pool, table).await?;
    Ok(Handled {
        bytes,
        rows,
        round_trips: trips.took,
        sends: trips.sends,
        in_place: trips.in_place,
        clones,
        deep,
        arc,
        dropped,
    })
}

/// A table's round trips to a pool thread and back.
struct Trips {
    /// The table, back home.
    table: Table,
    /// From handing it to a job to its coming back on the main loop.
    took: Vec<Duration>,
    /// From a job's sending it to its arrival on the main loop.
    sends: Vec<Duration>,
    /// Its rows never left the memory they started in.
    in_place: bool,
}

// ANCHOR: round_trips
/// A pool job builds a table of about `bytes` bytes; then the table goes
/// to a pool job and straight back, a few times, by move.
async fn round_trips(pool: &Pool, bytes: usize) -> Result<Trips, String> {
    let job = move || (Table::generate(bytes), Instant::now());
    let (mut table, sent) = on_pool(pool, job).await?;
    let mut sends = vec![sent.elapsed()];
    let (address, mut took) = (table.address(), Vec::new());
    for _ in 0..ROUND_TRIPS {
        let handed = Instant::now();
        // The closure owns the table, then its return value does.
        let job = move || (table, Instant::now());
        let sent;
        (table, sent) = on_pool(pool, job).await?;
        sends.push(sent.elapsed());
        took.push(handed.elapsed());
    }
    let in_place = table.address() == address;
    Ok(Trips { table, took, sends, in_place })
}
// ANCHOR_END: round_trips

// ANCHOR: drop_on_pool
/// Freeing a table is work too: a pool thread does it.
async fn drop_on_pool(pool: &Pool, table: Table) -> Result<Duration, String> {
    let job = move || {
        let started = Instant::now();
        drop(table);
        started.elapsed()
    };
    on_pool(pool, job).await
}
// ANCHOR_END: drop_on_pool

// ANCHOR: clones_of
/// Deep copies of `table`, each made and dropped on a pool thread. The
/// table goes there and back each time, by move.
async fn clones_of(
    pool: &Pool,
    mut table: Table,
) -> Result<(Table, Vec<Duration>, bool), String> {
    let (mut took, mut deep) = (Vec::new(), true);
    for _ in 0..CLONES {
        let job = move || {
            let started = Instant::now();
            let copy = table.clone();
            let cloned = started.elapsed();
            let shares = copy.shares_rows_with(&table);
            (table, cloned, !shares)
        };
        let (cloned, copy_is_deep);
        (table, cloned, copy_is_deep) = on_pool(pool, job).await?;
        took.push(cloned);
        deep &= copy_is_deep;
    }
    Ok((table, took, deep))
}
// ANCHOR_END: clones_of

/// What sharing a table behind an `Arc` showed.
struct Shared {
    clone_ns: f64,
    same_rows: bool,
    mutable_while_shared: bool,
    mutable_when_unique: bool,
}

// ANCHOR: share
/// Shares `table` with a pool job behind an `Arc`, then takes it back.
async fn share(pool: &Pool, table: Table) -> Result<(Table, Shared), String> {
    // The table moves into the Arc; its rows stay where they are.
    let mut shared = Arc::new(table);
    let clone_ns = time_arc_clones(&shared);
    // A pool job reads the table through a clone of its own.
    let for_job = Arc::clone(&shared);
    let mutable_while_shared = Arc::get_mut(&mut shared).is_some();
    let job = move || (for_job.address(), for_job.sum());
    let (address, _) = on_pool(pool, job).await?;
    let same_rows = address == shared.address();
    // The job's clone went with the job: the main loop's is the last one,
    // so the table comes back out of the Arc, without a copy.
    let mutable_when_unique = Arc::get_mut(&mut shared).is_some();
    let table = Arc::try_unwrap(shared).map_err(|_| "still shared")?;
    let found = Shared {
        clone_ns,
        same_rows,
        mutable_while_shared,
        mutable_when_unique,
    };
    Ok((table, found))
}
// ANCHOR_END: share

/// The mean time of one `Arc::clone` in nanoseconds, over many kept alive
/// at once so that none is dropped inside the timing.
fn time_arc_clones(shared: &Arc<Table>) -> f64 {
    let mut clones = Vec::with_capacity(ARC_CLONES as usize);
    let started = Instant::now();
    for _ in 0..ARC_CLONES {
        clones.push(Arc::clone(shared));
    }
    let took = started.elapsed();
    std::hint::black_box(&clones);
    took.as_secs_f64() * 1e9 / f64::from(ARC_CLONES)
}

fn median(durations: &[Duration]) -> Duration {
    let mut sorted = durations.to_vec();
    sorted.sort_unstable();
    sorted.get(sorted.len() / 2).copied().unwrap_or_default()
}
