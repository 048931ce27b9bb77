//! The built book, opened in headless Chromium: the index and one lesson chapter are loaded
//! from a loopback server ([`super::serve`]) and saved as screenshots in
//! `book/build/screenshots/`, and the check fails on what a reader's browser would have
//! stumbled on:
//!
//! - a request of the page that the server answered with an error (a 404 for a stylesheet,
//!   script, font or image the page asked for);
//! - an error in the page's console. Chromium logs a web page's console messages to stderr as
//!   `[pid:tid:time:LEVEL:CONSOLE:line] "message", source: url (line)` (older versions:
//!   `CONSOLE(line)`), and since the level is only passed through for its own built-in pages
//!   (Chromium 156 logs `console.error` from a web page at INFO), an uncaught exception is
//!   recognised by its text, `Uncaught ...`; lines at level ERROR or FATAL fail too.
//!
//! Everything else Chromium says on stderr (D-Bus, GPU, sandbox) is about the machine, not the
//! page, and is only kept in a log next to the screenshots.

use super::serve::{Request, Server};
use crate::cmd;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A page to open: the screenshot's name and the path under the book's root.
pub struct Page {
    pub name: &'static str,
    pub path: &'static str,
}

pub const PAGES: [Page; 2] =
    [Page { name: "index", path: "" }, Page { name: "lesson-01", path: "lesson-01-blocking.html" }];

/// Chromium is killed if it has not finished a page by then.
const TIMEOUT: Duration = Duration::from_secs(60);

/// A message of the page's console, as Chromium logged it.
#[derive(Debug, Clone, PartialEq)]
pub struct ConsoleLine {
    pub level: String,
    pub message: String,
}

impl ConsoleLine {
    /// An error of the page: an uncaught exception or rejection, or a message logged at an
    /// error level.
    pub fn is_error(&self) -> bool {
        matches!(self.level.as_str(), "ERROR" | "FATAL") || self.message.contains("Uncaught")
    }
}

/// The page's console messages among Chromium's stderr lines.
pub fn console_lines(stderr: &str) -> Vec<ConsoleLine> {
    stderr
        .lines()
        .filter_map(|line| {
            let (prefix, message) = line.strip_prefix('[')?.split_once(']')?;
            let fields: Vec<&str> = prefix.split(':').collect();
            let at = fields.iter().position(|field| {
                field
                    .strip_prefix("CONSOLE")
                    .is_some_and(|rest| rest.is_empty() || rest.starts_with('('))
            })?;
            let level = fields.get(at.checked_sub(1)?)?;
            Some(ConsoleLine { level: level.to_string(), message: message.trim().to_string() })
        })
        .collect()
}

/// The requests that the server could not answer.
pub fn failed_requests(requests: &[Request]) -> Vec<String> {
    requests
        .iter()
        .filter(|request| request.status >= 400)
        .map(|request| {
            format!("the page asked for {} {}: {}", request.method, request.target, request.status)
        })
        .collect()
}

/// Opens every page of [`PAGES`] from `build` (the built book) and returns what went wrong.
pub fn check(build: &Path) -> Vec<String> {
    let Some(chromium) = cmd::on_path("chromium") else {
        return vec!["chromium is not on PATH: run `cargo xtask setup`".to_string()];
    };
    let shots = build.join("screenshots");
    if let Err(e) = std::fs::create_dir_all(&shots) {
        return vec![format!("cannot create {}: {e}", cmd::shown(&shots))];
    }
    let server = match Server::start(build) {
        Ok(server) => server,
        Err(e) => return vec![format!("cannot serve {} on 127.0.0.1: {e}", cmd::shown(build))],
    };

    let mut problems = Vec::new();
    for page in &PAGES {
        let url = server.url(page.path);
        let shot = shots.join(format!("{}.png", page.name));
        let log = shots.join(format!("{}.chromium.log", page.name));
        let before = server.requests().len();
        eprintln!("{url} -> {}", cmd::shown(&shot));
        let stderr = match screenshot(&chromium, &url, &shot, &log) {
            Ok(stderr) => stderr,
            Err(e) => {
                problems.push(format!("{url}: {e} (Chromium's stderr: {})", cmd::shown(&log)));
                continue;
            }
        };
        for line in console_lines(&stderr) {
            if line.is_error() {
                problems.push(format!("{url}: console error: {}", line.message));
            } else {
                eprintln!("  console ({}): {}", line.level.to_lowercase(), line.message);
            }
        }
        let requests = server.requests();
        let own = &requests[before.min(requests.len())..];
        eprintln!("  {} requests served", own.len());
        for failed in failed_requests(own) {
            problems.push(format!("{url}: {failed}"));
        }
        if !is_png(&shot) {
            problems.push(format!("{url}: Chromium wrote no screenshot to {}", cmd::shown(&shot)));
        }
    }
    server.stop();
    problems
}

fn is_png(path: &Path) -> bool {
    std::fs::read(path).is_ok_and(|bytes| bytes.starts_with(b"\x89PNG\r\n\x1a\n"))
}

/// Runs Chromium on `url` with a fresh profile, saving a screenshot to `shot` and its stderr to
/// `log`; returns that stderr.
fn screenshot(chromium: &Path, url: &str, shot: &Path, log: &Path) -> Result<String, String> {
    let profile = fresh_dir()?;
    let _ = std::fs::remove_file(shot);
    let stderr = File::create(log).map_err(|e| format!("cannot create {}: {e}", log.display()))?;
    let mut command = Command::new(chromium);
    command
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .args(["--enable-logging=stderr", "--v=0", "--virtual-time-budget=5000"])
        .arg(format!("--screenshot={}", shot.display()))
        .args(["--window-size=1280,900", url])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr);
    let outcome = run_bounded(&mut command);
    remove_profile(&profile);
    let text = std::fs::read_to_string(log).unwrap_or_default();
    outcome.map(|()| text)
}

/// Runs `command` to its end, or kills it after [`TIMEOUT`].
fn run_bounded(command: &mut Command) -> Result<(), String> {
    let mut child = command.spawn().map_err(|e| format!("could not start chromium: {e}"))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("chromium failed ({status})")),
            Ok(None) if started.elapsed() > TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("chromium did not finish within {} s", TIMEOUT.as_secs()));
            }
            Ok(None) => {
                #[expect(
                    clippy::disallowed_methods,
                    reason = "xtask waits for Chromium; there is no main loop in xtask"
                )]
                std::thread::park_timeout(Duration::from_millis(50));
            }
            Err(e) => return Err(format!("lost track of chromium: {e}")),
        }
    }
}

/// Removes a profile directory. Chromium's helper processes can outlive the browser process by
/// a moment and write into it meanwhile, so a failed removal is tried again a few times.
fn remove_profile(profile: &Path) {
    for _ in 0..20 {
        if std::fs::remove_dir_all(profile).is_ok() || !profile.exists() {
            return;
        }
        #[expect(
            clippy::disallowed_methods,
            reason = "xtask waits for Chromium; there is no main loop in xtask"
        )]
        std::thread::park_timeout(Duration::from_millis(100));
    }
    eprintln!("  could not remove {}", profile.display());
}

/// A new, empty directory under the system's temp dir, for one Chromium profile.
fn fresh_dir() -> Result<PathBuf, String> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let dir = std::env::temp_dir().join(format!("xtask-chromium-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Chromium 156's stderr for a page with console.log, console.warn, console.error and an
    /// uncaught exception, among its usual complaints about the machine.
    const STDERR: &str = "\
/usr/bin/chromium: 9: [: 25276502016: unexpected operator
[7605:7634:1123/172458.381575:ERROR:dbus/bus.cc:405] Failed to connect to the bus: Failed to connect to socket /run/dbus/system_bus_socket: No such file or directory
[7649:7649:1123/172458.430082:WARNING:media/gpu/vaapi/vaapi_wrapper.cc:1655] drmGetDevices2() has not found any devices
[7605:7605:1123/172458.720754:INFO:CONSOLE:3] \"a log line\", source: http://127.0.0.1:8765/index.html (3)
[7605:7605:1123/172458.720796:INFO:CONSOLE:3] \"a warning\", source: http://127.0.0.1:8765/index.html (3)
[7605:7605:1123/172458.720809:INFO:CONSOLE:3] \"an error message\", source: http://127.0.0.1:8765/index.html (3)
[7605:7605:1123/172458.727072:INFO:CONSOLE:4] \"Uncaught ReferenceError: undefinedFunction is not defined\", source: http://127.0.0.1:8765/index.html (4)
[1:2:0101/000000.000000:ERROR:CONSOLE(12)] \"old format, error level\", source: chrome://settings (12)
6585 bytes written to file /tmp/cr-test/shot.png
";

    #[test]
    fn reads_only_the_pages_console_lines() {
        let lines = console_lines(STDERR);
        let levels: Vec<&str> = lines.iter().map(|l| l.level.as_str()).collect();
        assert_eq!(levels, ["INFO", "INFO", "INFO", "INFO", "ERROR"]);
        assert_eq!(
            lines[0].message,
            "\"a log line\", source: http://127.0.0.1:8765/index.html (3)"
        );
    }

    #[test]
    fn uncaught_exceptions_and_error_levels_are_errors_machine_noise_is_not() {
        let errors: Vec<String> = console_lines(STDERR)
            .into_iter()
            .filter(ConsoleLine::is_error)
            .map(|l| l.message)
            .collect();
        assert_eq!(errors.len(), 2, "{errors:?}");
        assert!(errors[0].starts_with("\"Uncaught ReferenceError"));
        assert!(errors[1].starts_with("\"old format, error level\""));
    }

    #[test]
    fn failed_requests_are_named() {
        let request =
            |target: &str, status| Request { method: "GET".into(), target: target.into(), status };
        let requests = [request("/", 200), request("/css/gone.css", 404), request("/x", 403)];
        assert_eq!(
            failed_requests(&requests),
            ["the page asked for GET /css/gone.css: 404", "the page asked for GET /x: 403"]
        );
    }
}
