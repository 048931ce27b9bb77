//! `xtask-browser --site DIR --shots DIR --search WORD --chapter PAGE=TITLE... --lesson PAGE...`:
//! run by `cargo xtask book`, which reads the chapters from SUMMARY.md and the lessons from
//! `cargo metadata`. Prints one problem a line on stdout; exits 1 if there is any, 2 on a
//! mistake in how it was called.

use std::process::ExitCode;
use std::time::Duration;
use xtask_browser::{Chapter, Plan};

/// The whole check, Chromium's start included, takes well under a minute on two cores.
const LIMIT: Duration = Duration::from_secs(300);

fn main() -> ExitCode {
    let plan = match plan() {
        Ok(plan) => plan,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    #[expect(clippy::disallowed_methods, reason = "a command-line tool: no main loop to freeze")]
    let outcome =
        runtime.block_on(async { tokio::time::timeout(LIMIT, xtask_browser::check(&plan)).await });
    match outcome {
        Ok(Ok(problems)) => {
            for problem in &problems {
                println!("{problem}");
            }
            let pages = plan.chapters.len();
            eprintln!("browser: {pages} chapters checked, {} problems", problems.len());
            if problems.is_empty() { ExitCode::SUCCESS } else { ExitCode::FAILURE }
        }
        Ok(Err(e)) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
        Err(_) => {
            eprintln!("error: the browser check did not finish within {LIMIT:?}");
            ExitCode::FAILURE
        }
    }
}

fn plan() -> Result<Plan, lexopt::Error> {
    use lexopt::prelude::*;
    let mut plan = Plan {
        site: Default::default(),
        shots: Default::default(),
        chapters: Vec::new(),
        lessons: Vec::new(),
        search: String::new(),
    };
    let mut parser = lexopt::Parser::from_env();
    while let Some(arg) = parser.next()? {
        match arg {
            Long("site") => plan.site = parser.value()?.into(),
            Long("shots") => plan.shots = parser.value()?.into(),
            Long("search") => plan.search = parser.value()?.string()?,
            Long("lesson") => plan.lessons.push(parser.value()?.string()?),
            Long("chapter") => {
                let value = parser.value()?.string()?;
                let Some((path, title)) = value.split_once('=') else {
                    return Err(format!("--chapter takes PAGE=TITLE, not {value:?}").into());
                };
                plan.chapters.push(Chapter { path: path.into(), title: title.into() });
            }
            _ => return Err(arg.unexpected()),
        }
    }
    for (empty, what) in [
        (plan.site.as_os_str().is_empty(), "--site"),
        (plan.shots.as_os_str().is_empty(), "--shots"),
        (plan.search.is_empty(), "--search"),
        (plan.chapters.is_empty(), "--chapter"),
    ] {
        if empty {
            return Err(format!("{what} is required").into());
        }
    }
    Ok(plan)
}
