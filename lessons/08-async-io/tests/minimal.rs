//! The minimal example, run for real and judged from outside, as a person
//! and a window manager would, with a temporary directory of its own. Read
//! is pressed (Space: it has the focus); the window answers every ping
//! promptly and paints the progress as the file is written and read back;
//! Cancel (Tab, then Space) stops the painting at once; a second read is
//! started and the window closed in the middle of it: the example exits 0
//! and leaves its directory empty. This file is the test binary and, re-run
//! with `EXAMPLE_CHILD` set, the example itself.

mod example {
    include!("../examples/minimal.rs");

    pub(super) fn run() -> glib::ExitCode {
        main()
    }
}

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};
use xdriver::{Pings, Session, keysym};

const CHILD: &str = "EXAMPLE_CHILD";
/// The example's file: 32 chunks of 1 MiB.
const FILE_BYTES: u64 = 32 << 20;
/// Every ping must be answered within this, one core busy or not.
const PROMPT: Duration = Duration::from_millis(250);

fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        return example::run().into();
    }
    let dir = std::env::temp_dir()
        .join(format!("lesson-08-minimal-test-{}", std::process::id()));
    let checked = std::fs::create_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))
        .and_then(|()| check(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    match checked {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("the minimal example of lesson 08: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn check(dir: &Path) -> Result<(), String> {
    let mut example =
        Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
    example.env(CHILD, "1").env("TMPDIR", dir);
    let session =
        Session::start(example, Duration::from_secs(20)).map_err(|e| e.0)?;
    let e = |e: xdriver::Error| e.0;
    prompt("at first", session.pings(PROMPT * 2, PROMPT).map_err(e)?)?;

    // Read writes the file on gio's pool, then reads it back: the bar
    // moves every 50 ms once the read is under way.
    let read = session.press_focused().map_err(e)?;
    let after = |at: Instant| at + Duration::from_millis(200);
    ping_until_painted(&session, "while it read", after(read), 5)?;
    // Read is greyed out while it reads: Tab goes to Cancel.
    session.key(keysym::TAB).map_err(e)?;
    let cancel = session.press_focused().map_err(e)?;
    prompt("after Cancel", session.pings(PROMPT * 4, PROMPT).map_err(e)?)?;
    // The read would have gone on for most of another second. After Cancel,
    // one last paint says so, and then nothing changes.
    let paints = session.driver.paints().map_err(e)?;
    let quiet = cancel + PROMPT..cancel + PROMPT * 4;
    let after_cancel = paints.iter().filter(|at| quiet.contains(at)).count();
    if after_cancel != 0 {
        return Err(format!("{after_cancel} paints after Cancel"));
    }

    // Cancel is greyed out again: Tab goes to Read. Closed mid-read.
    session.key(keysym::TAB).map_err(e)?;
    let again = session.press_focused().map_err(e)?;
    ping_until_painted(&session, "in the second read", after(again), 3)?;
    let file = written(dir)?;
    let asked = Instant::now();
    let status = session.close(Duration::from_secs(10)).map_err(e)?;
    let took = asked.elapsed();
    if !status.success() {
        return Err(format!("it exited with {status} after its window closed"));
    }
    let entries = std::fs::read_dir(dir).map_err(|e| e.to_string())?;
    let left: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
    if !left.is_empty() {
        return Err(format!("it left {left:?} behind"));
    }
    println!(
        "the minimal example answered every ping within {PROMPT:?}, stopped \
         at Cancel, and exited in {took:?} mid-read, {} removed",
        file.display()
    );
    Ok(())
}

/// Every ping answered promptly, or a message saying when it was not.
fn prompt(what: &str, pings: Pings) -> Result<(), String> {
    if pings.answered == pings.sent && pings.worst <= PROMPT {
        Ok(())
    } else {
        Err(format!("the window was slow to answer {what}: {pings:?}"))
    }
}

/// Pings the window, each ping answered promptly, until it has painted
/// `count` times since `from`; fails after ten seconds.
fn ping_until_painted(
    session: &Session,
    what: &str,
    from: Instant,
    count: usize,
) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        prompt(what, session.pings(PROMPT, PROMPT).map_err(|e| e.0)?)?;
        let paints = session.driver.paints().map_err(|e| e.0)?;
        if paints.iter().filter(|at| **at > from).count() >= count {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("fewer than {count} paints {what}"));
        }
    }
}

/// The example's file in `dir`, which must have all its bytes by now.
fn written(dir: &Path) -> Result<PathBuf, String> {
    let files = std::fs::read_dir(dir).map_err(|e| e.to_string())?;
    let full = files
        .flatten()
        .find(|entry| entry.metadata().is_ok_and(|m| m.len() == FILE_BYTES));
    full.map(|entry| entry.path())
        .ok_or_else(|| format!("no file of {FILE_BYTES} bytes in the middle"))
}
