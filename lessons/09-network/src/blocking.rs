//! The same fetch with std::net's blocking calls, for the two comparisons:
//! called in the click handler (the window freezes) and on a worker thread
//! of its own that sends its progress back over a channel (it does not).

use crate::fetch::READ_BYTES;
use crate::protocol::{Behaviour, Failure, Fetched, Progress, Receiving};
use crate::threads::join_within;
use std::io::{ErrorKind, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::thread::JoinHandle;
use std::time::Duration;

// ANCHOR: fetch_blocking
/// Fetches the payload with blocking calls: each one holds the thread
/// until the network answers, or for `limit` at most. No lint marks them:
/// they are not on the list in clippy.toml, and a read on a std::net
/// socket blocks only in the socket's default mode (`set_nonblocking`
/// makes the same call return `WouldBlock`), while the lint sees the call,
/// not the mode. Keeping this off the main loop is the caller's job.
pub fn fetch_blocking(
    stream: &mut TcpStream,
    ask: Behaviour,
    limit: Duration,
    mut on_progress: impl FnMut(Progress),
) -> Result<Fetched, Failure> {
    stream.set_read_timeout(Some(limit))?;
    stream.set_write_timeout(Some(limit))?;
    stream.write_all(ask.request())?;
    let mut receiving = Receiving::default();
    let mut buffer = vec![0; READ_BYTES];
    loop {
        let n = match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == ErrorKind::Interrupted => continue,
            // A read timeout is WouldBlock on Linux, TimedOut elsewhere.
            Err(e)
                if matches!(e.kind(), ErrorKind::WouldBlock)
                    || e.kind() == ErrorKind::TimedOut =>
            {
                let progress = receiving.progress();
                return Err(Failure::TimedOut { progress, silence: limit });
            }
            Err(e) => return Err(e.into()),
        };
        on_progress(receiving.take(&buffer[..n])?);
    }
    receiving.finish()
}
// ANCHOR_END: fetch_blocking

/// Connects with a blocking connect, for `limit` at most (not on the lint
/// list either).
pub fn connect_blocking(
    address: SocketAddr,
    limit: Duration,
) -> Result<TcpStream, Failure> {
    Ok(TcpStream::connect_timeout(&address, limit)?)
}

// ANCHOR: worker
/// What the worker thread tells the main loop.
pub enum Event {
    Progress(Progress),
    /// The last message. `None`: the fetch was cancelled.
    Done(Option<Result<Fetched, Failure>>),
}

/// A fetch on a thread of its own.
pub struct Worker {
    hangup: Arc<Hangup>,
    thread: JoinHandle<()>,
    gone: mpsc::Receiver<()>,
}

impl Worker {
    /// Starts the fetch; its events come through the returned channel.
    pub fn spawn(
        address: SocketAddr,
        ask: Behaviour,
        limit: Duration,
    ) -> std::io::Result<(Self, async_channel::Receiver<Event>)> {
        // Unbounded, and still small: a message per read, and the answer.
        let (sender, events) = async_channel::unbounded();
        let hangup = Arc::new(Hangup::default());
        let (alive, gone) = mpsc::channel::<()>();
        let hung_up = hangup.clone();
        let thread = std::thread::Builder::new()
            .name("fetch-worker".into())
            .spawn(move || {
                let _alive = alive; // dropped last: see `join_within`
                // Fails only once the window has stopped listening.
                let tell = |event| drop(sender.try_send(event));
                let connected = connect_blocking(address, limit);
                let fetched = connected.and_then(|mut stream| {
                    hung_up.register(&stream)?;
                    let show = |progress| tell(Event::Progress(progress));
                    fetch_blocking(&mut stream, ask, limit, show)
                });
                let cancelled = hung_up.cancelled();
                tell(Event::Done((!cancelled).then_some(fetched)));
            })?;
        Ok((Self { hangup, thread, gone }, events))
    }

    /// Stops the fetch: the worker's blocking read returns at once.
    pub fn cancel(&self) {
        self.hangup.hang_up();
    }

    /// Stops the fetch if it still runs, and joins the thread.
    pub fn stop(self) -> Result<(), String> {
        self.cancel();
        let patience = Duration::from_secs(2);
        join_within(self.thread, &self.gone, patience)
            .map_err(|e| format!("the fetch worker: {e}"))
    }
}
// ANCHOR_END: worker

// ANCHOR: hangup
/// How the main thread stops a thread that waits in a blocking read: it
/// shuts the socket down, which ends the read at once. The lock makes the
/// worker's "here is my socket" and the main thread's "hang up" happen one
/// after the other, whichever comes first.
#[derive(Default)]
struct Hangup(Mutex<(bool, Option<TcpStream>)>);

impl Hangup {
    /// The worker's socket, so that `hang_up` can reach it. Fails if the
    /// fetch was cancelled already.
    fn register(&self, stream: &TcpStream) -> Result<(), Failure> {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if state.0 {
            return Err(Failure::Io("cancelled".into()));
        }
        state.1 = Some(stream.try_clone()?);
        Ok(())
    }

    fn hang_up(&self) {
        let mut state = self.0.lock().unwrap_or_else(PoisonError::into_inner);
        state.0 = true;
        if let Some(stream) = state.1.take() {
            let _ = stream.shutdown(Shutdown::Both);
        }
    }

    fn cancelled(&self) -> bool {
        self.0.lock().unwrap_or_else(PoisonError::into_inner).0
    }
}
// ANCHOR_END: hangup
