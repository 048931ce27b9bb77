//! What a user does to stop a lesson (Ctrl+C, `kill`, closing the terminal),
//! done to a real run in the middle of its work: the lesson must stop its
//! workers, join its threads, remove its files and exit promptly, with the
//! shell's code for the signal.

use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// The signals a user stops a program with, each as the test sends it.
pub const STOP_SIGNALS: [Signal; 3] =
    [Signal::SIGINT, Signal::SIGTERM, Signal::SIGHUP];

/// The line the kit prints on stderr when the autopilot starts the lesson's
/// scenario.
const SCENARIO_STARTED: &str = "autopilot: playing the scenario";

/// How a stop went: how long the lesson took to exit after the signal was sent.
#[derive(Debug)]
pub struct Stop {
    pub exited_after: Duration,
}

/// Runs `exe --autopilot <args>` with a temporary directory of its own, sends
/// `signal` `after` the scenario has started, and checks that the lesson exits
/// within `within` of the signal, with code 128 + the signal's number, saying
/// it shut down cleanly, and leaving its temporary directory empty.
pub fn check_stop_signal(
    exe: &Path,
    args: &[&str],
    signal: Signal,
    after: Duration,
    within: Duration,
) -> Result<Stop, String> {
    let tmp = TempDir::new(signal)?;
    let mut child = Command::new(exe)
        .arg("--autopilot")
        .args(args)
        .env("TMPDIR", &tmp.0)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("could not start {}: {e}", exe.display()))?;
    let lines = read_lines(child.stderr.take().expect("stderr was piped"));
    let mut stderr = Vec::new();

    let started = Instant::now() + Duration::from_secs(60);
    while !stderr.iter().any(|line: &String| line.contains(SCENARIO_STARTED)) {
        let wait = started.saturating_duration_since(Instant::now());
        #[expect(
            clippy::disallowed_methods,
            reason = "the test harness waits for a child's output, never on a main loop"
        )]
        match lines.recv_timeout(wait) {
            Ok(line) => stderr.push(line),
            Err(_) => {
                let _ = child.kill();
                #[expect(
                    clippy::disallowed_methods,
                    reason = "a harness reaping a child it killed, never on a main loop"
                )]
                let _ = child.wait();
                return Err(format!(
                    "the scenario never started; stderr:\n{}",
                    stderr.join("\n")
                ));
            }
        }
    }
    #[expect(
        clippy::disallowed_methods,
        reason = "the test waits until the work is under way"
    )]
    std::thread::sleep(after);

    let pid =
        Pid::from_raw(i32::try_from(child.id()).map_err(|e| e.to_string())?);
    kill(pid, signal).map_err(|e| format!("could not send {signal}: {e}"))?;
    let sent = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(|e| e.to_string())? {
            break Some(status);
        }
        if sent.elapsed() > within + Duration::from_secs(10) {
            let _ = child.kill();
            #[expect(
                clippy::disallowed_methods,
                reason = "a harness reaping a child it killed, never on a main loop"
            )]
            let _ = child.wait();
            break None;
        }
        #[expect(
            clippy::disallowed_methods,
            reason = "the test harness waits for a child"
        )]
        std::thread::park_timeout(Duration::from_millis(5));
    };
    let exited_after = sent.elapsed();
    #[expect(
        clippy::disallowed_methods,
        reason = "the child has exited: its stderr ends, and so does the reader thread's channel"
    )]
    stderr.extend(lines.iter());
    let stderr = stderr.join("\n");

    let name = signal.as_str();
    let Some(status) = status else {
        return Err(format!(
            "{name}: the lesson was still running 10 s later; stderr:\n{stderr}"
        ));
    };
    let expected = 128 + signal as i32;
    if status.code() != Some(expected) {
        return Err(format!(
            "{name}: exit {status}, expected code {expected}; stderr:\n{stderr}"
        ));
    }
    if !stderr.contains(&format!("{name}: shut down cleanly")) {
        return Err(format!(
            "{name}: no clean shutdown reported; stderr:\n{stderr}"
        ));
    }
    if exited_after > within {
        return Err(format!(
            "{name}: exited {exited_after:?} after the signal, limit {within:?}"
        ));
    }
    let left = tmp.entries();
    if !left.is_empty() {
        return Err(format!(
            "{name}: left behind in its temporary directory: {left:?}"
        ));
    }
    Ok(Stop { exited_after })
}

/// [`check_stop_signal`] for each of [`STOP_SIGNALS`], one run after the other.
pub fn check_stop_signals(
    exe: &Path,
    args: &[&str],
    after: Duration,
    within: Duration,
) -> Result<(), String> {
    for signal in STOP_SIGNALS {
        check_stop_signal(exe, args, signal, after, within)?;
    }
    Ok(())
}

fn read_lines(
    pipe: impl std::io::Read + Send + 'static,
) -> mpsc::Receiver<String> {
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            if lines.send(line).is_err() {
                return;
            }
        }
    });
    received
}

/// An empty directory for one run, removed with whatever the run left in it.
struct TempDir(PathBuf);

impl TempDir {
    fn new(signal: Signal) -> Result<Self, String> {
        static RUNS: AtomicU32 = AtomicU32::new(0);
        let run = RUNS.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!(
            "stop-signal-{}-{run}-{}",
            std::process::id(),
            signal.as_str()
        ));
        std::fs::create_dir_all(&path)
            .map_err(|e| format!("{}: {e}", path.display()))?;
        Ok(Self(path))
    }

    fn entries(&self) -> Vec<PathBuf> {
        std::fs::read_dir(&self.0)
            .map(|dir| {
                dir.filter_map(|entry| entry.ok().map(|e| e.path())).collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
