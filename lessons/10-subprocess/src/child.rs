//! The child the lesson runs: this same program, started as
//! `lesson-10-subprocess --child-lines N --child-pace-ms M`. It prints N
//! numbered lines, one every M ms, and exits 0. SIGTERM ends it at once: it
//! prints a last line and exits with 143 (128 + 15, what a shell reports for
//! a command that SIGTERM ended). With `--ignore-term` it says so and goes
//! on, so that only SIGKILL ends it; with `--crash-after K` it aborts after
//! line K, as a crashing program does.

use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use nix::sys::resource::{Resource, setrlimit};
use nix::sys::signal::{SigSet, Signal};
use nix::sys::signalfd::SignalFd;
use std::ffi::OsString;
use std::io::Write;
use std::os::fd::AsFd;
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// How the child exits when SIGTERM stops it: 128 + 15.
pub const EXIT_ON_SIGTERM: u8 = 143;
/// The option that starts the child mode; it must come first.
const FIRST: &str = "--child-lines";

/// What the child does.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Script {
    pub lines: u32,
    pub pace: Duration,
    pub ignore_term: bool,
    pub crash_after: Option<u32>,
}

impl Script {
    /// The arguments that start this child, after the program's path.
    pub fn args(&self) -> Vec<String> {
        let mut args = vec![
            FIRST.to_owned(),
            self.lines.to_string(),
            "--child-pace-ms".to_owned(),
            self.pace.as_millis().to_string(),
        ];
        if self.ignore_term {
            args.push("--ignore-term".to_owned());
        }
        if let Some(line) = self.crash_after {
            args.extend(["--crash-after".to_owned(), line.to_string()]);
        }
        args
    }
}

/// The child's exit code, if the command line asks for the child (its first
/// argument is `--child-lines`); `None` means: open the lesson's window.
pub fn run_if_asked() -> Option<ExitCode> {
    let args: Vec<OsString> = std::env::args_os().skip(1).collect();
    let first = args.first()?.to_string_lossy();
    if first != FIRST && !first.starts_with(&format!("{FIRST}=")) {
        return None;
    }
    let name = env!("CARGO_PKG_NAME");
    let script = match parse(args) {
        Ok(script) => script,
        Err(message) => {
            eprintln!("{name}: {message}");
            return Some(ExitCode::from(lesson_kit::EXIT_USAGE));
        }
    };
    Some(script.play().unwrap_or_else(|e| {
        eprintln!("{name}: the child failed: {e}");
        ExitCode::FAILURE
    }))
}

fn parse(args: Vec<OsString>) -> Result<Script, String> {
    use lexopt::prelude::*;

    let mut parser = lexopt::Parser::from_args(args);
    let mut script = Script {
        lines: 0,
        pace: Duration::ZERO,
        ignore_term: false,
        crash_after: None,
    };
    // A whole number, or one line naming the option.
    let number = |parser: &mut lexopt::Parser, option: &str| {
        let value = parser.value().map_err(|e| e.to_string())?;
        let text = value.to_string_lossy();
        text.parse::<u32>()
            .map_err(|_| format!("invalid value '{text}' for '--{option}'"))
    };
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("child-lines") => {
                script.lines = number(&mut parser, "child-lines")?;
            }
            Long("crash-after") => {
                script.crash_after = Some(number(&mut parser, "crash-after")?);
            }
            Long("child-pace-ms") => {
                let ms = number(&mut parser, "child-pace-ms")?;
                script.pace = Duration::from_millis(ms.into());
            }
            Long("ignore-term") => script.ignore_term = true,
            other => return Err(other.unexpected().to_string()),
        }
    }
    Ok(script)
}

// ANCHOR: play
impl Script {
    /// Prints the lines at their pace. SIGTERM is blocked, so that instead
    /// of ending the process it waits on a file descriptor, which the pause
    /// after each line watches: the child answers it at once, in its own way.
    fn play(&self) -> nix::Result<ExitCode> {
        let mut term = SigSet::empty();
        term.add(Signal::SIGTERM);
        term.thread_block()?;
        let signals = SignalFd::new(&term)?;
        for n in 1..=self.lines {
            say(&format!("line {n} of {}", self.lines));
            if self.crash_after == Some(n) {
                // A crash on purpose leaves no core file behind.
                setrlimit(Resource::RLIMIT_CORE, 0, 0)?;
                std::process::abort();
            }
            if self.pause(&signals)? {
                say(&format!("SIGTERM: stopping after line {n}"));
                return Ok(ExitCode::from(EXIT_ON_SIGTERM));
            }
        }
        Ok(ExitCode::SUCCESS)
    }

    /// Waits out the pace; `true` if SIGTERM came and the child must stop.
    fn pause(&self, signals: &SignalFd) -> nix::Result<bool> {
        let until = Instant::now() + self.pace;
        loop {
            let left = until.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            let timeout =
                PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
            let mut fds = [PollFd::new(signals.as_fd(), PollFlags::POLLIN)];
            match poll(&mut fds, timeout) {
                Ok(0) | Err(nix::Error::EINTR) => continue,
                Ok(_) => signals.read_signal()?,
                Err(e) => return Err(e),
            };
            if !self.ignore_term {
                return Ok(true);
            }
            say("SIGTERM ignored");
        }
    }
}
// ANCHOR_END: play

/// Prints a line. Like many programs, the child goes on when nobody reads
/// its lines any more (its parent died, say): that is why the lesson kills
/// it when the window closes.
fn say(line: &str) {
    let _ = writeln!(std::io::stdout(), "{line}");
}
