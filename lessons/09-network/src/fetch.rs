//! The fetch on the main loop: gio's socket client and async reads, each
//! wait an `.await` in a future spawned with `glib::spawn_future_local`.
//! A socket's stream is pollable: gio waits for it with the main loop's
//! own poll, and no thread is involved.

use crate::protocol::{Behaviour, Failure, Fetched, Progress, Receiving};
use gtk::gio;
use gtk::prelude::*;
use std::net::SocketAddr;
use std::time::Duration;

/// The most one read takes in: several pieces, if they are there already.
pub const READ_BYTES: usize = 16 * 1024;
const PRIORITY: glib::Priority = glib::Priority::DEFAULT;

// ANCHOR: connect
/// Connects to `address` with gio's socket client, on the main loop.
pub async fn connect(
    address: SocketAddr,
) -> Result<gio::SocketConnection, glib::Error> {
    let client = gio::SocketClient::new();
    // A loopback address needs no proxy: this skips asking the system's
    // proxy resolver about it.
    client.set_enable_proxy(false);
    let address = gio::InetSocketAddress::from(address);
    client.connect_future(&address).await
}
// ANCHOR_END: connect

// ANCHOR: fetch
/// Fetches the payload, asking the server to behave as `ask`. Any wait
/// longer than `limit` (to connect, to send, for the next bytes) fails the
/// fetch as timed out.
pub async fn fetch(
    address: SocketAddr,
    ask: Behaviour,
    limit: Duration,
    on_progress: impl Fn(Progress),
) -> Result<Fetched, Failure> {
    let mut receiving = Receiving::default();
    let timed_out = |progress| Failure::TimedOut { progress, silence: limit };
    let at_first = || timed_out(Progress::default());
    let connecting = glib::future_with_timeout(limit, connect(address));
    let connection = connecting.await.map_err(|_| at_first())??;
    let output = connection.output_stream();
    let request = output.write_all_future(ask.request(), PRIORITY);
    let sent = glib::future_with_timeout(limit, request).await;
    sent.map_err(|_| at_first())?.map_err(|(_, error)| error)?;
    let input = connection.input_stream();
    let mut buffer = vec![0; READ_BYTES];
    loop {
        // The buffer is lent by value and comes back with the result.
        let read = input.read_future(buffer, PRIORITY);
        let read = glib::future_with_timeout(limit, read).await;
        let read = read.map_err(|_| timed_out(receiving.progress()))?;
        let (back, n) = read.map_err(|(_, error)| error)?;
        if n == 0 {
            break; // The server closed the connection.
        }
        on_progress(receiving.take(&back[..n])?);
        buffer = back;
    }
    connection.close_future(PRIORITY).await?;
    receiving.finish()
}
// ANCHOR_END: fetch
