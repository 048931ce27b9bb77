//! The minimal example, run for real and judged from outside, as a person
//! and a window manager would. Fetch is pressed (Space: it has the focus);
//! the window answers every ping promptly while the server takes its two
//! seconds; nothing on it changes meanwhile, and then the answer is
//! painted, two seconds after the click, not before. Fetch is pressed
//! again and the window closed while that request waits: the example exits
//! 0. This file is the test binary and, re-run with `EXAMPLE_CHILD` set,
//! the example itself.

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
/// Every ping must be answered within this, one core busy or not.
const PROMPT: Duration = Duration::from_millis(250);
/// How long the example's server waits before it answers.
const DELAY: Duration = Duration::from_secs(2);

fn main() -> ExitCode {
    if std::env::var_os(CHILD).is_some() {
        return example::run().into();
    }
    match check() {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("the minimal example of lesson 11: {problem}");
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
    prompt("at first", session.pings(PROMPT * 2, PROMPT).map_err(e)?)?;

    // Fetch: the request waits two seconds on the runtime's threads, and
    // the window answers every ping meanwhile, and a second longer.
    let fetch = session.press_focused().map_err(e)?;
    let until = fetch + DELAY + Duration::from_secs(1);
    let pings = session
        .pings(until.saturating_duration_since(Instant::now()), PROMPT)
        .map_err(e)?;
    prompt("while the request waited", pings)?;

    // "Waiting..." is painted at the click, and the answer when it comes.
    let paints = session.driver.paints().map_err(e)?;
    let after = |from: Duration, to: Duration| {
        let span = fetch + from..fetch + to;
        paints.iter().filter(|at| span.contains(at)).count()
    };
    let waiting = after(Duration::from_millis(700), DELAY * 19 / 20);
    if waiting != 0 {
        return Err(format!("{waiting} paints before the answer was due"));
    }
    if after(DELAY * 19 / 20, DELAY + Duration::from_secs(1)) == 0 {
        let seen: Vec<Duration> = paints
            .iter()
            .map(|at| at.saturating_duration_since(fetch))
            .collect();
        return Err(format!(
            "nothing painted when the answer was due; paints since the \
             click: {seen:?}"
        ));
    }

    // Fetch again, and close the window while that request waits.
    session.press_focused().map_err(e)?;
    session.pings(PROMPT * 2, PROMPT).map_err(e)?;
    let asked = Instant::now();
    let status = session.close(Duration::from_secs(5)).map_err(e)?;
    let took = asked.elapsed();
    if !status.success() {
        return Err(format!("it exited with {status} after its window closed"));
    }
    println!(
        "the minimal example answered every ping within {PROMPT:?}, painted \
         the answer when it came, and exited 0 in {took:?} mid-request"
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
