//! The minimal example, run for real and judged from outside, as a person
//! and a window manager would. Twice: once Start is pressed (Space: it has
//! the focus) and the window is closed in the middle of the work; once the
//! work is cancelled (Tab, then Space on Cancel) and the window goes quiet.
//! Meanwhile it must answer the window manager's pings promptly, paint the
//! progress as it comes, and exit 0 soon after its window is closed. This
//! file is the test binary and, re-run with `EXAMPLE_CHILD` set, the example
//! itself.

mod example {
    include!("../examples/minimal.rs");

    pub(super) fn run() -> glib::ExitCode {
        main()
    }
}

use std::process::{Command, ExitCode};
use std::time::{Duration, Instant};
use xdriver::{Session, keysym};

const CHILD: &str = "EXAMPLE_CHILD";
/// How long the window manager may wait for an answer to a ping, with a
/// core busy elsewhere: far more than a free main loop needs.
const PROMPT: Duration = Duration::from_millis(250);

fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        return example::run().into();
    }
    // Held from the first run to the second. An X server resets when its
    // last client leaves, and re-reads its authority file then: without it,
    // the second run could not connect if that file had been removed.
    let _held = xdriver::Driver::connect();
    match closed_mid_work().and_then(|()| cancelled()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("the minimal example of lesson 04: {problem}");
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

/// Start, pinged for 1.5 s of the job's 5 s, then closed mid-work.
fn closed_mid_work() -> Result<(), String> {
    let session = start()?;
    let before =
        session.pings(Duration::from_millis(300), PROMPT).map_err(e)?;
    if before.answered != before.sent {
        return Err(format!("the window did not answer at first: {before:?}"));
    }
    let pressed = session.press_focused().map_err(e)?;
    let during =
        session.pings(Duration::from_millis(1500), PROMPT).map_err(e)?;
    if during.answered != during.sent || during.worst >= PROMPT {
        return Err(format!("the window was slow during the work: {during:?}"));
    }
    // The progress bar changes every step: the window paints it.
    let painted = paints_since(&session, pressed)?;
    if painted < 10 {
        return Err(format!("{painted} paints in the work's first 1.5 s"));
    }
    let recent = Instant::now();
    session.driver.pause(Duration::from_millis(300)).map_err(e)?;
    if paints_since(&session, recent)? == 0 {
        return Err("the work was over before the window closed".into());
    }
    let closed = Instant::now();
    let status = session.close(Duration::from_secs(10)).map_err(e)?;
    let took = closed.elapsed();
    if !status.success() {
        return Err(format!("it exited with {status} after its window closed"));
    }
    if took > Duration::from_secs(3) {
        return Err(format!("it took {took:?} to exit, closed mid-work"));
    }
    println!("minimal-04: answered every ping, closed mid-work in {took:?}");
    Ok(())
}

/// Start, then Cancel: the progress stops, so the window stops painting.
fn cancelled() -> Result<(), String> {
    let session = start()?;
    let pressed = session.press_focused().map_err(e)?;
    session.driver.pause(Duration::from_millis(500)).map_err(e)?;
    if paints_since(&session, pressed)? == 0 {
        return Err("nothing was painted after Start".into());
    }
    session.key(keysym::TAB).map_err(e)?;
    session.press_focused().map_err(e)?;
    // Long enough for the button's own transitions to end.
    session.driver.pause(Duration::from_millis(700)).map_err(e)?;
    let quiet = Instant::now();
    let pings = session.pings(Duration::from_secs(1), PROMPT).map_err(e)?;
    let painted = paints_since(&session, quiet)?;
    if painted > 0 || pings.answered != pings.sent {
        return Err(format!(
            "after Cancel: {painted} paints in 1 s, pings {pings:?}"
        ));
    }
    let status = session.close(Duration::from_secs(10)).map_err(e)?;
    if !status.success() {
        return Err(format!("it exited with {status} after its window closed"));
    }
    println!("minimal-04: Cancel stopped the work, and the window went quiet");
    Ok(())
}
