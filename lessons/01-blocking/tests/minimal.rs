//! The minimal example, run for real and judged from outside, as a person
//! and a window manager would: its window opens, DANGER! is pressed (Space:
//! it has the focus), the window stops answering the window manager's pings
//! for the five seconds of work, answers again after, and exits 0 when the
//! window manager closes it. This file is the test binary and, re-run with
//! `EXAMPLE_CHILD` set, the example itself.

mod example {
    include!("../examples/minimal.rs");

    pub(super) fn run() -> glib::ExitCode {
        main()
    }
}

use std::process::{Command, ExitCode};
use std::time::Duration;
use xdriver::Session;

const CHILD: &str = "EXAMPLE_CHILD";

fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        return example::run().into();
    }
    match check() {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("the minimal example of lesson 01: {problem}");
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

    let before = session
        .pings(Duration::from_millis(300), Duration::from_millis(100))
        .map_err(e)?;
    if before.answered != before.sent {
        return Err(format!(
            "the window did not answer before DANGER: {before:?}"
        ));
    }
    session.press_focused().map_err(e)?;
    let during = session
        .pings(Duration::from_secs(3), Duration::from_millis(500))
        .map_err(e)?;
    if during.answered != 0 {
        return Err(format!("the window answered during the work: {during:?}"));
    }
    // The rest of the five seconds, and then some.
    let after = session
        .driver
        .ping(session.window, Duration::from_secs(10))
        .map_err(e)?;
    if after.is_none() {
        return Err("the window never answered again after the work".into());
    }
    let status = session.close(Duration::from_secs(10)).map_err(e)?;
    if !status.success() {
        return Err(format!("it exited with {status} after its window closed"));
    }
    println!("the minimal example froze while DANGER! ran, and closed cleanly");
    Ok(())
}
