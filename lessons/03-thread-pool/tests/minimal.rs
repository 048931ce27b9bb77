//! The minimal example, run for real and judged from outside, as a person
//! and a window manager would: its window opens, Start a job is pressed four
//! times (Space: it has the focus), the window answers the window manager's
//! pings promptly all through the work and keeps painting its progress, the
//! fourth job's result comes only after a job ahead of it finished (three
//! threads), and it exits 0 at once when the window manager closes it
//! mid-work. This file is the test binary and, re-run with `EXAMPLE_CHILD`
//! set, the example itself.

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
/// One job of the example: 30 steps of 100 ms.
const JOB: Duration = Duration::from_secs(3);

fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        return example::run().into();
    }
    match check() {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("the minimal example of lesson 03: {problem}");
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

    // Four jobs on three threads: the fourth waits for the first to finish.
    let pressed = session.press_focused().map_err(e)?;
    for _ in 0..3 {
        session.press_focused().map_err(e)?;
    }
    // Every ping answered within a quarter of a second, all through the two
    // rounds of work and a little after.
    let every = Duration::from_millis(250);
    let pings = session.pings(JOB * 2 + every * 4, every).map_err(e)?;
    if pings.answered != pings.sent {
        return Err(format!(
            "pings went unanswered during the work: {pings:?}"
        ));
    }
    let paints = session.driver.paints().map_err(e)?;
    let since = |paint: &Instant| paint.saturating_duration_since(pressed);
    let offsets: Vec<Duration> =
        paints.iter().filter(|p| **p >= pressed).map(since).collect();
    // The bars move every 100 ms: no second of the work without a paint.
    for second in 0..(JOB * 2).as_secs() {
        let from = Duration::from_secs(second);
        let window = from..from + Duration::from_secs(1);
        if !offsets.iter().any(|at| window.contains(at)) {
            return Err(format!("nothing painted during {window:?}"));
        }
    }
    // The fourth job's result: painted once it had run its three seconds
    // after a free thread took it, so not before two jobs' time.
    let last = offsets.iter().max().copied().unwrap_or_default();
    if last < JOB * 2 {
        return Err(format!("the last paint came {last:?} after the press"));
    }

    // Closed mid-work, with two jobs running: they stop within a step, and
    // dropping the pool has nothing left to wait for.
    session.press_focused().map_err(e)?;
    session.press_focused().map_err(e)?;
    session.driver.pause(Duration::from_millis(500)).map_err(e)?;
    let asked = Instant::now();
    let status = session.close(Duration::from_secs(10)).map_err(e)?;
    let took = asked.elapsed();
    if !status.success() {
        return Err(format!("it exited with {status} after its window closed"));
    }
    // Without the stop flag the pool would wait out the jobs' 2.5 s left.
    if took > Duration::from_millis(1500) {
        return Err(format!("it took {took:?} to exit mid-work"));
    }
    println!(
        "the minimal example stayed responsive ({pings:?}), queued its \
         fourth job, and exited in {took:?} mid-work"
    );
    Ok(())
}
