//! The tokio runtime: made once, the first time something asks for it, on
//! threads of its own; kept where shutdown can take it back and stop it.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;
use tokio::runtime::{Builder, Handle, Runtime};

/// What the runtime's threads are called (`/proc/<pid>/task/*/comm`).
pub const THREAD_NAME: &str = "tokio-11";
/// Its worker threads. Waiting on sockets needs few: one would do.
pub const WORKERS: usize = 2;

// ANCHOR: runtime
/// The runtime, in an `Option` so that shutdown can take it out: a value in
/// a `static` is never dropped, so a bare `OnceLock<Runtime>` could never
/// be shut down. `live` counts its threads that have not ended yet.
struct Tokio {
    runtime: Mutex<Option<Runtime>>,
    live: Arc<AtomicUsize>,
}

static TOKIO: OnceLock<Tokio> = OnceLock::new();

/// A handle to spawn on, the runtime made on first use; `None` once it has
/// shut down.
pub fn handle() -> Option<Handle> {
    let tokio = TOKIO.get_or_init(start);
    let runtime = tokio.runtime.lock().ok()?;
    runtime.as_ref().map(|runtime| runtime.handle().clone())
}

fn start() -> Tokio {
    let live = Arc::new(AtomicUsize::new(0));
    let (up, down) = (live.clone(), live.clone());
    let runtime = Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .thread_name(THREAD_NAME)
        .on_thread_start(move || {
            up.fetch_add(1, Ordering::SeqCst);
        })
        .on_thread_stop(move || {
            down.fetch_sub(1, Ordering::SeqCst);
        })
        .enable_all()
        .build()
        .expect("the system lets a process start threads");
    Tokio { runtime: Mutex::new(Some(runtime)), live }
}
// ANCHOR_END: runtime

// ANCHOR: shut_down
/// Stops the runtime: each task is dropped the next time it yields (an
/// `.await` that has to wait), and the runtime's threads are waited for,
/// `patience` at most. An error says how many still ran by then.
pub fn shut_down(patience: Duration) -> Result<(), String> {
    let Some(tokio) = TOKIO.get() else { return Ok(()) };
    let taken = tokio.runtime.lock().map(|mut runtime| runtime.take());
    let Some(runtime) = taken.map_err(|_| "the runtime's lock is poisoned")?
    else {
        return Ok(());
    };
    // This blocks the main thread, for `patience` at most: the window is
    // closed by now. Dropping the runtime would wait too, with no bound.
    runtime.shutdown_timeout(patience);
    match tokio.live.load(Ordering::SeqCst) {
        0 => Ok(()),
        n => Err(format!(
            "{n} of the runtime's threads still ran after {patience:?}"
        )),
    }
}
// ANCHOR_END: shut_down
