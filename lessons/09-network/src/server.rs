//! The lesson's own server, on 127.0.0.1 at a port the system picks, on a
//! thread of its own: the stand-in for a slow server far away. It serves one
//! connection at a time, answering slowly and in pieces, and stalls or drops
//! the connection when the request asks it to. Nothing here is the pattern:
//! it is what the pattern talks to.

use crate::protocol::{Behaviour, PIECE_BYTES, header, payload};
use crate::threads::join_within;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{Ipv4Addr, Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::mpsc::{self, RecvTimeoutError, TryRecvError};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// How long the server waits for a request line, and at most how long it
/// stalls or waits to write: every wait of the server's is bounded.
const REQUEST_PATIENCE: Duration = Duration::from_secs(5);
const LONGEST_STALL: Duration = Duration::from_secs(60);
/// How long stopping waits for the server's thread to end.
const STOP_PATIENCE: Duration = Duration::from_secs(2);

/// The connection being served, so that stopping can hang it up.
type Serving = Arc<Mutex<Option<TcpStream>>>;

pub struct Server {
    pub address: SocketAddr,
    /// Dropped to stop the server: its thread sees the channel closed.
    stop: mpsc::Sender<()>,
    serving: Serving,
    thread: JoinHandle<()>,
    /// Closes when the thread is done: see `join_within`.
    gone: mpsc::Receiver<()>,
}

impl Server {
    /// Starts the server; it sends a piece every `pace`.
    pub fn start(pace: Duration) -> std::io::Result<Self> {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0))?;
        let address = listener.local_addr()?;
        let (stop, stopped) = mpsc::channel();
        let (alive, gone) = mpsc::channel::<()>();
        let serving = Serving::default();
        let slot = serving.clone();
        let server = move || {
            let _alive = alive; // dropped last: see `join_within`
            serve_all(&listener, &stopped, &slot, pace);
        };
        let name = "lesson-server".to_owned();
        let thread = std::thread::Builder::new().name(name).spawn(server)?;
        Ok(Self { address, stop, serving, thread, gone })
    }

    /// Stops the server, hanging up the connection it serves, and joins
    /// its thread.
    pub fn stop(self) -> Result<(), String> {
        drop(self.stop);
        let serving =
            self.serving.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(stream) = serving.as_ref() {
            let _ = stream.shutdown(Shutdown::Both);
        }
        drop(serving);
        // The thread may be waiting in accept(): a connection wakes it.
        let _ = TcpStream::connect_timeout(&self.address, STOP_PATIENCE);
        join_within(self.thread, &self.gone, STOP_PATIENCE)
            .map_err(|e| format!("the server: {e}"))
    }
}

fn stopping(stopped: &mpsc::Receiver<()>) -> bool {
    matches!(stopped.try_recv(), Err(TryRecvError::Disconnected))
}

fn serve_all(
    listener: &TcpListener,
    stopped: &mpsc::Receiver<()>,
    serving: &Serving,
    pace: Duration,
) {
    let payload = payload();
    for stream in listener.incoming() {
        let Ok(stream) = stream else { continue };
        let slot = stream.try_clone().ok();
        // Noted before looking at the stop channel: either stopping sees
        // this connection and hangs it up, or this sees the channel closed.
        *serving.lock().unwrap_or_else(PoisonError::into_inner) = slot;
        if stopping(stopped) {
            return;
        }
        // A client that went away is no concern of the server's.
        let _ = serve(stream, stopped, pace, &payload);
        *serving.lock().unwrap_or_else(PoisonError::into_inner) = None;
    }
}

/// One connection: the request line, the header, then the pieces, one
/// every `pace`, as many as the request asks for.
fn serve(
    mut stream: TcpStream,
    stopped: &mpsc::Receiver<()>,
    pace: Duration,
    payload: &[u8],
) -> std::io::Result<()> {
    stream.set_read_timeout(Some(REQUEST_PATIENCE))?;
    // A client that stops reading holds a write up for so long at most.
    stream.set_write_timeout(Some(LONGEST_STALL))?;
    let mut line = String::new();
    BufReader::new(&stream).take(64).read_line(&mut line)?;
    let Some(behaviour) = Behaviour::from_request(&line) else {
        return Ok(());
    };
    stream.write_all(header(payload).as_bytes())?;
    for piece in payload.chunks(PIECE_BYTES).take(behaviour.pieces()) {
        #[expect(
            clippy::disallowed_methods,
            reason = "the server's own thread: waiting is its job, and \
                      the stop channel ends the wait at once"
        )]
        let waited = stopped.recv_timeout(pace);
        if waited != Err(RecvTimeoutError::Timeout) {
            return Ok(());
        }
        stream.write_all(piece)?;
    }
    if behaviour == Behaviour::Stall {
        // Silence, until the client hangs up (the read sees the end of
        // the stream) or stopping hangs up this side.
        stream.set_read_timeout(Some(LONGEST_STALL))?;
        let _ = stream.read(&mut [0; 1]);
    }
    // Answer and Drop alike close the connection here: for Drop, half way.
    Ok(())
}
