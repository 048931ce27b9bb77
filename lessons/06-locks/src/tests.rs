//! Unit tests of the threads' sides, without a window. Every wait here is
//! bounded: a test that deadlocks fails, it does not hang.

use crate::counters;
use crate::exchange::{self, REQUESTS, Replies};
use crate::holding::{self, COMPUTE, Model, Reader, Worker};
use crate::poison::{self, AMOUNT, Book, Recovery, TOTAL};
use crate::tellers::{self, OPENING_BALANCE, Order, TRANSFERS};
use crate::threads::Named;
use crate::watchdog::{LOOK_EVERY, STUCK_AFTER, Seen, Verdict, Watchdog};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

fn pause(duration: Duration) {
    #[expect(clippy::disallowed_methods, reason = "a unit test")]
    std::thread::sleep(duration);
}

/// Joins threads that were told to end, or have.
fn join(threads: Vec<Named>) {
    for thread in threads {
        #[expect(clippy::disallowed_methods, reason = "a unit test")]
        thread.handle.join().unwrap();
    }
}

/// Looks at two threads as the window does, every 10 ms, for 10 s at most;
/// on a deadlock, `break_it`. Returns what the watchdog said when it did.
fn watch(seen: impl Fn() -> Seen, break_it: impl Fn()) -> Option<Verdict> {
    let (mut watchdog, mut stuck) = (Watchdog::new(), None);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        assert!(Instant::now() < deadline, "the threads never ended");
        match watchdog.check(seen()) {
            Verdict::Over => return stuck,
            Verdict::Working => {}
            verdict @ Verdict::Stuck { .. } => {
                stuck = Some(verdict);
                break_it();
            }
        }
        pause(LOOK_EVERY);
    }
}

#[test]
fn opposite_orders_deadlock_and_the_watchdog_breaks_it() {
    let (bank, threads) =
        tellers::start(Order::Opposite, Arc::default()).unwrap();
    let stuck = watch(|| bank.seen(), || bank.back_off());
    join(threads);
    let Some(Verdict::Stuck { quiet }) = stuck else { panic!("no deadlock") };
    assert!(quiet >= STUCK_AFTER);
    assert_eq!(bank.transfers_done(), 0);
    assert!(bank.describe(0).contains("let go of A and ended"));
    assert!(bank.describe(1).contains("let go of B and ended"));
    assert_eq!(bank.balances(), [OPENING_BALANCE; 2]);
}

#[test]
fn one_order_finishes_every_transfer() {
    let (bank, threads) = tellers::start(Order::Same, Arc::default()).unwrap();
    let stuck = watch(|| bank.seen(), || bank.back_off());
    join(threads);
    assert_eq!(stuck, None);
    assert_eq!(bank.transfers_done(), 2 * TRANSFERS);
    // Each teller moved one unit per transfer, in opposite directions.
    assert_eq!(bank.balances(), [OPENING_BALANCE; 2]);
}

#[test]
fn a_stop_ends_deadlocked_tellers() {
    let stop = Arc::new(AtomicBool::new(false));
    let (bank, threads) =
        tellers::start(Order::Opposite, stop.clone()).unwrap();
    let deadline = Instant::now() + Duration::from_secs(5);
    let deadlocked = || (0..2).all(|who| bank.describe(who).contains("waits"));
    while !deadlocked() && Instant::now() < deadline {
        pause(Duration::from_millis(1));
    }
    let was_deadlocked = deadlocked();
    stop.store(true, Ordering::Release);
    join(threads);
    assert!(was_deadlocked, "{} / {}", bank.describe(0), bank.describe(1));
    assert!(bank.describe(0).contains("stopped"));
    assert!(bank.seen().both_over);
}

#[test]
fn contended_counters_lose_no_update() {
    let counts = counters::contended(10_000);
    for counted in [counts.mutex, counts.rwlock, counts.atomic] {
        assert_eq!(counted.total, 20_000);
    }
}

#[test]
fn a_panic_under_the_lock_poisons_it_and_the_window_repairs_it() {
    let book = Arc::new(Mutex::new(Book::new()));
    let for_job = Arc::clone(&book);
    let job = std::thread::spawn(move || poison::buggy_transfer(&for_job));
    #[expect(clippy::disallowed_methods, reason = "a unit test")]
    let panicked = job.join().is_err();
    assert!(panicked);
    assert!(book.is_poisoned());
    let Recovery::Repaired { found, repaired, lock_ok } =
        poison::recover(&book)
    else {
        panic!("not repaired")
    };
    assert_eq!(found.a + found.b, TOTAL - AMOUNT);
    assert_eq!(found.pending, Some(AMOUNT));
    assert_eq!((repaired.a + repaired.b, repaired.pending), (TOTAL, None));
    assert!(lock_ok && !book.is_poisoned());
}

#[test]
fn a_lock_that_never_panicked_is_not_repaired() {
    let book = Mutex::new(Book::new());
    assert_eq!(poison::recover(&book), Recovery::NotPoisoned);
    let _held = book.lock().unwrap();
    assert_eq!(poison::recover(&book), Recovery::StillLocked);
}

#[test]
fn bounded_both_ways_the_exchange_deadlocks_and_a_cut_ends_it() {
    let (exchange, threads) = exchange::start(Replies::Bounded).unwrap();
    let stuck = watch(|| exchange.seen(), || exchange.cut());
    join(threads);
    assert!(matches!(stuck, Some(Verdict::Stuck { .. })));
    assert!(exchange.requests_sent() < REQUESTS);
    assert_eq!(exchange.replies_read(), 0);
    assert!(exchange.describe(0).contains("cut off"));
    assert!(exchange.describe(1).contains("cut off"));
}

#[test]
fn with_the_replies_unbounded_every_request_is_answered() {
    let (exchange, threads) = exchange::start(Replies::Unbounded).unwrap();
    let stuck = watch(|| exchange.seen(), || exchange.cut());
    join(threads);
    assert_eq!(stuck, None);
    assert_eq!(exchange.requests_sent(), REQUESTS);
    assert_eq!(exchange.replies_read(), REQUESTS);
    assert!(exchange.describe(1).contains("finished"));
}

/// Starts the model's worker and reads the model with `try_lock` every 5
/// ms until it ends: how many reads found it locked, of how many.
fn reads_during(how: Worker) -> (usize, usize) {
    let model = Arc::new(Mutex::new(Model::new()));
    let thread = holding::spawn(how, 3, model.clone(), Arc::default()).unwrap();
    let (mut locked, mut reads) = (0, 0);
    let deadline = Instant::now() + 20 * COMPUTE;
    while !thread.ended.is_closed() && !thread.handle.is_finished() {
        assert!(Instant::now() < deadline, "the worker never ended");
        reads += 1;
        locked += usize::from(holding::read(&model, Reader::TryLock).is_none());
        pause(Duration::from_millis(5));
    }
    join(vec![thread]);
    (locked, reads)
}

#[test]
fn computing_under_the_lock_keeps_readers_out_and_copying_does_not() {
    let (locked, reads) = reads_during(Worker::ComputeUnderLock);
    assert!(2 * locked > reads, "{locked} of {reads} reads found it locked");
    let (locked, reads) = reads_during(Worker::CopyThenCompute);
    assert!(10 * locked < reads, "{locked} of {reads} reads found it locked");
}
