//! A panic while holding a lock. The guard is dropped as the panic unwinds,
//! so the lock is released: nobody waits forever. But the mutex is marked
//! poisoned, and every later `lock()` returns a `PoisonError`, because the
//! data inside may be half changed. The window checks the data, repairs it,
//! and only then clears the poison.

use std::sync::{Mutex, PoisonError, TryLockError};

/// What the two accounts hold together whenever no transfer is under way.
pub const TOTAL: i64 = 2_000;
/// The transfer the buggy job makes.
pub const AMOUNT: i64 = 100;

// ANCHOR: book
/// Two accounts behind one lock. A transfer notes what it moves before it
/// starts, so that whoever finds it half done knows how to undo it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Book {
    pub a: i64,
    pub b: i64,
    pub pending: Option<i64>,
}

impl Book {
    pub fn new() -> Self {
        Self { a: TOTAL / 2, b: TOTAL / 2, pending: None }
    }
}

/// A transfer with a bug: it panics between the debit and the credit,
/// holding the lock.
pub fn buggy_transfer(book: &Mutex<Book>) {
    let mut book = book.lock().unwrap_or_else(PoisonError::into_inner);
    book.pending = Some(AMOUNT);
    book.a -= AMOUNT;
    panic!("a bug between the debit and the credit");
}
// ANCHOR_END: book

/// What the window found after the panic, and did about it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Recovery {
    /// `try_lock` succeeded: nothing panicked under the lock.
    NotPoisoned,
    /// `try_lock` found the lock held: the guard was not dropped.
    StillLocked,
    /// `try_lock` said poisoned. `found` is the data as the panic left it,
    /// `repaired` after the pending transfer was undone; `lock_ok` is what
    /// `lock()` returned once the poison was cleared.
    Repaired { found: Book, repaired: Book, lock_ok: bool },
}

// ANCHOR: recover
/// After a panic under the lock: check the data, repair it, clear the
/// poison. Never waits: the lock is free, or this says so.
pub fn recover(book: &Mutex<Book>) -> Recovery {
    let mut data = match book.try_lock() {
        Ok(_) => return Recovery::NotPoisoned,
        Err(TryLockError::WouldBlock) => return Recovery::StillLocked,
        // The lock is ours, and the error carries its guard.
        Err(TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
    };
    let found = *data;
    // Half a transfer: the debit was made, the credit was not. Undo it.
    if let Some(amount) = data.pending.take() {
        data.a += amount;
    }
    let repaired = *data;
    drop(data);
    if repaired.a + repaired.b == TOTAL {
        book.clear_poison();
    }
    let lock_ok = book.lock().is_ok();
    Recovery::Repaired { found, repaired, lock_ok }
}
// ANCHOR_END: recover
