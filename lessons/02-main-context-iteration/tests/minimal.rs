//! The minimal example, run for real and judged from outside, as a person
//! and a window manager would: its window opens, DANGER! is pressed (Space:
//! it has the focus), and during the five seconds of work the window keeps
//! answering the window manager's pings and keeps painting, unlike lesson
//! 01's. DANGER! pressed again starts a loop inside the loop; the window
//! still answers. Closed in the middle of both loops, it exits 0 at once.
//! This file is the test binary and, re-run with `EXAMPLE_CHILD` set, the
//! example itself.

mod example {
    include!("../examples/minimal.rs");

    pub(super) fn run() -> glib::ExitCode {
        main()
    }
}

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};
use xdriver::{Pings, Session};

const CHILD: &str = "EXAMPLE_CHILD";
/// The longest a ping may wait for its answer: a chunk of 100 ms, the drain,
/// and a loaded machine's delays, still far below the five seconds of work.
const ANSWER: Duration = Duration::from_millis(250);

fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        return example::run().into();
    }
    match check() {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("the minimal example of lesson 02: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn check() -> Result<(), String> {
    let mut example =
        Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
    example.env(CHILD, "1");
    let session =
        Session::start(example, Duration::from_secs(20)).map_err(|e| e.0)?;
    let e = |e: xdriver::Error| e.0;
    let all_answered = |when: &str, pings: Pings| {
        if pings.answered == pings.sent && pings.sent > 0 {
            Ok(())
        } else {
            Err(format!("a ping {when} waited over {ANSWER:?}: {pings:?}"))
        }
    };

    let before =
        session.pings(Duration::from_millis(300), ANSWER).map_err(e)?;
    all_answered("before DANGER!", before)?;
    let pressed = session.press_focused().map_err(e)?;
    let during = session.pings(Duration::from_secs(1), ANSWER).map_err(e)?;
    all_answered("during the work", during)?;
    // The second press: a loop inside the loop, which keeps answering too.
    session.press_focused().map_err(e)?;
    let nested = session.pings(Duration::from_secs(1), ANSWER).map_err(e)?;
    all_answered("during the nested loop", nested)?;

    // The status line changes every chunk, and the drains paint it.
    let paints = session.driver.paints().map_err(e)?;
    let painted = paints.iter().filter(|at| **at > pressed).count();
    if painted < 5 {
        return Err(format!("{painted} paints in two seconds of work"));
    }

    // About two of the five seconds are done: close it mid-work.
    let closing = Instant::now();
    let status = session.close(Duration::from_secs(10)).map_err(e)?;
    let took = closing.elapsed();
    if !status.success() {
        return Err(format!("it exited with {status} after its window closed"));
    }
    if took > Duration::from_secs(2) {
        return Err(format!("it exited {took:?} after its window closed"));
    }
    println!(
        "the minimal example answered every ping during its work, nested \
         loops included, painted {painted} times, and closed cleanly mid-work \
         in {took:?}"
    );
    Ok(())
}
