//! The worker's promises, checked without a display: a private glib
//! `MainContext` drives the main-loop side, and real pool threads run the jobs.

use static_assertions::{assert_impl_all, assert_not_impl_any};
use std::sync::mpsc;
use std::time::{Duration, Instant};
use worker::{Cancelled, Canceller, Ending, Event, Job, JobError, Progress};

// The handle a Cancel button or a shutdown hook keeps may go anywhere; the Job
// itself is `Send` too, so a caller can move it into whichever future follows
// it.
assert_impl_all!(Canceller: Send, Sync, Clone);
assert_impl_all!(Job<u64, String>: Send);
assert_not_impl_any!(Job<std::rc::Rc<u8>, String>: Send);

type Events<T, E> = Vec<Event<T, E>>;

/// Follows the job on a private main context until `Finished` and one more
/// look, or fails after ten seconds instead of hanging the suite.
fn collect<T, E>(mut job: Job<T, E>) -> Events<T, E> {
    let context = glib::MainContext::new();
    #[expect(
        clippy::disallowed_methods,
        reason = "a test drives its own context, not a main loop"
    )]
    context
        .block_on(glib::future_with_timeout(
            Duration::from_secs(10),
            async move {
                let mut events = Vec::new();
                while let Some(event) = job.next().await {
                    events.push(event);
                }
                assert!(
                    job.next().await.is_none(),
                    "an event came after Finished"
                );
                events
            },
        ))
        .expect("the job finished within ten seconds")
}

/// A pool of its own for each test. Keep it in a variable for the whole test:
/// dropping a `glib::ThreadPool` waits for every job it holds, so a temporary
/// pool would block right after `spawn` until the job finished on its own.
fn pool(threads: u32) -> glib::ThreadPool {
    glib::ThreadPool::exclusive(threads).expect("a thread pool")
}

/// Waits on a test thread, never a main loop.
fn pause(duration: Duration) {
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread, standing in for slow work"
    )]
    std::thread::sleep(duration);
}

#[test]
fn a_job_that_succeeds_reports_in_order() {
    let pool = pool(1);
    let job = worker::spawn(&pool, |reporter| {
        reporter.progress_with_message(0.5, "half way");
        Ok::<_, String>(42)
    })
    .unwrap();
    let half = Progress { fraction: 0.5, message: Some("half way".into()) };
    assert_eq!(
        collect(job),
        [
            Event::Started,
            Event::Progress(half),
            Event::Result(42),
            Event::Finished(Ending::Succeeded)
        ]
    );
}

#[test]
fn a_job_that_fails_reports_its_error_then_finishes() {
    let pool = pool(1);
    let job =
        worker::spawn(&pool, |_| Err::<u8, _>("disk full".to_owned())).unwrap();
    assert_eq!(
        collect(job),
        [
            Event::Started,
            Event::Error(JobError::Failed("disk full".to_owned())),
            Event::Finished(Ending::Failed)
        ]
    );
}

#[test]
fn a_panic_becomes_an_error_and_the_pool_lives_on() {
    let pool = pool(1);
    let job = worker::spawn(&pool, |_| -> Result<u8, String> {
        panic!("index out of bounds")
    })
    .unwrap();
    let events = collect(job);
    assert_eq!(events[0], Event::Started);
    assert_eq!(panic_message(&events[1]), Some("index out of bounds"));
    assert_eq!(events[2], Event::Finished(Ending::Failed));
    assert_eq!(events.len(), 3);
    let formatted = worker::spawn(&pool, |_| -> Result<u8, String> {
        panic!("{} of {}", 3, 4)
    });
    let events = collect(formatted.unwrap());
    assert_eq!(panic_message(&events[1]), Some("3 of 4"));
    // The same single pool thread still runs jobs.
    let after =
        worker::spawn(&pool, |_| Ok::<_, String>("still here")).unwrap();
    assert!(collect(after).contains(&Event::Result("still here")));
}

/// The traceback: the pool thread's stack, taken where the job panicked.
#[test]
fn a_panic_carries_the_stack_of_the_pool_thread_where_it_happened() {
    let pool = pool(1);
    let job = worker::spawn(&pool, |_| -> Result<u8, String> {
        parse_the_answer("forty-two")
    })
    .unwrap();
    let events = collect(job);
    let Event::Error(JobError::Panicked(panic)) = &events[1] else {
        panic!("no panic reported: {events:?}");
    };
    assert!(panic.message.contains("InvalidDigit"), "{}", panic.message);
    // The function that panicked is on the stack (debug builds name it),
    // and the panic's own machinery above it is not.
    assert!(
        panic.backtrace.contains("parse_the_answer"),
        "{}",
        panic.backtrace
    );
    let first = panic.backtrace.lines().next().unwrap_or_default();
    assert!(first.starts_with("   0: core::result::"), "{}", panic.backtrace);
    assert!(!panic.backtrace.contains("rust_begin_unwind"));
}

#[inline(never)]
fn parse_the_answer(text: &str) -> Result<u8, String> {
    Ok(text.parse::<u8>().unwrap())
}

fn panic_message<T, E>(event: &Event<T, E>) -> Option<&str> {
    match event {
        Event::Error(JobError::Panicked(panic)) => Some(&panic.message),
        _ => None,
    }
}

#[test]
fn a_cancelled_job_ends_cancelled_not_failed() {
    let pool = pool(1);
    let (started, has_started) = mpsc::channel();
    let job = worker::spawn(&pool, move |reporter| {
        let _ = started.send(());
        while !reporter.is_cancelled() {
            pause(Duration::from_millis(1));
        }
        reporter.check_cancelled()?;
        Ok::<u8, Cancelled>(1)
    })
    .unwrap();
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread waiting for the pool"
    )]
    has_started.recv_timeout(Duration::from_secs(10)).expect("the job started");
    job.cancel();
    assert_eq!(
        collect(job),
        [Event::Started, Event::Finished(Ending::Cancelled)]
    );
}

#[test]
fn cancelling_wins_over_a_late_result() {
    let pool = pool(1);
    let (started, has_started) = mpsc::channel();
    let job = worker::spawn(&pool, move |reporter| {
        let _ = started.send(());
        while !reporter.is_cancelled() {
            pause(Duration::from_millis(1));
        }
        Ok::<_, String>("done anyway") // A job that ignores the request still ends cancelled.
    })
    .unwrap();
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread waiting for the pool"
    )]
    has_started.recv_timeout(Duration::from_secs(10)).expect("the job started");
    job.canceller().cancel();
    assert_eq!(
        collect(job),
        [Event::Started, Event::Finished(Ending::Cancelled)]
    );
}

#[test]
fn a_job_cancelled_in_the_queue_never_starts() {
    let pool = pool(1);
    let (release, released) = mpsc::channel::<()>();
    let blocker = worker::spawn(&pool, move |_| {
        #[expect(
            clippy::disallowed_methods,
            reason = "a pool thread held busy on purpose"
        )]
        let _ = released.recv_timeout(Duration::from_secs(10));
        Ok::<_, String>(())
    })
    .unwrap();
    let (ran, did_run) = mpsc::channel();
    let queued = worker::spawn(&pool, move |_| {
        let _ = ran.send(());
        Ok::<_, String>(())
    })
    .unwrap();
    queued.cancel();
    let _ = release.send(());
    assert_eq!(collect(queued), [Event::Finished(Ending::Cancelled)]);
    assert!(did_run.try_recv().is_err(), "the cancelled job's closure ran");
    assert!(collect(blocker).contains(&Event::Finished(Ending::Succeeded)));
}

#[test]
fn dropping_the_job_cancels_it() {
    let pool = pool(1);
    let (started, has_started) = mpsc::channel();
    let (saw, saw_cancel) = mpsc::channel();
    let job = worker::spawn(&pool, move |reporter| {
        let _ = started.send(());
        let deadline = Instant::now() + Duration::from_secs(10);
        while !reporter.is_cancelled() && Instant::now() < deadline {
            pause(Duration::from_millis(1));
        }
        let _ = saw.send(reporter.is_cancelled());
        Ok::<_, String>(())
    })
    .unwrap();
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread waiting for the pool"
    )]
    has_started.recv_timeout(Duration::from_secs(10)).expect("the job started");
    drop(job);
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread waiting for the pool"
    )]
    let cancelled = saw_cancel.recv_timeout(Duration::from_secs(10));
    assert_eq!(cancelled, Ok(true), "the job never saw the cancellation");
}

#[test]
fn a_chatty_job_cannot_flood_the_main_loop() {
    let pool = pool(1);
    const REPORTS: u32 = 1_000_000;
    let job = worker::spawn(&pool, |reporter| {
        for step in 1..=REPORTS {
            reporter.progress(f64::from(step) / f64::from(REPORTS));
        }
        Ok::<_, String>(())
    })
    .unwrap();
    // Nobody reads while the job runs: a million reports leave four messages
    // waiting, not a million: Started, one progress notification, Result and
    // Finished.
    let deadline = Instant::now() + Duration::from_secs(10);
    while job.queued_messages() < 4 && Instant::now() < deadline {
        pause(Duration::from_millis(5));
    }
    assert_eq!(job.queued_messages(), 4);
    assert_eq!(
        collect(job),
        [
            Event::Started,
            Event::Progress(Progress { fraction: 1.0, message: None }),
            Event::Result(()),
            Event::Finished(Ending::Succeeded)
        ]
    );
}

#[test]
fn progress_read_while_it_runs_never_goes_backwards_and_ends_at_the_last_value()
{
    let pool = pool(1);
    let job = worker::spawn(&pool, |reporter| {
        for step in 1..=200_000u32 {
            reporter.progress(f64::from(step) / 200_000.0);
        }
        Ok::<_, String>(())
    })
    .unwrap();
    let fractions: Vec<f64> = collect(job)
        .into_iter()
        .filter_map(|event| match event {
            Event::Progress(progress) => Some(progress.fraction),
            _ => None,
        })
        .collect();
    assert!(
        fractions.windows(2).all(|pair| pair[0] <= pair[1]),
        "{fractions:?}"
    );
    assert_eq!(fractions.last(), Some(&1.0));
    assert!(fractions.len() < 200_000, "every report became an event");
}

#[test]
fn a_job_pool_shutdown_cancels_running_and_queued_jobs_and_joins() {
    let pool = worker::JobPool::exclusive(1).unwrap();
    let (started, has_started) = mpsc::channel();
    let running = pool
        .spawn(move |reporter| {
            let _ = started.send(());
            while !reporter.is_cancelled() {
                pause(Duration::from_millis(1));
            }
            Ok::<_, String>("stopped")
        })
        .unwrap();
    let queued = pool.spawn(|_| Ok::<_, String>("never runs")).unwrap();
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread waiting for the pool"
    )]
    has_started.recv_timeout(Duration::from_secs(10)).expect("the job started");
    assert_eq!(pool.queued(), 1);

    let began = Instant::now();
    assert_eq!(pool.shutdown(Duration::from_secs(10)), Ok(()));
    assert!(
        began.elapsed() < Duration::from_secs(2),
        "shutdown took {:?}",
        began.elapsed()
    );
    assert_eq!(
        collect(running),
        [Event::Started, Event::Finished(Ending::Cancelled)]
    );
    assert_eq!(collect(queued), [Event::Finished(Ending::Cancelled)]);
    assert!(matches!(
        pool.spawn(|_| Ok::<_, String>(())),
        Err(worker::SpawnError::ShutDown)
    ));
}

/// How many times the calling thread has given up the CPU to wait, since it
/// started.
fn waits_so_far() -> i64 {
    use nix::sys::resource::{UsageWho, getrusage};
    getrusage(UsageWho::RUSAGE_THREAD)
        .expect("getrusage")
        .voluntary_context_switches()
}

#[test]
fn a_job_pool_shutdown_sleeps_until_the_jobs_are_done_instead_of_polling() {
    let pool = worker::JobPool::exclusive(1).unwrap();
    let (started, has_started) = mpsc::channel();
    // A job that takes 300 ms to notice it was cancelled: one long step.
    let _slow = pool
        .spawn(move |reporter| {
            let _ = started.send(());
            while !reporter.is_cancelled() {
                pause(Duration::from_millis(300));
            }
            Ok::<_, String>(())
        })
        .unwrap();
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread waiting for the pool"
    )]
    has_started.recv_timeout(Duration::from_secs(10)).expect("the job started");

    let before = waits_so_far();
    assert_eq!(pool.shutdown(Duration::from_secs(10)), Ok(()));
    let woke = waits_so_far() - before;
    // Waiting for an event wakes the thread a handful of times; polling every
    // millisecond, a few hundred.
    assert!(woke < 20, "the shutdown woke up {woke} times while it waited");
}

#[test]
fn a_job_pool_shutdown_gives_up_on_a_job_that_ignores_the_cancel() {
    let pool = worker::JobPool::exclusive(1).unwrap();
    let (release, released) = mpsc::channel::<()>();
    let (started, has_started) = mpsc::channel();
    let _stubborn = pool
        .spawn(move |_| {
            let _ = started.send(());
            #[expect(
                clippy::disallowed_methods,
                reason = "a pool thread held busy on purpose"
            )]
            let _ = released.recv_timeout(Duration::from_secs(10));
            Ok::<_, String>(())
        })
        .unwrap();
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread waiting for the pool"
    )]
    has_started.recv_timeout(Duration::from_secs(10)).expect("the job started");

    let began = Instant::now();
    let outcome = pool.shutdown(Duration::from_millis(100));
    let waited = began.elapsed();
    let _ = release.send(());
    assert_eq!(outcome, Err("1 job(s) still running after 100ms".to_owned()));
    assert!(waited < Duration::from_secs(2), "shutdown hung for {waited:?}");
}
