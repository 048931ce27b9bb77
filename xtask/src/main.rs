//! `cargo xtask <command>`: the project's chores as Rust, so they run the same on every machine
//! without a shell script or a GTK build in the way.

#![expect(clippy::disallowed_methods, reason = "no main loop: waiting for programs is its job")]

mod anchors;
mod book;
mod cmd;
mod figures;
mod headless;
mod lessons;
mod lint_policy;
mod measure;
mod progress;
mod run;
mod screenshots;
mod setup;
mod test;

use cmd::{Failure, Result};
use lexopt::prelude::*;
use std::process::ExitCode;

const USAGE: &str = "\
Usage: cargo xtask <command>

Commands:
  setup                    install what the rest needs: GTK 4 headers, Xvfb, Chromium and
                           chromedriver (apt-get), mdBook and lychee (cargo install)
  run <lesson> [-- args]   run one lesson, by package, number or name (01, blocking)
  test [cargo test args]   fmt, clippy, lint-policy, the tests (under Xvfb if headless), book
  lint-policy              prove clippy denies every call clippy.toml lists, on a fixture
  lessons                  write the README's lessons table from the lessons' Cargo.toml
  book                     check the book's sources, build it, check its links (lychee),
                           test its pages in headless Chromium (xtask/browser)
  measure [--runs N] [--work-ms MS]
                           run every autopilot N times (default 3), save the reports, figures
  figures                  draw book/src/generated/ from the saved reports
  screenshots              every lesson saves its window to book/src/images/<package>.png
  bless                    rewrite the compile-fail expectations (TRYBUILD=overwrite)
  exercise [name] [flags]  list the exercises, or check one (--solution, --watch; xtask/exercises)
  help                     show this text
";

fn main() -> ExitCode {
    match dispatch() {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            if let Some(message) = failure.message {
                eprintln!("error: {message}");
            }
            ExitCode::from(failure.code)
        }
    }
}

fn dispatch() -> Result {
    let mut parser = lexopt::Parser::from_env();
    let command = match parser.next()? {
        Some(Value(command)) => command.string()?,
        Some(Short('h') | Long("help")) => "help".to_string(),
        Some(other) => return Err(other.unexpected().into()),
        None => {
            eprint!("{USAGE}");
            return Err(Failure { message: None, code: cmd::EXIT_USAGE });
        }
    };
    match command.as_str() {
        "help" => {
            print!("{USAGE}");
            Ok(())
        }
        "run" => run::run(&mut parser),
        "test" => test::test(parser.raw_args()?.collect()),
        "exercise" => test::exercise(parser.raw_args()?.collect()),
        "measure" => measure::measure(&mut parser),
        other => {
            let command: fn() -> Result = match other {
                "setup" => setup::setup,
                "lint-policy" => lint_policy::lint_policy,
                "lessons" => lessons::write_readme,
                "book" => book::book,
                "figures" => figures::figures,
                "screenshots" => screenshots::screenshots,
                "bless" => test::bless,
                unknown => {
                    eprint!("{USAGE}");
                    return Err(Failure::usage(format!("unknown command '{unknown}'")));
                }
            };
            // These take no arguments.
            if let Some(arg) = parser.next()? {
                return Err(arg.unexpected().into());
            }
            command()
        }
    }
}
