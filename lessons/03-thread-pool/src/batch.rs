//! A CPU-bound batch, split into pieces and run with the plain worker on a pool of one thread and
//! on a pool of one thread per core: what a pool buys when the work is computing, not waiting.

use crate::plain_worker::{Signal, run_on_pool};
use std::time::{Duration, Instant};

/// The batch is cut into this many pieces, more than any core count here, so that every thread
/// stays busy until the end.
pub const PIECES: u64 = 16;

// ANCHOR: crunch
/// Deterministic busywork (a xorshift generator, stepped `rounds` times): the same answer for
/// the same input on any thread, so a batch's result can be checked.
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

pub struct BatchRun {
    pub wall: Duration,
    /// The pieces' results combined: equal for every run of the same batch.
    pub checksum: u64,
}

// ANCHOR: batch
/// Runs the batch on a pool of `threads` threads and waits for every piece, without blocking
/// the main loop: each piece's signals are awaited.
pub async fn run(threads: u32, rounds_per_piece: u64) -> Result<BatchRun, String> {
    let pool = glib::ThreadPool::exclusive(threads).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let mut pieces = Vec::new();
    for piece in 0..PIECES {
        let job = move || crunch(piece, rounds_per_piece);
        pieces.push(run_on_pool(&pool, job).map_err(|e| e.to_string())?);
    }
    let mut checksum = 0u64;
    for signals in pieces {
        while let Ok(signal) = signals.recv().await {
            match signal {
                Signal::Result(value) => checksum = checksum.wrapping_add(value),
                Signal::Error(message) => return Err(message),
                Signal::Finished => break,
            }
        }
    }
    Ok(BatchRun { wall: started.elapsed(), checksum })
    // `pool` drops here; every piece has finished, so the drop joins idle threads at once.
}
// ANCHOR_END: batch

/// How many rounds of `crunch` one thread does per millisecond, measured on a pool (never on the
/// main loop) so that the batch can be sized to the requested work on any machine and build.
pub async fn rounds_per_ms() -> Result<f64, String> {
    const SAMPLE: u64 = 2_000_000;
    let run = run_single(SAMPLE).await?;
    Ok(SAMPLE as f64 / run.as_secs_f64().max(1e-6) / 1000.0)
}

async fn run_single(rounds: u64) -> Result<Duration, String> {
    let pool = glib::ThreadPool::exclusive(1).map_err(|e| e.to_string())?;
    let started = Instant::now();
    let signals = run_on_pool(&pool, move || crunch(1, rounds)).map_err(|e| e.to_string())?;
    while let Ok(signal) = signals.recv().await {
        if let Signal::Error(message) = signal {
            return Err(message);
        }
    }
    Ok(started.elapsed())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crunch_is_deterministic_and_depends_on_its_input() {
        assert_eq!(crunch(3, 1000), crunch(3, 1000));
        assert_ne!(crunch(3, 1000), crunch(4, 1000));
        assert_ne!(crunch(3, 1000), crunch(3, 1001));
    }
}
