//! The minimal example, run for real and judged from outside, as a person
//! and a window manager would, with a `TMPDIR` of its own that its child
//! inherits, so that the child can be found. Run is pressed (Space: it has
//! the focus); the window answers every ping promptly and paints a line
//! after the first, while the child still runs; Stop (Tab, then Space) ends
//! the child, after which nothing more is painted; Run again, and the window
//! is closed while the child runs: the example exits 0 and leaves no child
//! behind. This file is the test binary and, re-run with `EXAMPLE_CHILD`
//! set, the example itself.

mod example {
    include!("../examples/minimal.rs");

    pub(super) fn run() -> glib::ExitCode {
        main()
    }
}

use std::path::Path;
use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};
use xdriver::{Pings, Session, keysym};

const CHILD: &str = "EXAMPLE_CHILD";
/// Every ping must be answered within this, one core busy or not.
const PROMPT: Duration = Duration::from_millis(250);

fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        return example::run().into();
    }
    let dir = std::env::temp_dir()
        .join(format!("lesson-10-minimal-test-{}", std::process::id()));
    let checked = std::fs::create_dir(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))
        .and_then(|()| check(&dir));
    let _ = std::fs::remove_dir_all(&dir);
    match checked {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("the minimal example of lesson 10: {problem}");
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

    // Run: the child prints a line a second for five seconds. A paint half
    // a second after the press is a later line, shown while the child runs.
    let run = session.press_focused().map_err(e)?;
    ping_until_painted(&session, "while it ran", run + PROMPT * 2)?;
    expect_processes(dir, 2, "the example and its child")?;
    // Run is greyed out while the child runs: Tab goes to Stop.
    session.key(keysym::TAB).map_err(e)?;
    let stop = session.press_focused().map_err(e)?;
    prompt("after Stop", session.pings(PROMPT * 4, PROMPT).map_err(e)?)?;
    // SIGTERM ends the child at once: its end is painted, then nothing.
    let paints = session.driver.paints().map_err(e)?;
    let quiet = stop + PROMPT..stop + PROMPT * 4;
    let after_stop = paints.iter().filter(|at| quiet.contains(at)).count();
    if after_stop != 0 {
        return Err(format!("{after_stop} paints after Stop"));
    }
    expect_processes(dir, 1, "the example, its child gone")?;

    // Stop is greyed out again: Tab goes to Run. Closed mid-run.
    session.key(keysym::TAB).map_err(e)?;
    let again = session.press_focused().map_err(e)?;
    ping_until_painted(&session, "in the second run", again)?;
    expect_processes(dir, 2, "the example and its second child")?;
    let asked = Instant::now();
    let status = session.close(Duration::from_secs(10)).map_err(e)?;
    let took = asked.elapsed();
    if !status.success() {
        return Err(format!("it exited with {status} after its window closed"));
    }
    expect_processes(dir, 0, "nothing: the child must not outlive it")?;
    println!(
        "the minimal example answered every ping within {PROMPT:?}, streamed \
         its child's lines, stopped it, and exited in {took:?} mid-run with \
         its child gone"
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
/// since `from`; fails after ten seconds.
fn ping_until_painted(
    session: &Session,
    what: &str,
    from: Instant,
) -> Result<(), String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        prompt(what, session.pings(PROMPT, PROMPT).map_err(|e| e.0)?)?;
        let paints = session.driver.paints().map_err(|e| e.0)?;
        if paints.iter().any(|at| *at > from) {
            return Ok(());
        }
        if Instant::now() > deadline {
            return Err(format!("nothing painted {what}"));
        }
    }
}

/// Fails unless exactly `count` live processes have `dir` as their
/// `TMPDIR`: the example, and the child that inherited its environment.
fn expect_processes(
    dir: &Path,
    count: usize,
    what: &str,
) -> Result<(), String> {
    let marker = format!("TMPDIR={}", dir.display());
    let found = processes_with(marker.as_bytes());
    if found.len() == count {
        Ok(())
    } else {
        Err(format!("expected {count} processes ({what}), found {found:?}"))
    }
}

/// The processes whose environment holds `entry`; a zombie's is empty.
fn processes_with(entry: &[u8]) -> Vec<u32> {
    let Ok(proc) = std::fs::read_dir("/proc") else { return Vec::new() };
    let pids =
        proc.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok());
    pids.filter(|pid: &u32| {
        let environ = std::fs::read(format!("/proc/{pid}/environ"));
        environ.is_ok_and(|env| env.split(|b| *b == 0).any(|e| e == entry))
    })
    .collect()
}
