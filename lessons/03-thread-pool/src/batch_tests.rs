//! The batch's own claims, on a main loop of the test's own: its error path
//! never blocks the loop, stopping it waits only for the running pieces,
//! and its threads take the priority asked for, whatever ran before.

use crate::batch::{Batch, NICE, rounds_per_ms, run};
use std::rc::Rc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

#[test]
fn crunch_is_deterministic_and_depends_on_its_input() {
    use crate::batch::crunch;
    assert_eq!(crunch(3, 1000), crunch(3, 1000));
    assert_ne!(crunch(3, 1000), crunch(4, 1000));
    assert_ne!(crunch(3, 1000), crunch(3, 1001));
}

/// Runs `future` to its end on a main context of the test's own, as the
/// window's main loop would, with a 10 ms timeout source on it. Returns the
/// output and the longest time the loop went without running that source
/// (the start and the end count as ticks).
fn on_a_main_loop<T>(future: impl Future<Output = T>) -> (T, Duration) {
    let context = glib::MainContext::new();
    let ticks = Arc::new(Mutex::new(Vec::new()));
    let tick = glib::timeout_source_new(
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
    tick.attach(Some(&context));
    let started = Instant::now();
    #[expect(
        clippy::disallowed_methods,
        reason = "the test thread is this main loop's thread: block_on runs \
                  the loop"
    )]
    let (output, ended) = context.block_on(async {
        let output = future.await;
        (output, Instant::now())
    });
    tick.destroy();
    let mut instants = vec![started];
    let ticks = ticks.lock().unwrap();
    instants.extend(ticks.iter().copied().filter(|tick| *tick < ended));
    instants.push(ended);
    let longest =
        instants.windows(2).map(|w| w[1] - w[0]).max().unwrap_or_default();
    (output, longest)
}

/// How long each of the test batches' working pieces takes.
const PIECE: Duration = Duration::from_millis(50);

type BoxedPiece = Box<dyn FnOnce() -> u64 + Send>;

/// A piece that counts its start in `started`, stands for `PIECE` of work
/// and returns 1.
fn waiting_piece(started: &Arc<AtomicUsize>) -> BoxedPiece {
    let started = started.clone();
    Box::new(move || {
        started.fetch_add(1, Ordering::SeqCst);
        #[expect(
            clippy::disallowed_methods,
            reason = "a pool thread: stands for a piece of work that takes a \
                      while"
        )]
        std::thread::sleep(PIECE);
        1
    })
}

/// The nice value of the thread that runs a piece, as the piece's value.
fn nice_of_the_piece() -> Vec<impl FnOnce() -> u64 + Send + 'static> {
    vec![|| {
        let me = rustix::thread::gettid();
        let nice = rustix::process::getpriority_process(Some(me)).unwrap();
        u64::try_from(nice).unwrap()
    }]
}

fn my_nice() -> i32 {
    let me = rustix::thread::gettid();
    rustix::process::getpriority_process(Some(me)).unwrap()
}

#[test]
fn a_failed_piece_ends_the_batch_without_blocking_the_main_loop() {
    const OTHERS: usize = 11;
    let started = Arc::new(AtomicUsize::new(0));
    // `resume_unwind` panics without running the panic hook, whose
    // backtrace can keep the failing thread busy for longer than the whole
    // batch takes.
    let fails = || std::panic::resume_unwind(Box::new("the first piece fails"));
    let mut pieces: Vec<BoxedPiece> = vec![Box::new(fails)];
    pieces.extend((0..OTHERS).map(|_| waiting_piece(&started)));
    let batch = Batch::new(2, None).unwrap();
    let (outcome, longest) = on_a_main_loop(batch.run_pieces(pieces));
    let message = outcome.err().expect("a failed piece fails the batch");
    assert!(message.contains("panicked"), "the batch's error: {message}");
    // Eleven pieces of 50 ms on two threads: waiting for them all would
    // stall the loop for a quarter of a second. Winding down must cost the
    // loop no more than a busy moment.
    let most = Duration::from_millis(100);
    assert!(longest < most, "the main loop stalled for {longest:?}");
    // Pieces still queued when the main loop saw the error never start:
    // only those already running, or picked up by a thread before then, did.
    let started = started.load(Ordering::SeqCst);
    assert!(started < OTHERS, "{started} of {OTHERS} pieces ran after it");
}

#[test]
fn stopping_a_batch_waits_for_its_running_pieces_and_starts_no_other() {
    const PIECES: usize = 20;
    let started = Arc::new(AtomicUsize::new(0));
    let pieces = (0..PIECES).map(|_| waiting_piece(&started)).collect();
    let batch = Rc::new(Batch::new(2, None).unwrap());
    let ((outcome, stopped, took, started_by_then), _) =
        on_a_main_loop(async {
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
            // The batch's future, still on the loop, sees every piece end and
            // gives up.
            glib::timeout_future(PIECE * 2).await;
            (run.await.unwrap(), stopped, took, started_by_then)
        });
    stopped.unwrap();
    assert_eq!(outcome.err().as_deref(), Some("the batch was stopped"));
    assert!(started_by_then < PIECES, "all {PIECES} pieces had started");
    let now = started.load(Ordering::SeqCst);
    assert_eq!(now, started_by_then, "a piece started after stop");
    // The running pieces had at most one piece's time left, where the rest
    // of the batch would take over a third of a second more; scheduling adds
    // a little.
    assert!(took < PIECE * 4, "stop took {took:?} for pieces of {PIECE:?}");
    // Stop freed the pool: nothing more can run on it.
    let (again, _) = on_a_main_loop(run(&batch, 1));
    assert_eq!(again.err().as_deref(), Some("the batch was stopped"));
}

#[test]
fn a_batch_runs_at_a_lower_priority_and_the_calling_thread_keeps_its_own() {
    let mine = my_nice();
    let batch = Batch::new(1, Some(NICE)).unwrap();
    let (run, _) = on_a_main_loop(batch.run_pieces(nice_of_the_piece()));
    let expected = u64::try_from(NICE.max(mine)).unwrap();
    assert_eq!(run.unwrap().checksum, expected);
    assert_eq!(my_nice(), mine);
}

#[test]
fn a_batch_at_normal_priority_never_gets_a_thread_a_nice_batch_lowered() {
    let mine = my_nice();
    if mine >= NICE {
        return; // started at nice 10 or more: both batches run there
    }
    for round in 0..3 {
        let nice = Batch::new(2, Some(NICE)).unwrap();
        let (run, _) = on_a_main_loop(nice.run_pieces(nice_of_the_piece()));
        assert_eq!(run.unwrap().checksum, u64::try_from(NICE).unwrap());
        drop(nice);
        // The freed pool's threads leave it a moment after: glib would then
        // keep them, still at nice 10, and hand them to the next pool, had
        // `Batch::new` not told it to keep none.
        on_a_main_loop(glib::timeout_future(Duration::from_millis(100)));
        let normal = Batch::new(2, None).unwrap();
        let (run, _) = on_a_main_loop(normal.run_pieces(nice_of_the_piece()));
        let nice = run.unwrap().checksum;
        assert_eq!(nice, u64::try_from(mine).unwrap(), "round {round}");
    }
}

#[test]
fn a_batch_counts_cpu_time_not_waiting_time() {
    let started = Arc::new(AtomicUsize::new(0));
    let waiting = Batch::new(2, None).unwrap();
    let pieces = (0..4).map(|_| waiting_piece(&started)).collect();
    let (waited, _) = on_a_main_loop(waiting.run_pieces(pieces));
    let waited = waited.unwrap();
    assert!(waited.wall >= PIECE * 2, "four pieces of {PIECE:?}, 2 threads");
    assert!(waited.cpu < PIECE / 5, "sleeping used {:?} of CPU", waited.cpu);

    let computing = Batch::new(1, None).unwrap();
    let (computed, _) = on_a_main_loop(run(&computing, 20_000_000));
    let run = computed.unwrap();
    assert!(run.cpu > Duration::ZERO);
    // One thread cannot be on a CPU for longer than the batch lasted.
    assert!(run.cpu <= run.wall, "{:?} of CPU in {:?}", run.cpu, run.wall);
}

#[test]
fn the_calibration_runs_on_the_pool_and_gives_a_rate() {
    let batch = Batch::new(1, None).unwrap();
    let (rate, _) = on_a_main_loop(rounds_per_ms(&batch));
    assert!(rate.unwrap() > 0.0);
    batch.stop(Duration::from_secs(1)).unwrap();
    let (stopped, _) = on_a_main_loop(rounds_per_ms(&batch));
    assert_eq!(stopped.err().as_deref(), Some("the batch was stopped"));
}
