//! The tutorials' generic worker, written out by hand before the `worker`
//! crate does it for us: any closure, run on a glib thread pool, telling the
//! main loop over a channel. It is all there is to `QRunnable` plus
//! `WorkerSignals`; the crate adds progress, cancellation and the ordering
//! rules.

use static_assertions::assert_impl_all;

// ANCHOR: plain_worker
/// What a job tells the main loop, the tutorial's `WorkerSignals`. Plain
/// data, so it is `Send` and may cross from the pool thread to the main
/// thread.
#[derive(Debug)]
pub enum Signal<T> {
    Result(T),
    Error(String),
    Finished,
}

/// Runs `job` on `pool` and returns the channel its signals arrive on. `job`
/// must be `Send`: it moves to a pool thread, so it can capture plain data
/// but never a widget.
pub fn run_on_pool<T, F>(
    pool: &glib::ThreadPool,
    job: F,
) -> Result<async_channel::Receiver<Signal<T>>, glib::Error>
where
    F: FnOnce() -> T + Send + 'static,
    T: Send + 'static,
{
    // Unbounded is safe here: a job sends two signals, never more.
    let (signals, receiver) = async_channel::unbounded();
    pool.push(move || {
        // glib's `push` catches a panic too, so the pool thread survives
        // either way, but it hands the panic to the `ThreadHandle` nobody
        // keeps here. Catching it first is what still sends Error and
        // Finished: unwinding past the sends would close the channel with
        // neither. A send fails only if the main loop stopped listening, and
        // then nobody needs the signal.
        let job = std::panic::AssertUnwindSafe(job);
        let signal = match std::panic::catch_unwind(job) {
            Ok(value) => Signal::Result(value),
            Err(_) => Signal::Error("the job panicked".to_owned()),
        };
        let _ = signals.try_send(signal);
        let _ = signals.try_send(Signal::Finished);
    })?;
    Ok(receiver)
}
// ANCHOR_END: plain_worker

assert_impl_all!(Signal<u64>: Send);
