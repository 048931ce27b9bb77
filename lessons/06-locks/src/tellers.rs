//! Lock ordering. Two tellers, each on its own thread, move money between
//! two accounts, and each transfer holds both accounts' locks. Taken in
//! opposite orders, the locks deadlock: the window's watchdog notices that
//! neither teller moves and has both back off. Taken in one order, the same
//! work finishes.
//!
//! Nothing here can hang: a teller never waits for a lock without a way out
//! (`try_lock`, and a look at the back-off and stop flags between tries), so
//! every teller ends, and can be joined.

use crate::threads::{Named, spawn_named};
use crate::watchdog::Seen;
use std::sync::atomic::Ordering::{AcqRel, Acquire, Release};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32, AtomicUsize};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError, TryLockError};
use std::time::{Duration, Instant};

/// Transfers each teller is asked to make.
pub const TRANSFERS: u32 = 10;
/// How long a teller works while it holds its first lock (checking the
/// balance, say): long enough for the other to take its own first lock.
pub const HOLD: Duration = Duration::from_millis(20);
/// A teller that waits longer than this for one lock gives up by itself:
/// the last line of defence, should the watchdog never run.
const GIVE_UP_AFTER: Duration = Duration::from_secs(5);
/// The pause between two tries of a lock.
const RETRY: Duration = Duration::from_millis(1);
pub const OPENING_BALANCE: i64 = 1_000;
/// The tellers' thread names.
pub const TELLERS: [&str; 2] = ["teller-1", "teller-2"];

/// In which order the tellers take the two locks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Each teller locks the account it pays from, then the one it pays.
    Opposite,
    /// Both lock account A first, whichever way the money goes.
    Same,
}

/// Where a teller is, as the watchdog and the window see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

    fn is_waiting(self) -> bool {
        matches!(self, Self::WaitingFirst | Self::WaitingSecond)
    }

    fn is_over(self) -> bool {
        use Phase::*;
        matches!(self, Finished | BackedOff | Stopped | GaveUp)
    }
}

pub struct Account {
    name: &'static str,
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
        self.phase.store(phase as u8, Release);
    }

    fn phase(&self) -> Phase {
        Phase::ALL[usize::from(self.phase.load(Acquire))]
    }
}

/// The two accounts, the two tellers' states, and the flags that end them.
pub struct Bank {
    order: Order,
    accounts: [Account; 2],
    tellers: [Teller; 2],
    /// Both tellers start their first transfer together.
    ready: AtomicUsize,
    /// Set by the watchdog: a teller that sees it lets go and ends.
    back_off: AtomicBool,
    /// Set at shutdown.
    stop: Arc<AtomicBool>,
}

// Shared by the tellers and the window's watchdog, behind an `Arc`.
static_assertions::assert_impl_all!(Bank: Send, Sync);

/// Starts the two tellers. Their threads end by themselves.
pub fn start(
    order: Order,
    stop: Arc<AtomicBool>,
) -> std::io::Result<(Arc<Bank>, Vec<Named>)> {
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
        let work = move || {
            let ending = for_teller.transfer_all(who).err();
            for_teller.tellers[who].set(ending.unwrap_or(Phase::Finished));
        };
        match spawn_named(name, work) {
            Ok(thread) => threads.push(thread),
            Err(e) => {
                // The first teller must not wait for a second that never
                // comes.
                bank.back_off();
                return Err(e);
            }
        }
    }
    Ok((bank, threads))
}

impl Bank {
    // ANCHOR: teller
    /// One teller's whole job: `TRANSFERS` transfers from its account to the
    /// other one. `Err`: how it ended early.
    fn transfer_all(&self, who: usize) -> Result<(), Phase> {
        let me = &self.tellers[who];
        let (pays, _) = self.accounts_of(who);
        let (first, second) = self.lock_order(who);
        if !self.all_tellers_ready() {
            return Err(Phase::Stopped);
        }
        for _ in 0..TRANSFERS {
            me.set(Phase::WaitingFirst);
            let mut first_guard = self.lock_or_back_off(first)?;
            me.set(Phase::Holding);
            #[expect(
                clippy::disallowed_methods,
                reason = "the teller's work under its first lock"
            )]
            std::thread::sleep(HOLD);
            me.set(Phase::WaitingSecond);
            // Returning here drops `first_guard`: a teller that backs off
            // lets go of its lock.
            let mut second_guard = self.lock_or_back_off(second)?;
            me.set(Phase::Transferring);
            let (paying, paid) = if std::ptr::eq(first, pays) {
                (&mut *first_guard, &mut *second_guard)
            } else {
                (&mut *second_guard, &mut *first_guard)
            };
            *paying -= 1;
            *paid += 1;
            me.transfers.fetch_add(1, Release);
        }
        Ok(())
    }
    // ANCHOR_END: teller

    /// The account a teller pays from, and the one it pays.
    fn accounts_of(&self, who: usize) -> (&Account, &Account) {
        let [a, b] = &self.accounts;
        if who == 0 { (a, b) } else { (b, a) }
    }

    // ANCHOR: order
    /// The account a teller locks first, and the one it locks second.
    fn lock_order(&self, who: usize) -> (&Account, &Account) {
        let (pays, is_paid) = self.accounts_of(who);
        match self.order {
            // The account the money leaves, then the one it goes to:
            // teller 1 takes A then B, teller 2 takes B then A.
            Order::Opposite => (pays, is_paid),
            // One order for everyone, whichever way the money goes.
            Order::Same => (&self.accounts[0], &self.accounts[1]),
        }
    }
    // ANCHOR_END: order

    // ANCHOR: lock_or_back_off
    /// `lock()` with a way out, like Qt's `tryLock(timeout)`: std's `Mutex`
    /// has no timed lock, so try, and between tries look at the flags that
    /// say to let go.
    fn lock_or_back_off<'a>(
        &self,
        account: &'a Account,
    ) -> Result<MutexGuard<'a, i64>, Phase> {
        let started = Instant::now();
        loop {
            // The flags first: once the watchdog has spoken, no teller takes
            // another lock.
            if self.stop.load(Acquire) {
                return Err(Phase::Stopped);
            }
            if self.back_off.load(Acquire) {
                return Err(Phase::BackedOff);
            }
            match account.balance.try_lock() {
                Ok(guard) => return Ok(guard),
                Err(TryLockError::Poisoned(poisoned)) => {
                    return Ok(poisoned.into_inner());
                }
                Err(TryLockError::WouldBlock) => {}
            }
            if started.elapsed() > GIVE_UP_AFTER {
                return Err(Phase::GaveUp);
            }
            #[expect(
                clippy::disallowed_methods,
                reason = "a teller waiting for a lock, on its own thread"
            )]
            std::thread::sleep(RETRY);
        }
    }
    // ANCHOR_END: lock_or_back_off

    /// Waits, for a second at most, until both tellers are here.
    fn all_tellers_ready(&self) -> bool {
        self.ready.fetch_add(1, AcqRel);
        let deadline = Instant::now() + Duration::from_secs(1);
        while self.ready.load(Acquire) < self.tellers.len() {
            let told = self.stop.load(Acquire) || self.back_off.load(Acquire);
            if told || Instant::now() > deadline {
                return false;
            }
            #[expect(
                clippy::disallowed_methods,
                reason = "a teller waiting for the other to start"
            )]
            std::thread::sleep(RETRY);
        }
        true
    }

    /// The watchdog's word: every teller lets go of what it holds and ends.
    pub fn back_off(&self) {
        self.back_off.store(true, Release);
    }

    pub fn phases(&self) -> [Phase; 2] {
        self.tellers.each_ref().map(Teller::phase)
    }

    pub fn transfers_done(&self) -> u32 {
        self.tellers.iter().map(|t| t.transfers.load(Acquire)).sum()
    }

    /// What the watchdog reads: atomics only.
    pub fn seen(&self) -> Seen {
        let phases = self.phases();
        Seen {
            progress: self.transfers_done(),
            both_waiting: phases.iter().all(|phase| phase.is_waiting()),
            both_over: phases.iter().all(|phase| phase.is_over()),
        }
    }

    /// The balances, read under each account's lock. Call it once the
    /// tellers have ended.
    pub fn balances(&self) -> [i64; 2] {
        let balance = |account: &Account| {
            *account.balance.lock().unwrap_or_else(PoisonError::into_inner)
        };
        self.accounts.each_ref().map(balance)
    }

    /// What a teller is doing, in words.
    pub fn describe(&self, who: usize) -> String {
        let (first, second) = self.lock_order(who);
        let (first, second) = (first.name, second.name);
        let what = match self.tellers[who].phase() {
            Phase::Starting => "starting".to_owned(),
            Phase::WaitingFirst => format!("waits for {first}"),
            Phase::Holding => format!("holds {first}"),
            Phase::WaitingSecond => {
                format!("holds {first}, waits for {second}")
            }
            Phase::Transferring => format!("holds {first} and {second}"),
            Phase::Finished => "finished".to_owned(),
            Phase::BackedOff => format!("let go of {first} and ended"),
            Phase::Stopped => "stopped".to_owned(),
            Phase::GaveUp => "gave up".to_owned(),
        };
        let done = self.tellers[who].transfers.load(Acquire);
        format!("teller {}: {what} ({done} of {TRANSFERS} done)", who + 1)
    }
}
