//! Running a lesson's autopilot as a child process, for the tests and `cargo
//! xtask measure`.

use crate::{Report, parse_last_line};
use std::fmt;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// Why an autopilot run produced no report.
#[derive(Debug)]
pub enum RunError {
    Spawn(std::io::Error),
    TimedOut { after: Duration, stderr: String },
    Failed { code: Option<i32>, stderr: String },
    NoReport { reason: String, stderr: String },
}

impl fmt::Display for RunError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Spawn(e) => write!(f, "could not start the lesson: {e}"),
            Self::TimedOut { after, stderr } => {
                write!(
                    f,
                    "the autopilot did not finish within {after:?}; stderr:\n{stderr}"
                )
            }
            Self::Failed { code, stderr } => {
                write!(
                    f,
                    "the autopilot exited with {code:?}; stderr:\n{stderr}"
                )
            }
            Self::NoReport { reason, stderr } => {
                write!(f, "{reason}; stderr:\n{stderr}")
            }
        }
    }
}

impl std::error::Error for RunError {}

/// Runs `exe --autopilot <args>` and returns its report. The child is killed if
/// it is still running after `timeout`, so a hung lesson fails a test instead
/// of hanging it.
pub fn run_autopilot(
    exe: &Path,
    args: &[&str],
    timeout: Duration,
) -> Result<Report, RunError> {
    run_command(&mut autopilot_command(exe, args), timeout)
}

/// `exe --autopilot <args>`, for a caller that sets more (its environment).
pub fn autopilot_command(exe: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(exe);
    command.arg("--autopilot").args(args);
    command
}

/// Runs an [`autopilot_command`] as [`run_autopilot`] does.
pub fn run_command(
    command: &mut Command,
    timeout: Duration,
) -> Result<Report, RunError> {
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(RunError::Spawn)?;

    // Drain both pipes on their own threads so a chatty child cannot block on a
    // full pipe.
    let mut stdout_pipe = child.stdout.take().expect("stdout was piped");
    let mut stderr_pipe = child.stderr.take().expect("stderr was piped");
    let stdout = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stdout_pipe.read_to_string(&mut text);
        text
    });
    let stderr = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr_pipe.read_to_string(&mut text);
        text
    });

    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().map_err(RunError::Spawn)? {
            break Some(status);
        }
        if started.elapsed() > timeout {
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
            reason = "the test harness waits for a child process, never on a main loop"
        )]
        std::thread::park_timeout(Duration::from_millis(20));
    };
    let stdout = collect(stdout);
    let stderr = collect(stderr);

    match status {
        None => Err(RunError::TimedOut { after: timeout, stderr }),
        Some(status) if !status.success() => {
            Err(RunError::Failed { code: status.code(), stderr })
        }
        Some(_) => parse_last_line(&stdout)
            .map_err(|reason| RunError::NoReport { reason, stderr }),
    }
}

fn collect(reader: std::thread::JoinHandle<String>) -> String {
    #[expect(
        clippy::disallowed_methods,
        reason = "runs in the test harness, not on a main loop; the child has exited, so its pipes are at their end"
    )]
    reader.join().unwrap_or_default()
}
