//! Lock ordering. Two tellers, each on its own thread, move money between two accounts, and
//! each transfer holds both accounts' locks. Taken in opposite orders, the locks deadlock: the
//! window's watchdog notices that neither teller moves and has both back off. Taken in one
//! order, the same work finishes.
//!
//! Nothing here can hang: a teller never waits for a lock without a way out (`try_lock`, and a
//! look at the back-off and stop flags between tries), so every teller ends, and can be joined.

use crate::threads::{Named, spawn_named};
use serde::Serialize;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::{Duration, Instant};

/// Transfers each teller is asked to make.
pub const TRANSFERS: u32 = 10;
/// How long a teller works while it holds its first lock (checking the balance, say): long
/// enough that the other teller takes its own first lock meanwhile.
pub const HOLD: Duration = Duration::from_millis(20);
/// Both tellers waiting, and no transfer for this long: the watchdog calls it a deadlock. A
/// teller that merely waits for the other to finish a transfer waits about `HOLD`.
pub const STUCK_AFTER: Duration = Duration::from_millis(300);
/// A teller that waits longer than this for one lock gives up by itself: the last line of
/// defence, should the watchdog never run.
const GIVE_UP_AFTER: Duration = Duration::from_secs(5);
/// The pause between two tries of a lock.
const RETRY: Duration = Duration::from_millis(1);
pub const OPENING_BALANCE: i64 = 1_000;
/// The tellers' thread names.
pub const TELLERS: [&str; 2] = ["teller-1", "teller-2"];

/// In which order the tellers take the two locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Each teller locks the account it takes money from, then the one it pays into.
    Opposite,
    /// Both lock account A first, whichever way the money goes.
    Same,
}

/// Where a teller is, as the watchdog sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[repr(u8)]
pub enum Phase {
    Starting,
    WaitingFirst,
    Holding,
    WaitingSecond,
    Transferring,
    /// Made all its transfers.
    Finished,
    /// Let go of its lock and ended, because the watchdog said so.
    BackedOff,
    /// Ended because the lesson is shutting down.
    Stopped,
    /// Waited `GIVE_UP_AFTER` for one lock and ended by itself.
    GaveUp,
}

impl Phase {
    const ALL: [Self; 9] = [
        Self::Starting,
        Self::WaitingFirst,
        Self::Holding,
        Self::WaitingSecond,
        Self::Transferring,
        Self::Finished,
        Self::BackedOff,
        Self::Stopped,
        Self::GaveUp,
    ];

    pub fn is_waiting(self) -> bool {
        matches!(self, Self::WaitingFirst | Self::WaitingSecond)
    }

    pub fn is_over(self) -> bool {
        matches!(self, Self::Finished | Self::BackedOff | Self::Stopped | Self::GaveUp)
    }
}

pub struct Account {
    pub name: &'static str,
    balance: Mutex<i64>,
}

/// What the watchdog may look at without taking a lock: atomics.
#[derive(Default)]
struct Teller {
    phase: AtomicU8,
    transfers: AtomicU32,
}

impl Teller {
    fn set(&self, phase: Phase) {
        self.phase.store(phase as u8, Ordering::Release);
    }

    fn phase(&self) -> Phase {
        Phase::ALL[usize::from(self.phase.load(Ordering::Acquire))]
    }
}

/// The two accounts, the two tellers' states, and the flags that end them.
pub struct Bank {
    order: Order,
    accounts: [Account; 2],
    tellers: [Teller; 2],
    /// Both tellers start their first transfer together.
    ready: AtomicUsize,
    /// Set by the watchdog: a teller that sees it lets go of what it holds and ends.
    back_off: AtomicBool,
    /// Set at shutdown.
    stop: Arc<AtomicBool>,
}

// Shared by the two tellers and the window's watchdog, behind an `Arc`: checked here.
static_assertions::assert_impl_all!(Bank: Send, Sync);

/// Starts the two tellers. Their threads end by themselves: joining them never hangs.
pub fn start(order: Order, stop: Arc<AtomicBool>) -> std::io::Result<(Arc<Bank>, Vec<Named>)> {
    let account = |name| Account { name, balance: Mutex::new(OPENING_BALANCE) };
    let bank = Arc::new(Bank {
        order,
        accounts: [account("A"), account("B")],
        tellers: Default::default(),
        ready: AtomicUsize::new(0),
        back_off: AtomicBool::new(false),
        stop,
    });
    let mut threads = Vec::new();
    for (who, name) in TELLERS.into_iter().enumerate() {
        let for_teller = Arc::clone(&bank);
        let spawned = spawn_named(name, move || for_teller.serve(who));
        match spawned {
            Ok(thread) => threads.push(thread),
            Err(e) => {
                // The first teller must not wait at the start for a second that never comes.
                bank.back_off.store(true, Ordering::Release);
                return Err(e);
            }
        }
    }
    Ok((bank, threads))
}

impl Bank {
    fn serve(&self, who: usize) {
        let ending = self.transfer_all(who);
        self.tellers[who].set(ending);
    }

    // ANCHOR: teller
    /// One teller's whole job: `TRANSFERS` transfers from its account to the other one.
    fn transfer_all(&self, who: usize) -> Phase {
        let me = &self.tellers[who];
        let (pays, _) = self.accounts_of(who);
        let (first, second) = self.lock_order(who);
        if !self.all_tellers_ready() {
            return Phase::Stopped;
        }
        for _ in 0..TRANSFERS {
            me.set(Phase::WaitingFirst);
            let mut first_guard = match self.lock_or_back_off(first) {
                Ok(guard) => guard,
                Err(ending) => return ending,
            };
            me.set(Phase::Holding);
            #[expect(
                clippy::disallowed_methods,
                reason = "the teller's work under its first lock, on the teller's thread"
            )]
            std::thread::sleep(HOLD);
            me.set(Phase::WaitingSecond);
            // Returning here drops `first_guard`: a teller that backs off lets go of its lock.
            let mut second_guard = match self.lock_or_back_off(second) {
                Ok(guard) => guard,
                Err(ending) => return ending,
            };
            me.set(Phase::Transferring);
            let (paying, paid) = if std::ptr::eq(first, pays) {
                (&mut *first_guard, &mut *second_guard)
            } else {
                (&mut *second_guard, &mut *first_guard)
            };
            *paying -= 1;
            *paid += 1;
            me.transfers.fetch_add(1, Ordering::Release);
        }
        Phase::Finished
    }
    // ANCHOR_END: teller

    /// The account a teller takes money from, and the one it pays into.
    fn accounts_of(&self, who: usize) -> (&Account, &Account) {
        let [a, b] = &self.accounts;
        if who == 0 { (a, b) } else { (b, a) }
    }

    // ANCHOR: order
    /// The account a teller locks first, and the one it locks second.
    fn lock_order(&self, who: usize) -> (&Account, &Account) {
        let (pays, is_paid) = self.accounts_of(who);
        match self.order {
            // Lock the account the money leaves, then the one it goes to: teller 1 takes A
            // then B, teller 2 takes B then A.
            Order::Opposite => (pays, is_paid),
            // One order for everyone, whichever way the money goes: A, then B.
            Order::Same => (&self.accounts[0], &self.accounts[1]),
        }
    }
    // ANCHOR_END: order

    // ANCHOR: lock_or_back_off
    /// `lock()` with a way out, like Qt's `tryLock(timeout)`: std's `Mutex` has no timed lock,
    /// so try, and between tries look at the flags that say to let go.
    fn lock_or_back_off<'a>(&self, account: &'a Account) -> Result<MutexGuard<'a, i64>, Phase> {
        let started = Instant::now();
        loop {
            // The flags first: once the watchdog has spoken, no teller takes another lock.
            if self.stop.load(Ordering::Acquire) {
                return Err(Phase::Stopped);
            }
            if self.back_off.load(Ordering::Acquire) {
                return Err(Phase::BackedOff);
            }
            match account.balance.try_lock() {
                Ok(guard) => return Ok(guard),
                Err(TryLockError::Poisoned(poisoned)) => return Ok(poisoned.into_inner()),
                Err(TryLockError::WouldBlock) => {}
            }
            if started.elapsed() > GIVE_UP_AFTER {
                return Err(Phase::GaveUp);
            }
            #[expect(
                clippy::disallowed_methods,
                reason = "a teller waiting for a lock, on the teller's thread"
            )]
            std::thread::sleep(RETRY);
        }
    }
    // ANCHOR_END: lock_or_back_off

    /// Waits, for a second at most, until both tellers are here.
    fn all_tellers_ready(&self) -> bool {
        self.ready.fetch_add(1, Ordering::AcqRel);
        let deadline = Instant::now() + Duration::from_secs(1);
        while self.ready.load(Ordering::Acquire) < self.tellers.len() {
            let told_to_end =
                self.stop.load(Ordering::Acquire) || self.back_off.load(Ordering::Acquire);
            if told_to_end || Instant::now() > deadline {
                return false;
            }
            #[expect(
                clippy::disallowed_methods,
                reason = "a teller waiting for the other to start, on the teller's thread"
            )]
            std::thread::sleep(RETRY);
        }
        true
    }

    pub fn phases(&self) -> [Phase; 2] {
        [self.tellers[0].phase(), self.tellers[1].phase()]
    }

    pub fn transfers_done(&self) -> u32 {
        self.tellers.iter().map(|t| t.transfers.load(Ordering::Acquire)).sum()
    }

    /// Whether both tellers hold one lock each and wait for the other's.
    pub fn deadlocked(&self) -> bool {
        self.phases() == [Phase::WaitingSecond, Phase::WaitingSecond]
    }

    /// The balances, read under each account's lock. Call it once the tellers have ended.
    pub fn balances(&self) -> [i64; 2] {
        self.accounts
            .each_ref()
            .map(|account| *account.balance.lock().unwrap_or_else(PoisonError::into_inner))
    }

    /// What a teller is doing, in words.
    pub fn describe(&self, who: usize) -> String {
        let (first, second) = self.lock_order(who);
        let (first, second) = (first.name, second.name);
        let phase = self.tellers[who].phase();
        let what = match phase {
            Phase::Starting => "starting".to_owned(),
            Phase::WaitingFirst => format!("waits for {first}"),
            Phase::Holding => format!("holds {first}"),
            Phase::WaitingSecond => format!("holds {first}, waits for {second}"),
            Phase::Transferring => format!("holds {first} and {second}"),
            Phase::Finished => "finished".to_owned(),
            Phase::BackedOff => format!("let go of {first} and ended"),
            Phase::Stopped => "stopped".to_owned(),
            Phase::GaveUp => "gave up".to_owned(),
        };
        let done = self.tellers[who].transfers.load(Ordering::Acquire);
        format!("teller {}: {what} ({done} of {TRANSFERS} done)", who + 1)
    }
}

/// What the watchdog saw when it called a deadlock.
#[derive(Debug, Clone, Copy)]
pub struct Stuck {
    /// How long no transfer had been made.
    pub quiet: Duration,
    pub phases: [Phase; 2],
}

/// What the watchdog says at each look.
#[derive(Debug, Clone, Copy)]
pub enum Verdict {
    Working,
    /// Both tellers were waiting, and no transfer had been made for `STUCK_AFTER`: the
    /// watchdog has told them to back off.
    Stuck(Stuck),
    /// Both tellers have ended.
    Over,
}

// ANCHOR: watchdog
/// Looks at the tellers from outside. It reads their atomics and never takes their locks: a
/// watchdog that waited for a lock could be stuck with them.
pub struct Watchdog {
    bank: Arc<Bank>,
    transfers_seen: u32,
    progress_at: Instant,
}

impl Watchdog {
    pub fn new(bank: Arc<Bank>) -> Self {
        Self { bank, transfers_seen: 0, progress_at: Instant::now() }
    }

    pub fn check(&mut self) -> Verdict {
        let now = Instant::now();
        let phases = self.bank.phases();
        if phases.iter().all(|phase| phase.is_over()) {
            return Verdict::Over;
        }
        let done = self.bank.transfers_done();
        if done != self.transfers_seen {
            (self.transfers_seen, self.progress_at) = (done, now);
            return Verdict::Working;
        }
        let quiet = now - self.progress_at;
        if phases.iter().all(|phase| phase.is_waiting()) && quiet >= STUCK_AFTER {
            self.bank.back_off.store(true, Ordering::Release);
            return Verdict::Stuck(Stuck { quiet, phases });
        }
        Verdict::Working
    }
}
// ANCHOR_END: watchdog

#[cfg(test)]
mod tests {
    use super::*;

    /// Runs the tellers with a watchdog looking every 10 ms, as the window does, and joins them.
    fn run(order: Order) -> (Option<Stuck>, Arc<Bank>) {
        let (bank, threads) = start(order, Arc::default()).unwrap();
        let mut watchdog = Watchdog::new(Arc::clone(&bank));
        let mut stuck = None;
        loop {
            match watchdog.check() {
                Verdict::Stuck(found) => stuck = Some(found),
                Verdict::Over => break,
                Verdict::Working => {}
            }
            #[expect(clippy::disallowed_methods, reason = "a unit test, not the main loop")]
            std::thread::sleep(Duration::from_millis(10));
        }
        for thread in threads {
            #[expect(clippy::disallowed_methods, reason = "a unit test; the tellers have ended")]
            thread.handle.join().unwrap();
        }
        (stuck, bank)
    }

    #[test]
    fn opposite_orders_deadlock_and_the_watchdog_breaks_it() {
        let (stuck, bank) = run(Order::Opposite);
        let stuck = stuck.expect("the watchdog saw a deadlock");
        assert_eq!(stuck.phases, [Phase::WaitingSecond, Phase::WaitingSecond]);
        assert!(stuck.quiet >= STUCK_AFTER);
        assert_eq!(bank.phases(), [Phase::BackedOff, Phase::BackedOff]);
        assert_eq!(bank.balances().iter().sum::<i64>(), 2 * OPENING_BALANCE);
    }

    #[test]
    fn one_order_finishes_every_transfer() {
        let (stuck, bank) = run(Order::Same);
        assert!(stuck.is_none());
        assert_eq!(bank.phases(), [Phase::Finished, Phase::Finished]);
        assert_eq!(bank.transfers_done(), 2 * TRANSFERS);
        // Each teller moved one unit per transfer, in opposite directions.
        assert_eq!(bank.balances(), [OPENING_BALANCE, OPENING_BALANCE]);
    }

    #[test]
    fn a_stop_ends_deadlocked_tellers() {
        let stop = Arc::new(AtomicBool::new(false));
        let (bank, threads) = start(Order::Opposite, Arc::clone(&stop)).unwrap();
        let deadline = Instant::now() + Duration::from_secs(5);
        while !bank.deadlocked() && Instant::now() < deadline {
            #[expect(clippy::disallowed_methods, reason = "a unit test, not the main loop")]
            std::thread::sleep(Duration::from_millis(1));
        }
        let deadlocked = bank.deadlocked();
        stop.store(true, Ordering::Release);
        for thread in threads {
            #[expect(clippy::disallowed_methods, reason = "a unit test; the tellers were stopped")]
            thread.handle.join().unwrap();
        }
        assert!(deadlocked, "the tellers never deadlocked: {:?}", bank.phases());
        assert_eq!(bank.phases(), [Phase::Stopped, Phase::Stopped]);
    }
}
