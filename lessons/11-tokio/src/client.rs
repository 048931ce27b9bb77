//! The request, written with tokio's networking: an `HTTP/1.0` GET over a
//! `tokio::net::TcpStream`, the answer read until the server closes.

use std::io;
use std::net::SocketAddr;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The most of an answer the client reads.
const MAX_ANSWER: u64 = 64 * 1024;

/// What came back: the status line and the body.
#[derive(Debug)]
pub struct Answer {
    pub status: String,
    pub body: String,
}

// ANCHOR: fetch
/// Asks the server at `address` for `path`. Every `.await` here is a wait
/// that only a tokio runtime can see the end of: its reactor watches the
/// socket.
pub async fn fetch(address: SocketAddr, path: String) -> io::Result<Answer> {
    let mut stream = TcpStream::connect(address).await?;
    let request = format!("GET {path} HTTP/1.0\r\nHost: {address}\r\n\r\n");
    stream.write_all(request.as_bytes()).await?;
    let mut answer = String::new();
    stream.take(MAX_ANSWER).read_to_string(&mut answer).await?;
    let Some((head, body)) = answer.split_once("\r\n\r\n") else {
        let broken = "the answer has no blank line after its head";
        return Err(io::Error::new(io::ErrorKind::InvalidData, broken));
    };
    let status = head.lines().next().unwrap_or_default().to_owned();
    Ok(Answer { status, body: body.to_owned() })
}
// ANCHOR_END: fetch
