//! The minimal example, run for real and judged from outside, as a person
//! and a window manager would. Fetch is pressed (Space: it has the focus);
//! the window answers every ping promptly and paints the bytes as they
//! come; Cancel (Tab, then Space) stops the painting at once; a second
//! fetch is started (Tab, Space) and the window closed in the middle of it:
//! the example exits 0. This file is the test binary and, re-run with
//! `EXAMPLE_CHILD` set, the example itself.

mod example {
    include!("../examples/minimal.rs");

    pub(super) fn run() -> glib::ExitCode {
        main()
    }
}

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
    match check() {
        Ok(()) => ExitCode::SUCCESS,
        Err(problem) => {
            eprintln!("the minimal example of lesson 09: {problem}");
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

    // The server sends a piece every 50 ms for 3.2 s: the label changes
    // with each.
    let fetch = session.press_focused().map_err(e)?;
    let after = |at: Instant| at + Duration::from_millis(200);
    ping_until_painted(&session, "while it fetched", after(fetch), 5)?;
    // Fetch is greyed out while it fetches: Tab goes to Cancel.
    session.key(keysym::TAB).map_err(e)?;
    let cancel = session.press_focused().map_err(e)?;
    prompt("after Cancel", session.pings(PROMPT * 6, PROMPT).map_err(e)?)?;
    // The fetch had seconds to go: 20 more pieces in this second. After
    // Cancel, the label says "Cancelled.", the buttons' new states play
    // the default theme's 200 ms transitions (a frame every 16 ms), and
    // then nothing changes.
    let paints = session.driver.paints().map_err(e)?;
    let quiet = cancel + PROMPT * 2..cancel + PROMPT * 6;
    let after_cancel = paints.iter().filter(|at| quiet.contains(at)).count();
    if after_cancel != 0 {
        return Err(format!("{after_cancel} paints after Cancel"));
    }

    // From Cancel, Tab goes round to Fetch. Closed mid-fetch.
    session.key(keysym::TAB).map_err(e)?;
    let again = session.press_focused().map_err(e)?;
    ping_until_painted(&session, "in the second fetch", after(again), 3)?;
    let asked = Instant::now();
    let status = session.close(Duration::from_secs(10)).map_err(e)?;
    let took = asked.elapsed();
    if !status.success() {
        return Err(format!("it exited with {status} after its window closed"));
    }
    println!(
        "the minimal example answered every ping within {PROMPT:?}, stopped \
         at Cancel, and exited in {took:?} mid-fetch"
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
