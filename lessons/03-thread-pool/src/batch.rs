//! A CPU-bound batch, split into pieces and run with the plain worker on a pool of one thread and
//! on a pool of one thread per core: what a pool buys when the work is computing, not waiting.

use crate::plain_worker::{Signal, run_on_pool};
use std::cell::RefCell;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The batch is cut into this many pieces, more than any core count here, so that every thread
/// stays busy until the end.
pub const PIECES: u64 = 16;

/// The nice value the batch's threads take: 0 is the default, 19 the lowest priority. A batch on
/// every core competes for the CPU with the window's own thread; at nice 10 it gets about a tenth
/// of the share of a normal thread while they compete, and all of any CPU time nobody else wants.
pub const NICE: i32 = 10;

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
    /// CPU time the pieces took, all threads together. More than `wall` is only possible if
    /// pieces ran at the same time on different cores.
    pub cpu: Duration,
    /// CPU time the machine left unused meanwhile, all cores together, if the system says.
    pub idle: Option<Duration>,
    /// The pieces' results combined: equal for every run of the same batch.
    pub checksum: u64,
}

/// What a piece sends back besides its value: the CPU time its thread spent on it.
struct Piece<T> {
    value: T,
    cpu: Duration,
}

// ANCHOR: batch
/// One batch: a pool of its own, and a switch that its pieces look at before they start.
pub struct Batch {
    threads: u32,
    pool: RefCell<Option<glib::ThreadPool>>,
    stopped: Arc<AtomicBool>,
    /// Cloned into every piece and never sent on: the channel disconnects once the last piece
    /// has returned, and that is what `stop` waits for.
    alive: RefCell<Option<mpsc::Sender<()>>>,
    all_done: mpsc::Receiver<()>,
}

impl Batch {
    pub fn new(threads: u32) -> Result<Self, String> {
        let pool = glib::ThreadPool::exclusive(threads).map_err(|e| e.to_string())?;
        let (alive, all_done) = mpsc::channel();
        Ok(Self {
            threads,
            pool: RefCell::new(Some(pool)),
            stopped: Arc::default(),
            alive: RefCell::new(Some(alive)),
            all_done,
        })
    }

    pub fn threads(&self) -> u32 {
        self.threads
    }

    /// Until its pieces have all ended, or it was stopped.
    pub fn is_running(&self) -> bool {
        self.pool.borrow().is_some()
    }

    /// Runs `pieces` on the pool and waits for every one of them without blocking the main loop:
    /// each piece's signals are awaited. A failed piece fails the batch.
    pub async fn run_pieces<F>(&self, pieces: Vec<F>) -> Result<BatchRun, String>
    where
        F: FnOnce() -> u64 + Send + 'static,
    {
        let (started, idle_before) = (Instant::now(), machine_idle());
        let mut queued = Vec::new();
        for piece in pieces {
            let pool = self.pool.borrow();
            let pool = pool.as_ref().ok_or("the batch was stopped")?;
            queued.push(run_on_pool(pool, self.guard(piece)?).map_err(|e| e.to_string())?);
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
                    // The batch has failed: the pieces not started yet never will. The running
                    // ones cannot be interrupted, so the loop goes on to await their Finished:
                    // returning now would drop the pool, which waits for them, on the main loop.
                    Signal::Error(message) => {
                        self.halt();
                        failure.get_or_insert(message);
                    }
                    Signal::Finished => break,
                }
            }
        }
        let (wall, idle_after) = (started.elapsed(), machine_idle());
        let idle = idle_before.zip(idle_after).map(|(before, after)| after.saturating_sub(before));
        // Every piece has sent its Finished, its last act: dropping the pool waits for no work.
        drop(self.pool.borrow_mut().take());
        match (failure, skipped) {
            (Some(message), _) => Err(message),
            (None, true) => Err("the batch was stopped".to_owned()),
            (None, false) => Ok(BatchRun { wall, cpu, idle, checksum }),
        }
    }
    // ANCHOR_END: batch

    // ANCHOR: stop
    /// The pieces that have not started never will; the running ones go on to their end.
    pub fn halt(&self) {
        self.stopped.store(true, Ordering::Release);
    }

    /// For the window's shutdown: halts the batch, waits up to `patience` for the running
    /// pieces, each of which ends within one piece's time, then drops the pool, which by then
    /// has no work to wait for. A piece still running after `patience` keeps the pool, left to
    /// the end of the process rather than waited for, and the error says so.
    pub fn stop(&self, patience: Duration) -> Result<(), String> {
        self.halt();
        let Some(pool) = self.pool.borrow_mut().take() else { return Ok(()) };
        drop(self.alive.take());
        #[expect(
            clippy::disallowed_methods,
            reason = "the window is closing: shutdown's wait for the running pieces, bounded by \
                      `patience`, which each of them ends within one piece's time"
        )]
        let waited = self.all_done.recv_timeout(patience);
        match waited {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                // Dropping the pool now would block until the piece returns.
                std::mem::forget(pool);
                Err(format!("a batch piece was still running after {patience:?}"))
            }
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => {
                drop(pool);
                Ok(())
            }
        }
    }
    // ANCHOR_END: stop

    // ANCHOR: guard
    /// Wraps `piece` for this batch: it holds a sender of `alive` until it returns, does not
    /// start once the batch is stopped (`None`), runs at the batch's lower priority, and reports
    /// the CPU time it took.
    fn guard<T>(
        &self,
        piece: impl FnOnce() -> T + Send + 'static,
    ) -> Result<impl FnOnce() -> Option<Piece<T>> + Send + 'static, String> {
        let alive = self.alive.borrow().clone().ok_or("the batch was stopped")?;
        let stopped = self.stopped.clone();
        Ok(move || {
            let _alive = alive;
            if stopped.load(Ordering::Acquire) {
                return None;
            }
            lower_priority();
            let before = thread_cpu_time();
            let value = piece();
            Some(Piece { value, cpu: thread_cpu_time().saturating_sub(before) })
        })
    }
    // ANCHOR_END: guard
}

impl Drop for Batch {
    /// A batch dropped before its end (its future was dropped) stops its queued pieces, so that
    /// dropping the pool waits only for the running ones, not for the whole batch.
    fn drop(&mut self) {
        self.halt();
    }
}

/// The batch of `PIECES` pieces of `crunch`, `rounds_per_piece` rounds each.
pub async fn run(batch: &Batch, rounds_per_piece: u64) -> Result<BatchRun, String> {
    let pieces = (0..PIECES).map(|piece| move || crunch(piece, rounds_per_piece)).collect();
    batch.run_pieces(pieces).await
}

// ANCHOR: calibrate
/// How many rounds of `crunch` one thread does per millisecond, measured on the batch's pool
/// (never on the main loop) so that the batch can be sized to the requested work on any machine
/// and build. One job, one answer: `ThreadPool::push_future` returns a future of the job's
/// value, or of its panic, which the main loop awaits.
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
        Ok(Some(took)) => Ok(SAMPLE as f64 / took.value.as_secs_f64().max(1e-6) / 1000.0),
        Ok(None) => Err("the batch was stopped".to_owned()),
        Err(_panic) => Err("the calibration panicked".to_owned()),
    }
}
// ANCHOR_END: calibrate

// ANCHOR: priority
/// Lowers the calling thread's priority to `NICE`, unless it is lower already (the lesson may
/// have been started with `nice`). On Linux the nice value belongs to each thread, and
/// `setpriority` given a thread's id changes that thread only: the window's thread keeps its own.
fn lower_priority() {
    let me = rustix::thread::gettid();
    if rustix::process::getpriority_process(Some(me)).is_ok_and(|nice| nice < NICE) {
        // If the system refuses, the piece runs at the normal priority: same result.
        let _ = rustix::process::setpriority_process(Some(me), NICE);
    }
}
// ANCHOR_END: priority

/// The time every core of the machine has spent idle so far, all together, from the first line
/// of `/proc/stat` (idle and iowait, in clock ticks); `None` where the system does not say.
fn machine_idle() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next().filter(|line| line.starts_with("cpu "))?;
    let ticks: Vec<u64> = line.split_whitespace().skip(1).map_while(|n| n.parse().ok()).collect();
    let idle = ticks.get(3)? + ticks.get(4)?;
    Some(Duration::from_secs_f64(idle as f64 / rustix::param::clock_ticks_per_second() as f64))
}

/// The CPU time the calling thread has used so far.
fn thread_cpu_time() -> Duration {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    Duration::try_from(now).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;
    use std::sync::Mutex;
    use std::sync::atomic::AtomicUsize;

    #[test]
    fn crunch_is_deterministic_and_depends_on_its_input() {
        assert_eq!(crunch(3, 1000), crunch(3, 1000));
        assert_ne!(crunch(3, 1000), crunch(4, 1000));
        assert_ne!(crunch(3, 1000), crunch(3, 1001));
    }

    /// Runs `future` to its end on a main context of the test's own, as the window's main loop
    /// would, with a 10 ms heartbeat timeout on it. Returns the output and the longest time the
    /// loop went without running the heartbeat (the start and the end count as ticks).
    fn on_a_main_loop<T>(future: impl Future<Output = T>) -> (T, Duration) {
        let context = glib::MainContext::new();
        let ticks = Arc::new(Mutex::new(Vec::new()));
        let heartbeat = glib::timeout_source_new(
            Duration::from_millis(10),
            None,
            glib::Priority::DEFAULT,
            glib::clone!(
                #[strong]
                ticks,
                move || {
                    ticks.lock().unwrap().push(Instant::now());
                    glib::ControlFlow::Continue
                }
            ),
        );
        heartbeat.attach(Some(&context));
        let started = Instant::now();
        #[expect(
            clippy::disallowed_methods,
            reason = "the test thread is this main loop's thread: block_on runs the loop"
        )]
        let (output, ended) = context.block_on(async {
            let output = future.await;
            (output, Instant::now())
        });
        heartbeat.destroy();
        let mut instants = vec![started];
        instants.extend(ticks.lock().unwrap().iter().copied().filter(|tick| *tick < ended));
        instants.push(ended);
        let longest = instants.windows(2).map(|w| w[1] - w[0]).max().unwrap_or_default();
        (output, longest)
    }

    /// How long each of the test batches' working pieces takes.
    const PIECE: Duration = Duration::from_millis(50);

    /// A piece that counts its start in `started`, stands for `PIECE` of work and returns 1.
    fn waiting_piece(started: &Arc<AtomicUsize>) -> Box<dyn FnOnce() -> u64 + Send> {
        let started = started.clone();
        Box::new(move || {
            started.fetch_add(1, Ordering::SeqCst);
            #[expect(
                clippy::disallowed_methods,
                reason = "a pool thread: stands for a piece of work that takes a while"
            )]
            std::thread::sleep(PIECE);
            1
        })
    }

    #[test]
    fn a_failed_piece_ends_the_batch_without_blocking_the_main_loop() {
        const OTHERS: usize = 11;
        let started = Arc::new(AtomicUsize::new(0));
        // `resume_unwind` panics without running the panic hook, whose backtrace can keep the
        // failing thread busy for longer than the whole batch takes.
        let mut pieces: Vec<Box<dyn FnOnce() -> u64 + Send>> =
            vec![Box::new(|| std::panic::resume_unwind(Box::new("the first piece fails")))];
        pieces.extend((0..OTHERS).map(|_| waiting_piece(&started)));
        let batch = Batch::new(2).unwrap();
        let (outcome, longest) = on_a_main_loop(batch.run_pieces(pieces));
        let message = outcome.err().expect("a failed piece fails the batch");
        assert!(message.contains("panicked"), "the batch's error: {message}");
        // Eleven pieces of 50 ms on two threads: waiting for them all would stall the loop for
        // a quarter of a second. Winding down must cost the loop no more than a busy moment.
        assert!(longest < Duration::from_millis(100), "the main loop stalled for {longest:?}");
        // Pieces still queued when the main loop saw the error never start: only those already
        // running, or picked up by a thread before then, did.
        let started = started.load(Ordering::SeqCst);
        assert!(started < OTHERS, "{started} of {OTHERS} pieces ran after the failure");
    }

    #[test]
    fn stopping_a_batch_waits_for_its_running_pieces_and_starts_no_other() {
        const PIECES: usize = 20;
        let started = Arc::new(AtomicUsize::new(0));
        let pieces = (0..PIECES).map(|_| waiting_piece(&started)).collect();
        let batch = Rc::new(Batch::new(2).unwrap());
        let ((outcome, stopped, took, started_by_then), _) = on_a_main_loop(async {
            let run = glib::spawn_future_local(glib::clone!(
                #[strong]
                batch,
                async move { batch.run_pieces(pieces).await }
            ));
            // A second of work on two threads; stop it while two pieces run.
            glib::timeout_future(Duration::from_millis(120)).await;
            let asked = Instant::now();
            let stopped = batch.stop(Duration::from_secs(2));
            let took = asked.elapsed();
            let started_by_then = started.load(Ordering::SeqCst);
            // The batch's future, still on the loop, sees every piece end and gives up.
            glib::timeout_future(PIECE * 2).await;
            (run.await.unwrap(), stopped, took, started_by_then)
        });
        stopped.unwrap();
        assert_eq!(outcome.err().as_deref(), Some("the batch was stopped"));
        assert!(started_by_then < PIECES, "all {PIECES} pieces had started: nothing was stopped");
        assert_eq!(started.load(Ordering::SeqCst), started_by_then, "a piece started after stop");
        // The running pieces had at most one piece's time left, where the rest of the batch
        // would take over a third of a second more; scheduling adds a little.
        assert!(took < PIECE * 4, "stop took {took:?} for pieces of {PIECE:?}");
        assert!(batch.pool.borrow().is_none(), "stop frees the pool");
    }

    #[test]
    fn a_batch_runs_at_a_lower_priority_and_the_calling_thread_keeps_its_own() {
        let me = rustix::thread::gettid();
        let mine = rustix::process::getpriority_process(Some(me)).unwrap();
        let batch = Batch::new(1).unwrap();
        let pieces = vec![|| {
            let nice = rustix::process::getpriority_process(Some(rustix::thread::gettid()));
            u64::try_from(nice.unwrap()).unwrap()
        }];
        let (run, _) = on_a_main_loop(batch.run_pieces(pieces));
        assert_eq!(run.unwrap().checksum, u64::try_from(NICE.max(mine)).unwrap());
        assert_eq!(rustix::process::getpriority_process(Some(me)).unwrap(), mine);
    }

    #[test]
    fn a_batch_counts_cpu_time_not_waiting_time() {
        let started = Arc::new(AtomicUsize::new(0));
        let waiting = Batch::new(2).unwrap();
        let pieces = (0..4).map(|_| waiting_piece(&started)).collect();
        let (waited, _) = on_a_main_loop(waiting.run_pieces(pieces));
        let waited = waited.unwrap();
        assert!(waited.wall >= PIECE * 2, "four pieces of {PIECE:?} on two threads");
        assert!(waited.cpu < PIECE / 5, "sleeping pieces used {:?} of CPU", waited.cpu);

        let computing = Batch::new(1).unwrap();
        let (computed, _) = on_a_main_loop(run(&computing, 20_000_000));
        let run = computed.unwrap();
        assert!(run.cpu > Duration::ZERO);
        // One thread cannot be on a CPU for longer than the batch lasted.
        assert!(run.cpu <= run.wall, "{:?} of CPU in {:?}", run.cpu, run.wall);
    }

    #[test]
    fn the_calibration_runs_on_the_pool_and_gives_a_rate() {
        let batch = Batch::new(1).unwrap();
        let (rate, _) = on_a_main_loop(rounds_per_ms(&batch));
        assert!(rate.unwrap() > 0.0);
        batch.stop(Duration::from_secs(1)).unwrap();
        let (stopped, _) = on_a_main_loop(rounds_per_ms(&batch));
        assert_eq!(stopped.err().as_deref(), Some("the batch was stopped"));
    }
}
