//! The minimal example, run for real and judged from outside, as a person
//! and a window manager would: its window opens, Start is pressed (Space: it
//! has the focus), the window answers the window manager's pings promptly
//! and keeps painting all through the work, paints its last count when the
//! work is over and then stops, and exits 0 at once when the window manager
//! closes it in the middle of a second run (Tab, then Space). This file is
//! the test binary and, re-run with `EXAMPLE_CHILD` set, the example itself.

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
/// At least this long: 20 000 items of 100 µs of sleep each.
const WORK: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        return example::run().into();
    }
    match check() {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("the minimal example of lesson 07: {problem}");
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

    let pressed = session.press_focused().map_err(e)?;
    // Every ping answered within a quarter of a second, all through the
    // first two seconds of the work.
    let every = Duration::from_millis(250);
    let pings = session.pings(WORK, every).map_err(e)?;
    if pings.answered != pings.sent {
        return Err(format!(
            "pings went unanswered during the work: {pings:?}"
        ));
    }
    // The bar moves every frame while the work goes, and once the last
    // count is shown the window has nothing left to paint: it goes quiet.
    let quiet = Duration::from_millis(500);
    let deadline = Instant::now() + Duration::from_secs(20);
    let offsets = loop {
        session.driver.pause(quiet).map_err(e)?;
        let paints = session.driver.paints().map_err(e)?;
        let last = paints.iter().max().copied().unwrap_or(pressed);
        if last.elapsed() >= quiet {
            let after = paints.iter().filter(|p| **p >= pressed);
            break after.map(|p| *p - pressed).collect::<Vec<_>>();
        }
        if Instant::now() > deadline {
            return Err("the window never stopped painting".into());
        }
    };
    let step = Duration::from_millis(200);
    for n in 0..WORK.as_millis() / step.as_millis() {
        let from = step * u32::try_from(n).map_err(|e| e.to_string())?;
        let window = from..from + step;
        if !offsets.iter().any(|at| window.contains(at)) {
            return Err(format!("nothing painted during {window:?}"));
        }
    }
    let last = offsets.iter().max().copied().unwrap_or_default();
    if last < WORK {
        return Err(format!("the last paint came {last:?} after the press"));
    }

    // Started again and closed mid-work: the worker stops at its next item.
    // Greyed out during the work, Start lost the focus: Tab gives it back.
    session.key(keysym::TAB).map_err(e)?;
    session.press_focused().map_err(e)?;
    session.driver.pause(Duration::from_millis(500)).map_err(e)?;
    let asked = Instant::now();
    let status = session.close(Duration::from_secs(10)).map_err(e)?;
    let took = asked.elapsed();
    if !status.success() {
        return Err(format!("it exited with {status} after its window closed"));
    }
    if took > Duration::from_millis(1500) {
        return Err(format!("it took {took:?} to exit mid-work"));
    }
    println!(
        "the minimal example stayed responsive ({pings:?}), painted all \
         through its work and until its end ({last:?}), and exited in \
         {took:?} mid-work"
    );
    Ok(())
}
