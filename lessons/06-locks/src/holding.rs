//! Hold a lock only for the data. A worker keeps a model up to date, and
//! the window reads the model every frame. A worker that computes while it
//! holds the model's lock keeps the window out for the whole computation:
//! with `try_lock` the window finds it locked, with `lock()` the window
//! waits, and so does everything else on the main loop. A worker that
//! copies its input out under the lock and computes without it holds the
//! lock for microseconds.

use crate::threads::{Named, spawn_named};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::{Duration, Instant};

/// One computation.
pub const COMPUTE: Duration = Duration::from_millis(300);
/// Between two rounds the worker waits for new input, without the lock.
pub const PAUSE: Duration = Duration::from_millis(60);
/// Samples in the model.
const SAMPLES: usize = 10_000;
/// The worker's thread name.
pub const THREAD_NAME: &str = "model-worker";
/// What the window shows while `try_lock` finds the model locked.
pub const LOCKED: &str = "locked by the worker";

/// How the worker computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Worker {
    /// Locks the model, computes from it, stores the result, unlocks.
    ComputeUnderLock,
    /// Copies the input under the lock, computes without it, then locks
    /// again to store the result.
    CopyThenCompute,
}

/// How the window reads the model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reader {
    /// `try_lock`: never waits; finds the model locked instead.
    TryLock,
    /// `lock()`: waits for the worker, on the main loop.
    Lock,
}

/// What the worker and the window share.
pub struct Model {
    samples: Vec<f64>,
    /// The last round computed, and its result.
    round: u32,
    mean: f64,
}

impl Model {
    pub fn new() -> Self {
        Self { samples: vec![0.0; SAMPLES], round: 0, mean: 0.0 }
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Starts the worker: `rounds` rounds, computed as `how` says.
pub fn spawn(
    how: Worker,
    rounds: u32,
    model: Arc<Mutex<Model>>,
    stop: Arc<AtomicBool>,
) -> std::io::Result<Named> {
    spawn_named(THREAD_NAME, move || {
        for round in 1..=rounds {
            if wait(PAUSE, &stop).is_none() {
                return;
            }
            // New input arrives: written under the lock, briefly.
            let input = (round as usize..).map(|i| (i % 7) as f64);
            for (sample, new) in lock(&model).samples.iter_mut().zip(input) {
                *sample = new;
            }
            let computed = match how {
                Worker::ComputeUnderLock => {
                    compute_under_lock(&model, round, &stop)
                }
                Worker::CopyThenCompute => {
                    copy_then_compute(&model, round, &stop)
                }
            };
            if computed.is_none() {
                return;
            }
        }
    })
}

// ANCHOR: rounds
/// The mistake: the lock is held for the whole computation.
fn compute_under_lock(
    model: &Mutex<Model>,
    round: u32,
    stop: &AtomicBool,
) -> Option<()> {
    let mut model = lock(model);
    model.mean = compute(&model.samples, stop)?;
    model.round = round;
    Some(())
}

/// The lock only for the data: a copy out, then the result in.
fn copy_then_compute(
    model: &Mutex<Model>,
    round: u32,
    stop: &AtomicBool,
) -> Option<()> {
    let samples = lock(model).samples.clone();
    let mean = compute(&samples, stop)?;
    let mut model = lock(model);
    (model.mean, model.round) = (mean, round);
    Some(())
}
// ANCHOR_END: rounds

/// The slow computation: `COMPUTE` of work (a sleep stands for it, as in
/// lesson 01), then the mean. `None`: told to stop meanwhile.
fn compute(samples: &[f64], stop: &AtomicBool) -> Option<f64> {
    wait(COMPUTE, stop)?;
    Some(samples.iter().sum::<f64>() / samples.len() as f64)
}

/// Waits `duration` on the worker thread, looking at `stop` every 10 ms.
fn wait(duration: Duration, stop: &AtomicBool) -> Option<()> {
    let deadline = Instant::now() + duration;
    loop {
        if stop.load(Ordering::Acquire) {
            return None;
        }
        let left = deadline.saturating_duration_since(Instant::now());
        if left.is_zero() {
            return Some(());
        }
        #[expect(clippy::disallowed_methods, reason = "the worker's thread")]
        std::thread::sleep(left.min(Duration::from_millis(10)));
    }
}

// ANCHOR: read
/// What the window shows of the model, read as `reader` says; `None` when
/// `try_lock` found it locked.
pub fn read(model: &Mutex<Model>, reader: Reader) -> Option<String> {
    let show = |model: &Model| {
        let (round, mean) = (model.round, model.mean);
        format!("round {round}: mean {mean:.4}")
    };
    match reader {
        Reader::TryLock => match model.try_lock() {
            Ok(model) => Some(show(&model)),
            Err(TryLockError::Poisoned(poisoned)) => {
                Some(show(&poisoned.into_inner()))
            }
            Err(TryLockError::WouldBlock) => None,
        },
        // On the main loop, this waits as long as the worker holds the
        // lock, and the window with it: the mistake shown.
        Reader::Lock => Some(show(&lock(model))),
    }
}
// ANCHOR_END: read
