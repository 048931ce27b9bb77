//! Joining a thread, but never waiting for it forever.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::thread::JoinHandle;
use std::time::Duration;

/// Waits up to `patience` for `thread` to end, then joins it. `gone` hears
/// nothing: its sender lives in the thread's closure and is dropped when the
/// closure returns or unwinds, so a closed channel means the thread is done.
pub fn join_within(
    thread: JoinHandle<()>,
    gone: &mpsc::Receiver<()>,
    patience: Duration,
) -> Result<(), String> {
    #[expect(
        clippy::disallowed_methods,
        reason = "at shutdown, or once the thread said it was done: a \
                  bounded wait for a thread that has been told to stop"
    )]
    let ended = gone.recv_timeout(patience);
    if ended == Err(RecvTimeoutError::Timeout) {
        return Err(format!("its thread was still running after {patience:?}"));
    }
    #[expect(
        clippy::disallowed_methods,
        reason = "the thread's closure has returned: it is ending"
    )]
    let joined = thread.join();
    joined.map_err(|_| "its thread panicked".to_owned())
}
