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
        backtrace: CAUGHT.take().map_or_else(String::new, |trace| {
            from_the_panic(&trace.to_string())
        }),
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

/// The frames above the code that panicked are the panic's own machinery: the capture, the hook,
/// std's panicking and `rust_begin_unwind`. std leaves them out of the backtraces it prints, and
/// so does this: the stack starts where the job's code called `panic!` (or `unwrap`), numbered
/// from 0 again. A stack that does not start with them (no symbols) is kept whole.
fn from_the_panic(trace: &str) -> String {
    const MACHINERY: [&str; 8] = [
        "std::backtrace",
        "worker::panic::",
        "<alloc::boxed::Box<", // the hook, called through its box
        "std::panicking::",
        "std::sys::backtrace::",
        "__rustc::rust_begin_unwind",
        "rust_begin_unwind",
        "core::panicking::",
    ];
    // A frame is its "  12: name" line and the "at file:line" lines under it.
    let mut frames: Vec<(&str, Vec<&str>)> = Vec::new();
    for line in trace.lines() {
        let numbered =
            line.trim_start().split_once(": ").filter(|(number, _)| {
                !number.is_empty() && number.bytes().all(|b| b.is_ascii_digit())
            });
        match (numbered, frames.last_mut()) {
            (Some((_, name)), _) => frames.push((name, Vec::new())),
            (None, Some((_, under))) => under.push(line),
            (None, None) => {}
        }
    }
    let machinery =
        |name: &str| MACHINERY.iter().any(|prefix| name.starts_with(prefix));
    let skip = frames.iter().take_while(|(name, _)| machinery(name)).count();
    if skip == 0 || skip == frames.len() {
        return trace.to_owned();
    }
    let mut kept = String::new();
    for (number, (name, under)) in frames[skip..].iter().enumerate() {
        kept.push_str(&format!("{number:4}: {name}\n"));
        for line in under {
            kept.push_str(line);
            kept.push('\n');
        }
    }
    kept
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

#[cfg(test)]
mod tests {
    use super::from_the_panic;

    #[test]
    fn the_stack_starts_where_the_job_panicked() {
        let trace = "   0: std::backtrace::Backtrace::force_capture
             at /rustc/x/library/std/src/backtrace.rs:312:9
   1: worker::panic::install_hook::{{closure}}
   2: <alloc::boxed::Box<dyn core::ops::function::Fn<(&std::panic::PanicHookInfo,)>>>::call
   3: std::panicking::panic_with_hook
   4: std::sys::backtrace::__rust_end_short_backtrace
   5: __rustc::rust_begin_unwind
   6: core::panicking::panic_fmt
   7: core::result::unwrap_failed
   8: lesson::jobs::buggy_work
             at ./src/jobs.rs:40:5
   9: std::panicking::catch_unwind
  10: g_thread_pool_thread_proxy
";
        let kept = from_the_panic(trace);
        assert_eq!(
            kept,
            "   0: core::result::unwrap_failed
   1: lesson::jobs::buggy_work
             at ./src/jobs.rs:40:5
   2: std::panicking::catch_unwind
   3: g_thread_pool_thread_proxy
"
        );
        // Without symbols, or without the machinery, nothing is cut.
        let bare = "   0: <unknown>\n   1: <unknown>\n";
        assert_eq!(from_the_panic(bare), bare);
        assert_eq!(from_the_panic(""), "");
    }
}
