//! The minimal example, run for real and judged from outside, as a person
//! and a window manager would. Twice: once the two workers run to their end
//! (Space presses the focused button), with the window answering every ping
//! promptly and painting the total as it grows, until both workers have
//! ended and the window goes quiet; once the window is closed in the middle
//! of the work, and the program must exit 0 soon after. This file is the
//! test binary and, re-run with `EXAMPLE_CHILD` set, the example itself.

mod example {
    include!("../examples/minimal.rs");

    pub(super) fn run() -> glib::ExitCode {
        main()
    }
}

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};
use xdriver::Session;

const CHILD: &str = "EXAMPLE_CHILD";
/// How long the window manager may wait for an answer to a ping, with a
/// core busy elsewhere: far more than a free main loop needs.
const PROMPT: Duration = Duration::from_millis(250);
/// The example's work: 200 steps of 10 ms, on each worker.
const WORK: Duration = Duration::from_millis(2000);

fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        return example::run().into();
    }
    // Held from the first run to the second. An X server resets when its
    // last client leaves, and re-reads its authority file then: without it,
    // the second run could not connect if that file had been removed.
    let _held = xdriver::Driver::connect();
    match worked_to_the_end().and_then(|()| closed_mid_work()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("the minimal example of lesson 06: {problem}");
            ExitCode::FAILURE
        }
    }
}

fn start() -> Result<Session, String> {
    let mut example =
        Command::new(std::env::current_exe().map_err(|e| e.to_string())?);
    example.env(CHILD, "1");
    Session::start(example, Duration::from_secs(20)).map_err(|e| e.0)
}

fn e(error: xdriver::Error) -> String {
    error.0
}

fn paints_since(session: &Session, from: Instant) -> Result<usize, String> {
    let paints = session.driver.paints().map_err(e)?;
    Ok(paints.iter().filter(|at| **at >= from).count())
}

/// Start, pinged for 1.5 s of the work, then watched until it goes quiet.
fn worked_to_the_end() -> Result<(), String> {
    let session = start()?;
    let pressed = session.press_focused().map_err(e)?;
    let during =
        session.pings(Duration::from_millis(1500), PROMPT).map_err(e)?;
    if during.answered != during.sent || during.worst >= PROMPT {
        return Err(format!("the window was slow during the work: {during:?}"));
    }
    // The total changes ten times a second while the workers work.
    let painted = paints_since(&session, pressed)?;
    if painted < 5 {
        return Err(format!("{painted} paints in the work's first 1.5 s"));
    }
    // Once both workers have ended, the timer stops and nothing changes.
    let deadline = pressed + WORK + Duration::from_secs(10);
    let quiet = loop {
        let looked = Instant::now();
        session.driver.pause(Duration::from_millis(400)).map_err(e)?;
        if paints_since(&session, looked)? == 0 {
            break looked;
        }
        if looked > deadline {
            return Err("the window never went quiet after the work".into());
        }
    };
    if quiet < pressed + WORK {
        let after = quiet - pressed;
        return Err(format!("the total stopped after {after:?}, mid-work"));
    }
    let answered = session.driver.ping(session.window, PROMPT).map_err(e)?;
    if answered.is_none() {
        return Err("the window did not answer after the work".into());
    }
    let status = session.close(Duration::from_secs(10)).map_err(e)?;
    if !status.success() {
        return Err(format!("it exited with {status} after its window closed"));
    }
    println!("minimal-06: answered every ping, the total grew to the end");
    Ok(())
}

/// Start, then close the window half a second into the work.
fn closed_mid_work() -> Result<(), String> {
    let session = start()?;
    session.press_focused().map_err(e)?;
    session.driver.pause(Duration::from_millis(500)).map_err(e)?;
    let closed = Instant::now();
    let status = session.close(Duration::from_secs(10)).map_err(e)?;
    let took = closed.elapsed();
    if !status.success() {
        return Err(format!("it exited with {status} after its window closed"));
    }
    if took > Duration::from_secs(3) {
        return Err(format!("it took {took:?} to exit, closed mid-work"));
    }
    println!("minimal-06: closed mid-work, exited 0 in {took:?}");
    Ok(())
}
