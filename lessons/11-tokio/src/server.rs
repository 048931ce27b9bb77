//! The loopback server the lesson asks: a task on the tokio runtime that
//! listens on 127.0.0.1 (the system picks the port) and answers each
//! request after a delay, unless its client hangs up first. It tells the
//! window what it hears over a channel.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::timeout;

/// How long the server waits for a request to arrive, or an answer to go.
const PATIENCE: Duration = Duration::from_secs(5);
/// The most of a request it reads.
const MAX_REQUEST: usize = 4096;

/// What the server tells the window.
#[derive(Debug)]
pub enum Heard {
    Listening(SocketAddr),
    /// A request came.
    Asked,
    /// Its answer went out.
    Answered,
    /// Its client hung up before the answer was ready.
    HungUp,
    Failed(String),
}

// ANCHOR: serve
/// Listens, and answers every connection on a task of its own.
pub async fn serve(delay: Duration, heard: async_channel::Sender<Heard>) {
    let listener = match TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).await {
        Ok(listener) => listener,
        Err(e) => {
            let _ = heard.send(Heard::Failed(e.to_string())).await;
            return;
        }
    };
    if let Ok(address) = listener.local_addr() {
        let _ = heard.send(Heard::Listening(address)).await;
    }
    loop {
        match listener.accept().await {
            Ok((socket, _)) => {
                tokio::spawn(answer(socket, delay, heard.clone()));
            }
            Err(e) => {
                let _ = heard.send(Heard::Failed(e.to_string())).await;
                return;
            }
        }
    }
}
// ANCHOR_END: serve

// ANCHOR: answer
/// Waits for the request, then for `delay`, and answers, unless the
/// client hangs up first.
async fn answer(
    mut socket: TcpStream,
    delay: Duration,
    heard: async_channel::Sender<Heard>,
) {
    // A connection that closes without a request gets nothing.
    let Ok(Some(path)) = timeout(PATIENCE, request(&mut socket)).await else {
        return;
    };
    let _ = heard.send(Heard::Asked).await;
    // The delay, cut short if the client hangs up meanwhile.
    if timeout(delay, hung_up(&mut socket)).await.is_ok() {
        let _ = heard.send(Heard::HungUp).await;
        return;
    }
    let body = format!("the answer to {path}, after {} ms", delay.as_millis());
    let response = format!(
        "HTTP/1.0 200 OK\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let sent = timeout(PATIENCE, socket.write_all(response.as_bytes())).await;
    let _ = heard
        .send(match sent {
            Ok(Ok(())) => Heard::Answered,
            Ok(Err(e)) => Heard::Failed(e.to_string()),
            Err(_) => Heard::Failed(format!("no answer sent in {PATIENCE:?}")),
        })
        .await;
}
// ANCHOR_END: answer

/// The path of `GET <path> HTTP/1.0`, once the request's blank line has
/// come; `None` if the client closed the connection before that.
async fn request(socket: &mut TcpStream) -> Option<String> {
    let mut request = Vec::new();
    let mut buffer = [0; 512];
    while !request.windows(4).any(|w| w == b"\r\n\r\n") {
        let n = socket.read(&mut buffer).await.ok().filter(|n| *n > 0)?;
        request.extend_from_slice(&buffer[..n]);
        if request.len() > MAX_REQUEST {
            return None;
        }
    }
    let text = String::from_utf8_lossy(&request);
    text.split_whitespace().nth(1).map(str::to_owned)
}

/// Returns once the client has closed its side of the connection.
async fn hung_up(socket: &mut TcpStream) {
    let mut buffer = [0; 64];
    while let Ok(1..) = socket.read(&mut buffer).await {}
}
