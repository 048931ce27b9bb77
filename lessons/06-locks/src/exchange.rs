//! Two threads waiting on each other's messages: a deadlock without a lock.
//! A client sends requests to a server over one bounded channel and reads
//! the replies from another; the server answers each request as it reads
//! it. The client sends all its requests before it reads a reply. Once the
//! replies fill their channel, the server waits for room in it, and stops
//! reading requests; once the requests fill theirs, the client waits too.
//! Each waits for the other: a cycle of bounded channels with blocking
//! sends. With the replies unbounded, the server never waits, and the cycle
//! is gone.

use crate::threads::{Named, spawn_named};
use crate::watchdog::Seen;
use async_channel::{Receiver, Sender, WeakSender};
use std::sync::Arc;
use std::sync::atomic::Ordering::{Acquire, Release};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicU32};

/// The requests the client sends.
pub const REQUESTS: u32 = 20;
/// What a bounded channel holds.
pub const CAPACITY: usize = 4;
/// The threads' names.
pub const THREADS: [&str; 2] = ["client", "server"];

/// The channel the replies travel on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Replies {
    /// Bounded, like the requests': the cycle.
    Bounded,
    /// Unbounded: the server's sends never wait.
    Unbounded,
}

/// Where a thread is, as the window and the watchdog see it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Phase {
    Starting,
    Sending,
    Receiving,
    Finished,
    /// Its channel was closed under it: the watchdog or the shutdown.
    CutOff,
}

impl Phase {
    const ALL: [Self; 5] = [
        Self::Starting,
        Self::Sending,
        Self::Receiving,
        Self::Finished,
        Self::CutOff,
    ];

    fn is_over(self) -> bool {
        matches!(self, Self::Finished | Self::CutOff)
    }
}

/// What the two threads publish, and weak ends of both channels, to close
/// them without keeping them open.
pub struct Exchange {
    phases: [AtomicU8; 2],
    sent: AtomicU32,
    replied: AtomicU32,
    read: AtomicU32,
    requests: WeakSender<u32>,
    replies: WeakSender<u32>,
    /// Set by `cut`: a closed channel then means cut off, not done.
    cut: AtomicBool,
}

/// Starts the client and the server.
pub fn start(replies: Replies) -> std::io::Result<(Arc<Exchange>, Vec<Named>)> {
    let (to_server, requests) = async_channel::bounded(CAPACITY);
    let (to_client, answers) = match replies {
        Replies::Bounded => async_channel::bounded(CAPACITY),
        Replies::Unbounded => async_channel::unbounded(),
    };
    let exchange = Arc::new(Exchange {
        phases: Default::default(),
        sent: AtomicU32::new(0),
        replied: AtomicU32::new(0),
        read: AtomicU32::new(0),
        requests: to_server.downgrade(),
        replies: to_client.downgrade(),
        cut: AtomicBool::new(false),
    });
    let shared = Arc::clone(&exchange);
    let client = spawn_named(THREADS[0], move || {
        let ending = shared.client(to_server, &answers).err();
        shared.set(0, ending.unwrap_or(Phase::Finished));
    });
    let client = client.inspect_err(|_| exchange.cut())?;
    let shared = Arc::clone(&exchange);
    let server = spawn_named(THREADS[1], move || {
        let ending = shared.server(&requests, &to_client).err();
        shared.set(1, ending.unwrap_or(Phase::Finished));
    });
    let server = server.inspect_err(|_| exchange.cut())?;
    Ok((exchange, vec![client, server]))
}

impl Exchange {
    // ANCHOR: threads
    /// The client: every request first, then every reply.
    fn client(
        &self,
        requests: Sender<u32>,
        replies: &Receiver<u32>,
    ) -> Result<(), Phase> {
        self.set(0, Phase::Sending);
        for request in 0..REQUESTS {
            send(&requests, request)?;
            self.sent.fetch_add(1, Release);
        }
        // No more requests: the server's loop ends when it has read them.
        drop(requests);
        self.set(0, Phase::Receiving);
        for _ in 0..REQUESTS {
            receive(replies)?;
            self.read.fetch_add(1, Release);
        }
        Ok(())
    }

    /// The server: a reply to each request, as it reads it.
    fn server(
        &self,
        requests: &Receiver<u32>,
        replies: &Sender<u32>,
    ) -> Result<(), Phase> {
        loop {
            self.set(1, Phase::Receiving);
            let Ok(request) = receive(requests) else {
                // No request left: the client is done sending, or was cut.
                return if self.cut.load(Acquire) {
                    Err(Phase::CutOff)
                } else {
                    Ok(())
                };
            };
            self.set(1, Phase::Sending);
            send(replies, 2 * request)?;
            self.replied.fetch_add(1, Release);
        }
    }
    // ANCHOR_END: threads

    fn set(&self, who: usize, phase: Phase) {
        self.phases[who].store(phase as u8, Release);
    }

    fn phase(&self, who: usize) -> Phase {
        Phase::ALL[usize::from(self.phases[who].load(Acquire))]
    }

    // ANCHOR: cut
    /// Closes both channels: every send and receive waiting on them returns
    /// an error at once, so both threads end. The weak ends do not keep a
    /// channel open, and upgrading one fails once it is closed.
    pub fn cut(&self) {
        self.cut.store(true, Release);
        for weak in [&self.requests, &self.replies] {
            if let Some(sender) = weak.upgrade() {
                sender.close();
            }
        }
    }
    // ANCHOR_END: cut

    /// What the watchdog reads: atomics only.
    pub fn seen(&self) -> Seen {
        let phases = [self.phase(0), self.phase(1)];
        let counts = [&self.sent, &self.replied, &self.read];
        Seen {
            progress: counts.iter().map(|count| count.load(Acquire)).sum(),
            both_waiting: phases.iter().all(|phase| !phase.is_over()),
            both_over: phases.iter().all(|phase| phase.is_over()),
        }
    }

    pub fn requests_sent(&self) -> u32 {
        self.sent.load(Acquire)
    }

    pub fn replies_read(&self) -> u32 {
        self.read.load(Acquire)
    }

    /// What a thread is doing, in words.
    pub fn describe(&self, who: usize) -> String {
        let what = match (who, self.phase(who)) {
            (_, Phase::Starting) => "starting",
            (0, Phase::Sending) => "sends its requests",
            (_, Phase::Sending) => "sends a reply",
            (0, Phase::Receiving) => "reads the replies",
            (_, Phase::Receiving) => "reads a request",
            (_, Phase::Finished) => "finished",
            (_, Phase::CutOff) => "cut off: its channel was closed",
        };
        let (sent, replied, read) = (
            self.sent.load(Acquire),
            self.replied.load(Acquire),
            self.read.load(Acquire),
        );
        match who {
            0 => format!("client: {what} ({sent} sent, {read} replies read)"),
            _ => format!("server: {what} ({replied} replied)"),
        }
    }
}

/// A blocking send, on a thread of the exchange.
fn send(channel: &Sender<u32>, message: u32) -> Result<(), Phase> {
    #[expect(
        clippy::disallowed_methods,
        reason = "the exchange's own threads block on purpose: the deadlock \
                  shown"
    )]
    let sent = channel.send_blocking(message);
    sent.map_err(|_| Phase::CutOff)
}

/// A blocking receive, on a thread of the exchange.
fn receive(channel: &Receiver<u32>) -> Result<u32, Phase> {
    #[expect(
        clippy::disallowed_methods,
        reason = "the exchange's own threads wait for messages"
    )]
    let received = channel.recv_blocking();
    received.map_err(|_| Phase::CutOff)
}
