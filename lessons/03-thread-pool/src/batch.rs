//! A CPU-bound batch, split into pieces and run with the plain worker on a
//! pool of its own: what a pool buys when the work is computing, not
//! waiting. `bench.rs` runs it in several ways and shows the outcome.

use crate::plain_worker::{Signal, run_on_pool};
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The batch is cut into this many pieces, more than any core count here,
/// so that every thread stays busy until the end.
pub const PIECES: u64 = 16;

/// The nice value a batch at lower priority takes: 0 is the default, 19 the
/// lowest priority. While threads compete for a core, one at nice 10 gets
/// about a tenth of the share of one at nice 0; a core nobody else wants it
/// gets whole.
pub const NICE: i32 = 10;

// ANCHOR: crunch
/// Deterministic busywork (a xorshift generator, stepped `rounds` times):
/// the same answer for the same input on any thread, so a batch's result can
/// be checked.
pub fn crunch(seed: u64, rounds: u64) -> u64 {
    let mut state = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for _ in 0..rounds {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
    }
    std::hint::black_box(state)
}
// ANCHOR_END: crunch

/// One finished batch, as the window shows it.
pub struct BatchRun {
    pub wall: Duration,
    /// CPU time the pieces took, all threads together. More than `wall` is
    /// only possible if pieces ran at the same time on different cores.
    pub cpu: Duration,
    /// The pieces' results combined: equal for every run of the same batch.
    pub checksum: u64,
}

/// What a piece sends back besides its value: the CPU time its thread spent
/// on it.
struct Piece<T> {
    value: T,
    cpu: Duration,
}

// ANCHOR: batch
/// One batch: a pool of its own, and a switch that its pieces look at
/// before they start.
pub struct Batch {
    threads: u32,
    /// The nice value its threads take, if lower than the window's.
    nice: Option<i32>,
    pool: RefCell<Option<glib::ThreadPool>>,
    stopped: Arc<AtomicBool>,
    /// Cloned into every piece and never sent on: the channel disconnects
    /// once the last piece has returned, and that is what `stop` waits for.
    alive: RefCell<Option<mpsc::Sender<()>>>,
    all_done: mpsc::Receiver<()>,
}
// ANCHOR_END: batch

impl Batch {
    // ANCHOR: new
    pub fn new(threads: u32, nice: Option<i32>) -> Result<Self, String> {
        // A thread whose pool is freed may wait for the next pool, and a new
        // pool takes such a thread before it starts one of its own. A thread
        // at nice 10 cannot go back to nice 0, so none may wait: every batch
        // starts new threads, at the priority of the thread that creates the
        // pool. The setting is glib's, for the whole process.
        glib::ThreadPool::set_max_unused_threads(Some(0));
        let pool =
            glib::ThreadPool::exclusive(threads).map_err(|e| e.to_string())?;
        let (alive, all_done) = mpsc::channel();
        Ok(Self {
            threads,
            nice,
            pool: RefCell::new(Some(pool)),
            stopped: Arc::default(),
            alive: RefCell::new(Some(alive)),
            all_done,
        })
    }
    // ANCHOR_END: new

    pub fn threads(&self) -> u32 {
        self.threads
    }

    pub fn nice(&self) -> Option<i32> {
        self.nice
    }

    // ANCHOR: run_pieces
    /// Runs `pieces` on the pool and waits for every one of them without
    /// blocking the main loop: each piece's signals are awaited. A failed
    /// piece fails the batch.
    pub async fn run_pieces<F>(
        &self,
        pieces: Vec<F>,
    ) -> Result<BatchRun, String>
    where
        F: FnOnce() -> u64 + Send + 'static,
    {
        let started = Instant::now();
        let mut queued = Vec::new();
        for piece in pieces {
            let pool = self.pool.borrow();
            let pool = pool.as_ref().ok_or("the batch was stopped")?;
            let piece = self.guard(piece)?;
            queued.push(run_on_pool(pool, piece).map_err(|e| e.to_string())?);
        }
        let (mut checksum, mut cpu) = (0u64, Duration::ZERO);
        let (mut failure, mut skipped) = (None, false);
        for signals in queued {
            while let Ok(signal) = signals.recv().await {
                match signal {
                    Signal::Result(Some(piece)) => {
                        checksum = checksum.wrapping_add(piece.value);
                        cpu += piece.cpu;
                    }
                    Signal::Result(None) => skipped = true,
                    // The batch has failed: the pieces not started yet never
                    // will. The running ones cannot be interrupted, so the
                    // loop goes on to await their Finished: returning now
                    // would drop the pool, which waits for them, on the
                    // main loop.
                    Signal::Error(message) => {
                        self.halt();
                        failure.get_or_insert(message);
                    }
                    Signal::Finished => break,
                }
            }
        }
        let wall = started.elapsed();
        // Every piece has sent its Finished, its last act: dropping the pool
        // waits for no work.
        drop(self.pool.borrow_mut().take());
        match (failure, skipped) {
            (Some(message), _) => Err(message),
            (None, true) => Err("the batch was stopped".to_owned()),
            (None, false) => Ok(BatchRun { wall, cpu, checksum }),
        }
    }
    // ANCHOR_END: run_pieces

    // ANCHOR: stop
    /// The pieces that have not started never will; the running ones go on
    /// to their end.
    pub fn halt(&self) {
        self.stopped.store(true, Ordering::Release);
    }

    /// For the window's shutdown: halts the batch, waits up to `patience`
    /// for the running pieces, each of which ends within one piece's time,
    /// then drops the pool, which by then has no work to wait for. A piece
    /// still running after `patience` keeps the pool, left to the end of the
    /// process rather than waited for, and the error says so.
    pub fn stop(&self, patience: Duration) -> Result<(), String> {
        self.halt();
        let Some(pool) = self.pool.borrow_mut().take() else { return Ok(()) };
        drop(self.alive.take());
        #[expect(
            clippy::disallowed_methods,
            reason = "the window is closing: shutdown's wait for the running \
                      pieces, bounded by `patience`, which each of them ends \
                      within one piece's time"
        )]
        let waited = self.all_done.recv_timeout(patience);
        match waited {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // Dropping the pool now would block until the piece returns.
                std::mem::forget(pool);
                Err(format!("a batch piece still ran after {patience:?}"))
            }
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                drop(pool);
                Ok(())
            }
        }
    }
    // ANCHOR_END: stop

    // ANCHOR: guard
    /// Wraps `piece` for this batch: it holds a sender of `alive` until it
    /// returns, does not start once the batch is stopped (`None`), runs at
    /// the batch's priority, and tells the CPU time it took.
    fn guard<T>(
        &self,
        piece: impl FnOnce() -> T + Send + 'static,
    ) -> Result<impl FnOnce() -> Option<Piece<T>> + Send + 'static, String>
    {
        let alive =
            self.alive.borrow().clone().ok_or("the batch was stopped")?;
        let (stopped, nice) = (self.stopped.clone(), self.nice);
        Ok(move || {
            let _alive = alive;
            if stopped.load(Ordering::Acquire) {
                return None;
            }
            if let Some(nice) = nice {
                lower_priority(nice);
            }
            let before = thread_cpu_time();
            let value = piece();
            let cpu = thread_cpu_time().saturating_sub(before);
            Some(Piece { value, cpu })
        })
    }
    // ANCHOR_END: guard
}

impl Drop for Batch {
    /// A batch dropped before its end (its future was dropped) stops its
    /// queued pieces, so that dropping the pool waits only for the running
    /// ones, not for the whole batch.
    fn drop(&mut self) {
        self.halt();
    }
}

/// The batch of `PIECES` pieces of `crunch`, `rounds_per_piece` rounds each.
pub async fn run(
    batch: &Batch,
    rounds_per_piece: u64,
) -> Result<BatchRun, String> {
    let pieces = (0..PIECES)
        .map(|piece| move || crunch(piece, rounds_per_piece))
        .collect();
    batch.run_pieces(pieces).await
}

// ANCHOR: calibrate
/// How many rounds of `crunch` one thread does per millisecond, measured on
/// the batch's pool (never on the main loop) so that the batch can be sized
/// to the requested work on any machine and build. One job, one answer:
/// `ThreadPool::push_future` returns a future of the job's value, or of its
/// panic, which the main loop awaits.
pub async fn rounds_per_ms(batch: &Batch) -> Result<f64, String> {
    const SAMPLE: u64 = 2_000_000;
    let timed = batch.guard(|| {
        let started = Instant::now();
        crunch(1, SAMPLE);
        started.elapsed()
    })?;
    let answer = {
        let pool = batch.pool.borrow();
        let pool = pool.as_ref().ok_or("the batch was stopped")?;
        pool.push_future(timed).map_err(|e| e.to_string())?
    };
    match answer.await {
        Ok(Some(took)) => {
            let seconds = took.value.as_secs_f64().max(1e-6);
            Ok(SAMPLE as f64 / seconds / 1000.0)
        }
        Ok(None) => Err("the batch was stopped".to_owned()),
        Err(_panic) => Err("the calibration panicked".to_owned()),
    }
}
// ANCHOR_END: calibrate

// ANCHOR: priority
/// Lowers the calling thread's priority to `nice`, unless it is lower
/// already (the lesson may have been started with `nice`). On Linux the nice
/// value belongs to each thread, and `setpriority` given a thread's id
/// changes that thread only: the window's thread keeps its own.
fn lower_priority(nice: i32) {
    let me = rustix::thread::gettid();
    let now = rustix::process::getpriority_process(Some(me));
    if now.is_ok_and(|now| now < nice) {
        // If the system refuses, the piece runs at the normal priority: the
        // same result, only less polite.
        let _ = rustix::process::setpriority_process(Some(me), nice);
    }
}
// ANCHOR_END: priority

/// The CPU time the calling thread has used so far.
fn thread_cpu_time() -> Duration {
    let clock = rustix::time::ClockId::ThreadCPUTime;
    Duration::try_from(rustix::time::clock_gettime(clock)).unwrap_or_default()
}
