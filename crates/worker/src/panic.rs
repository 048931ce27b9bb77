//! A job's panic, as the main loop hears of it: its message, and the stack of the pool thread
//! where it happened, the counterpart of the traceback a Qt worker sends with its `error`
//! signal.

use std::backtrace::Backtrace;
use std::cell::{Cell, RefCell};
use std::fmt;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

/// A job that panicked.
#[derive(Debug, Clone, PartialEq)]
pub struct Panic {
    /// What the panic said.
    pub message: String,
    /// Where it happened: the pool thread's stack, captured as it panicked.
    pub backtrace: String,
}

impl fmt::Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

thread_local! {
    /// Set while this thread runs a job: only a job's panics are captured.
    static IN_JOB: Cell<bool> = const { Cell::new(false) };
    static CAUGHT: RefCell<Option<Backtrace>> = const { RefCell::new(None) };
}

/// Runs `job`, and turns a panic in it into a [`Panic`] with its backtrace.
pub(crate) fn catch<R>(job: impl FnOnce() -> R) -> Result<R, Panic> {
    install_hook();
    IN_JOB.set(true);
    let outcome = panic::catch_unwind(AssertUnwindSafe(job));
    IN_JOB.set(false);
    outcome.map_err(|payload| Panic {
        message: message(payload.as_ref()),
        backtrace: CAUGHT
            .take()
            .map_or_else(String::new, |trace| trace.to_string()),
    })
}

/// The stack must be taken while the panic unwinds, which only a panic hook sees: this one
/// takes it for a job's panic, then hands every panic to the hook that was there before.
fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if IN_JOB.get() {
                CAUGHT.set(Some(Backtrace::force_capture()));
            }
            previous(info);
        }));
    });
}

fn message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(text) = payload.downcast_ref::<&str>() {
        (*text).to_owned()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "the job panicked with a value that is not a string".to_owned()
    }
}
