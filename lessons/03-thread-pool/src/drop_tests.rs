//! What each kind of drop does to the jobs it leaves behind: the chapter's
//! table "Fire and forget, and what each drop waits for", row by row. No
//! window and no main loop: pools, jobs, and the clock.

use std::sync::Arc;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};
use worker::{Cancelled, JobPool, Reporter};

/// How long each test job works.
const JOB: Duration = Duration::from_millis(50);
/// A job in steps looks for a cancel this often.
const STEP: Duration = Duration::from_millis(10);
/// How long a test waits for what must happen anyway: far beyond any bound
/// it checks, so that only a hang fails on it.
const HANG: Duration = Duration::from_secs(10);

#[expect(
    clippy::disallowed_methods,
    reason = "a pool thread: stands for work that takes a while"
)]
fn work_for(duration: Duration) {
    std::thread::sleep(duration);
}

/// What a job sends, once it does: `Err(Disconnected)` if the job went
/// without sending, `Err(Timeout)` only on a hang.
#[expect(
    clippy::disallowed_methods,
    reason = "the test's own thread, waiting for a job to say something"
)]
fn wait_for<T>(messages: &mpsc::Receiver<T>) -> Result<T, RecvTimeoutError> {
    messages.recv_timeout(HANG)
}

/// Waits on the test's thread until `done` says a job did at least `steps`
/// steps.
fn until_steps(done: &AtomicU32, steps: u32) {
    let asked = Instant::now();
    while done.load(Ordering::SeqCst) < steps {
        assert!(asked.elapsed() < HANG, "the job never got going");
        work_for(STEP);
    }
}

/// A job of `steps` steps that counts each one it finishes in `steps_done`,
/// returning early once cancelled, and sends the count when it returns.
fn job_in_steps(
    steps: u32,
    steps_done: Arc<AtomicU32>,
    returned: mpsc::Sender<u32>,
) -> impl FnOnce(&Reporter) -> Result<(), Cancelled> + Send + 'static {
    move |reporter| {
        let outcome = (0..steps).try_for_each(|_| {
            reporter.check_cancelled()?;
            work_for(STEP);
            steps_done.fetch_add(1, Ordering::SeqCst);
            Ok(())
        });
        let _ = returned.send(steps_done.load(Ordering::SeqCst));
        outcome
    }
}

#[test]
fn a_pushed_job_runs_though_nothing_of_the_push_is_kept() {
    let pool = glib::ThreadPool::exclusive(1).unwrap();
    let (go, wait_for_go) = mpsc::channel::<()>();
    let (ran, job_ran) = mpsc::channel();
    // Fire and forget: the `ThreadHandle` is dropped at once, and the job
    // cannot finish before the push returns, since it waits for `go`.
    pool.push(move || {
        let go = wait_for(&wait_for_go);
        let _ = ran.send(go.is_ok());
    })
    .unwrap();
    go.send(()).unwrap();
    assert_eq!(wait_for(&job_ran), Ok(true), "the pushed job never ran");
    // A panic in such a job is caught by `push` and thrown away with the
    // handle: the pool's one thread goes on to the next job.
    // (`resume_unwind` panics without the panic hook's message.)
    pool.push(|| std::panic::resume_unwind(Box::new("forgotten"))).unwrap();
    let (next, next_ran) = mpsc::channel();
    pool.push(move || next.send(()).unwrap()).unwrap();
    assert!(wait_for(&next_ran).is_ok(), "the thread died with the panic");
}

#[test]
fn dropping_a_glib_pool_waits_for_every_queued_job() {
    let pool = glib::ThreadPool::exclusive(1).unwrap();
    let done = Arc::new(AtomicU32::new(0));
    for _ in 0..3 {
        let done = done.clone();
        pool.push(move || {
            work_for(JOB);
            done.fetch_add(1, Ordering::SeqCst);
        })
        .unwrap();
    }
    let asked = Instant::now();
    drop(pool);
    let took = asked.elapsed();
    // One thread, three jobs: the drop waited for the two still queued too,
    // one after the other.
    assert_eq!(done.load(Ordering::SeqCst), 3, "a job had not run");
    assert!(took >= JOB * 2, "the drop took only {took:?}");
}

#[test]
fn dropping_a_job_handle_cancels_its_job_queued_or_running() {
    let pool = JobPool::exclusive(1).unwrap();
    let first_done = Arc::new(AtomicU32::new(0));
    let (returned, first_returned) = mpsc::channel();
    let first = job_in_steps(100, first_done.clone(), returned);
    let first = pool.spawn(first).unwrap();
    let (returned, second_returned) = mpsc::channel();
    let second = job_in_steps(100, Arc::default(), returned);
    // Queued behind the first on the pool's one thread, and dropped there.
    drop(pool.spawn(second).unwrap());
    until_steps(&first_done, 3);
    let dropped = Instant::now();
    drop(first);
    let steps = wait_for(&first_returned).expect("the job never returned");
    let took = dropped.elapsed();
    // A second of work, stopped at its next step.
    assert!(steps < 100, "the dropped job ran all its {steps} steps");
    assert!(took < JOB * 5, "it went on for {took:?} after the drop");
    // The queued job never started: its closure was dropped unrun, and the
    // sender it held went with it.
    let second = wait_for(&second_returned);
    assert_eq!(second, Err(RecvTimeoutError::Disconnected), "it ran");
    pool.shutdown(HANG).unwrap();
}

#[test]
fn dropping_a_job_pool_unshut_waits_for_its_jobs_and_cancels_none() {
    let pool = JobPool::exclusive(1).unwrap();
    let done = Arc::new(AtomicU32::new(0));
    let (returned, jobs_returned) = mpsc::channel();
    let steps = u32::try_from(JOB.as_millis() / STEP.as_millis()).unwrap();
    // Two jobs of 50 ms on one thread; their handles are kept, so nothing
    // cancels them.
    let jobs: Vec<_> = (0..2)
        .map(|_| job_in_steps(steps, done.clone(), returned.clone()))
        .map(|job| pool.spawn(job).unwrap())
        .collect();
    let asked = Instant::now();
    drop(pool);
    let took = asked.elapsed();
    // `JobPool` has no drop of its own: its `glib::ThreadPool`'s drop waited
    // for both jobs to do all their work, one after the other.
    assert_eq!(done.load(Ordering::SeqCst), 2 * steps, "a job was cut short");
    assert!(took >= JOB * 2, "the drop took only {took:?}");
    drop(jobs);
    drop(jobs_returned);
}

#[test]
fn shutdown_cancels_every_job_and_waits_no_longer_than_its_patience() {
    // Jobs that look for a cancel: shutdown returns once they have.
    let pool = JobPool::exclusive(1).unwrap();
    let done = Arc::new(AtomicU32::new(0));
    let (returned, jobs_returned) = mpsc::channel();
    let jobs: Vec<_> = (0..2)
        .map(|_| job_in_steps(100, done.clone(), returned.clone()))
        .map(|job| pool.spawn(job).unwrap())
        .collect();
    until_steps(&done, 3);
    let asked = Instant::now();
    pool.shutdown(HANG).unwrap();
    let took = asked.elapsed();
    assert!(took < JOB * 5, "shutdown took {took:?}");
    // The running job stopped at its next step; the queued one never ran.
    drop(returned);
    let steps: Vec<u32> = jobs_returned.try_iter().collect();
    assert_eq!(steps.len(), 1, "jobs that returned: {steps:?}");
    assert!(steps[0] < 100, "the running job did all its steps");
    drop(jobs);

    // A job that never looks: shutdown gives up after its patience, and
    // leaves the job to finish on its own.
    let pool = JobPool::exclusive(1).unwrap();
    let (returned, stubborn_returned) = mpsc::channel();
    let stubborn = pool
        .spawn(move |_: &Reporter| {
            let _ = returned.send(());
            work_for(JOB * 6);
            Ok::<(), Cancelled>(())
        })
        .unwrap();
    wait_for(&stubborn_returned).expect("the job never started");
    let asked = Instant::now();
    let outcome = pool.shutdown(JOB);
    let took = asked.elapsed();
    let message = outcome.expect_err("shutdown waited for a stubborn job");
    assert!(message.contains("1 job(s) still running"), "{message}");
    assert!(took >= JOB && took < JOB * 4, "shutdown took {took:?}");
    drop(stubborn);
}
