//! A tiny read-only HTTP server for the built book, on 127.0.0.1 and a port the system picks,
//! so that the browser check loads the book as readers do (over HTTP, not `file://`, whose
//! rules for scripts and fetches differ) and so that every request and its status is logged:
//! a page that asks for an asset the book lacks shows up as a 404 here.

use std::io::{self, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

/// One request the server answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Request {
    pub method: String,
    /// As the browser asked for it, query included.
    pub target: String,
    pub status: u16,
}

pub struct Server {
    addr: SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    accepting: Option<JoinHandle<()>>,
}

/// A connection that sends nothing (browsers open spare ones) is dropped after this.
const READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Request heads beyond this are refused: the book's URLs are short.
const MAX_HEAD: usize = 16 * 1024;

impl Server {
    /// Serves the files under `root` until [`Server::stop`].
    pub fn start(root: &Path) -> io::Result<Self> {
        let listener = TcpListener::bind(("127.0.0.1", 0))?;
        let addr = listener.local_addr()?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let root = root.to_path_buf();
        let accepting = std::thread::Builder::new().name("book-server".into()).spawn({
            let (log, stop) = (log.clone(), stop.clone());
            move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::Acquire) {
                        break;
                    }
                    let Ok(stream) = stream else { continue };
                    let (root, log) = (root.clone(), log.clone());
                    // One thread per connection: a browser holds some open without a request.
                    let _ = std::thread::Builder::new()
                        .name("book-connection".into())
                        .spawn(move || serve_connection(stream, &root, &log));
                }
            }
        })?;
        Ok(Self { addr, log, stop, accepting: Some(accepting) })
    }

    /// `http://127.0.0.1:<port>/<path>`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}/{}", self.addr, path.trim_start_matches('/'))
    }

    /// The requests answered so far, in order.
    pub fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Stops accepting; connections still open end on their own once their client goes.
    pub fn stop(mut self) {
        self.shut_down();
    }

    fn shut_down(&mut self) {
        self.stop.store(true, Ordering::Release);
        // Wakes the accepting thread, which sees the flag and ends.
        let _ = TcpStream::connect(self.addr);
        if let Some(accepting) = self.accepting.take() {
            #[expect(
                clippy::disallowed_methods,
                reason = "xtask has no main loop; the thread ends at once, woken just above"
            )]
            let _ = accepting.join();
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shut_down();
    }
}

fn serve_connection(mut stream: TcpStream, root: &Path, log: &Mutex<Vec<Request>>) {
    let _ = stream.set_read_timeout(Some(READ_TIMEOUT));
    let Some(head) = read_head(&mut stream) else { return };
    let (method, target) = match parse_request_line(&head) {
        Some((method, target)) => (method.to_string(), target.to_string()),
        None => ("?".to_string(), head.lines().next().unwrap_or("").to_string()),
    };
    let response = respond(root, &method, &target);
    log.lock().unwrap_or_else(PoisonError::into_inner).push(Request {
        method: method.clone(),
        target,
        status: response.status,
    });
    let reason = match response.status {
        200 => "OK",
        400 => "Bad Request",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        _ => "Error",
    };
    let mut out = format!(
        "HTTP/1.1 {} {reason}\r\nContent-Type: {}\r\nContent-Length: {}\r\nCache-Control: no-store\r\n\
         Connection: close\r\n\r\n",
        response.status,
        response.content_type,
        response.body.len()
    )
    .into_bytes();
    if method != "HEAD" {
        out.extend_from_slice(&response.body);
    }
    let _ = stream.write_all(&out);
    let _ = stream.flush();
    let _ = stream.shutdown(Shutdown::Write);
}

/// The request's head, up to the blank line; `None` if the client sent none.
fn read_head(stream: &mut TcpStream) -> Option<String> {
    let mut head = Vec::new();
    let mut buffer = [0u8; 2048];
    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
        let read = stream.read(&mut buffer).ok().filter(|&n| n > 0)?;
        head.extend_from_slice(&buffer[..read]);
        if head.len() > MAX_HEAD {
            return None;
        }
    }
    Some(String::from_utf8_lossy(&head).into_owned())
}

/// `GET /path?q HTTP/1.1` as `("GET", "/path?q")`.
pub fn parse_request_line(head: &str) -> Option<(&str, &str)> {
    let mut words = head.lines().next()?.split_whitespace();
    let (method, target, version) = (words.next()?, words.next()?, words.next()?);
    (version.starts_with("HTTP/") && words.next().is_none()).then_some((method, target))
}

#[derive(Debug, PartialEq)]
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub body: Vec<u8>,
}

impl Response {
    fn error(status: u16) -> Self {
        Self { status, content_type: "text/plain; charset=utf-8", body: Vec::new() }
    }
}

/// The answer to `method target` from the files under `root`.
pub fn respond(root: &Path, method: &str, target: &str) -> Response {
    if method != "GET" && method != "HEAD" {
        return Response::error(405);
    }
    let Some(relative) = file_for(target) else { return Response::error(403) };
    let mut path = root.join(relative);
    if path.is_dir() {
        path.push("index.html");
    }
    match std::fs::read(&path) {
        Ok(body) => Response { status: 200, content_type: content_type(&path), body },
        Err(_) => Response::error(404),
    }
}

/// The file a request target names, relative to the served directory: query and fragment
/// dropped, `%xx` decoded, `/` as `index.html`. `None` for anything that would leave the
/// directory (`..`) or is not a plain path.
pub fn file_for(target: &str) -> Option<PathBuf> {
    let path = target.split(['?', '#']).next()?;
    let path = path.strip_prefix('/')?;
    let decoded = decode(path)?;
    let mut relative = PathBuf::new();
    for component in Path::new(&decoded).components() {
        match component {
            Component::Normal(part) => relative.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if decoded.is_empty() || decoded.ends_with('/') {
        relative.push("index.html");
    }
    Some(relative)
}

fn decode(text: &str) -> Option<String> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    let text = String::from_utf8(out).ok()?;
    (!text.contains('\0')).then_some(text)
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|ext| ext.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "ico" => "image/x-icon",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "ttf" => "font/ttf",
        "txt" | "md" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_targets_to_files_and_never_leaves_the_root() {
        assert_eq!(file_for("/"), Some("index.html".into()));
        assert_eq!(file_for("/lesson-01-blocking.html"), Some("lesson-01-blocking.html".into()));
        assert_eq!(file_for("/css/x.css?v=3#top"), Some("css/x.css".into()));
        assert_eq!(file_for("/fonts/"), Some("fonts/index.html".into()));
        assert_eq!(file_for("/a%20b.png"), Some("a b.png".into()));
        assert_eq!(file_for("/./a.js"), Some("a.js".into()));
        for bad in ["/../etc/passwd", "/a/../../b", "/%2e%2e/x", "relative", "/%zz", "/%00"] {
            assert_eq!(file_for(bad), None, "{bad}");
        }
    }

    #[test]
    fn reads_request_lines() {
        assert_eq!(
            parse_request_line("GET /a.css?x HTTP/1.1\r\nHost: h\r\n\r\n"),
            Some(("GET", "/a.css?x"))
        );
        assert_eq!(parse_request_line("GET /\r\n\r\n"), None);
        assert_eq!(parse_request_line("GARBAGE"), None);
    }

    #[test]
    fn serves_files_over_loopback_and_logs_each_status() {
        let root = std::env::temp_dir().join(format!("xtask-serve-{}", std::process::id()));
        std::fs::create_dir_all(root.join("css")).unwrap();
        std::fs::write(root.join("index.html"), "<p>hi</p>").unwrap();
        std::fs::write(root.join("css/a.css"), "p{}").unwrap();
        let server = Server::start(&root).unwrap();
        let get = |path: &str| {
            let url = server.url(path);
            let host = url.trim_start_matches("http://").split('/').next().unwrap().to_string();
            let mut stream = TcpStream::connect(&host).unwrap();
            write!(stream, "GET /{} HTTP/1.1\r\nHost: {host}\r\n\r\n", path).unwrap();
            let mut answer = String::new();
            stream.read_to_string(&mut answer).unwrap();
            answer
        };
        let index = get("");
        let css = get("css/a.css");
        let missing = get("gone.js");
        let escape = get("../secret");
        let requests = server.requests();
        server.stop();
        let _ = std::fs::remove_dir_all(&root);

        assert!(index.starts_with("HTTP/1.1 200 OK\r\n"), "{index}");
        assert!(index.contains("Content-Type: text/html"));
        assert!(index.ends_with("\r\n\r\n<p>hi</p>"));
        assert!(css.contains("Content-Type: text/css") && css.ends_with("p{}"));
        assert!(missing.starts_with("HTTP/1.1 404 Not Found"));
        assert!(escape.starts_with("HTTP/1.1 403"));
        let statuses: Vec<(&str, u16)> =
            requests.iter().map(|r| (r.target.as_str(), r.status)).collect();
        assert_eq!(
            statuses,
            [("/", 200), ("/css/a.css", 200), ("/gone.js", 404), ("/../secret", 403)]
        );
    }

    #[test]
    fn only_get_and_head() {
        assert_eq!(respond(Path::new("/nonexistent"), "POST", "/").status, 405);
        assert_eq!(respond(Path::new("/nonexistent"), "GET", "/x.html").status, 404);
    }
}
