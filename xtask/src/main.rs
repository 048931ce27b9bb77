//! `cargo xtask <command>`: the project's chores as Rust, so they run the same on every machine
//! without a shell script or a GTK build in the way.

mod anchors;
mod book;
mod cmd;
mod figures;
mod headless;
mod lessons;
mod lint_policy;
mod measure;
mod run;
mod screenshots;
mod setup;
mod test;
mod version;

use cmd::{Failure, Result};
use std::process::ExitCode;

const USAGE: &str = "\
Usage: cargo xtask <command>

Commands:
  setup                      install the system packages the lessons and tests need
                             (Debian/Ubuntu: libgtk-4-dev pkg-config xvfb xauth chromium)
  run <lesson> [-- <args>]   run one lesson, named by package, number or name (01, blocking)
  test [<cargo test args>]   fmt, clippy, lint-policy, the tests (under Xvfb when headless),
                             then book
  lint-policy                check that clippy still denies every call clippy.toml disallows
                             and the await_holding lints, on tests/lint-fixture
  book                       check the book (includes, images, no pasted code, links),
                             build it with mdBook 0.5, open it in headless Chromium
  measure [--runs N] [--work-ms MS]
                             run every lesson's autopilot N times (default 3), save the
                             reports to book/src/generated/, then run figures
  figures                    draw every file in book/src/generated/ from the saved reports
                             (tables, heartbeat charts, the summary) without running anything
  screenshots                every lesson saves its window at the telling moment to
                             book/src/images/<package>.png
  bless                      rewrite the compile-fail expectations (TRYBUILD=overwrite)
  help                       show this text
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
    let args = std::env::args_os()
        .skip(1)
        .map(|arg| {
            arg.into_string()
                .map_err(|arg| Failure::usage(format!("argument {arg:?} is not UTF-8")))
        })
        .collect::<Result<Vec<String>>>()?;
    let Some((command, rest)) = args.split_first() else {
        eprint!("{USAGE}");
        return Err(Failure { message: None, code: cmd::EXIT_USAGE });
    };
    match command.as_str() {
        "help" | "--help" | "-h" => {
            print!("{USAGE}");
            Ok(())
        }
        "setup" => no_arguments(command, rest).and_then(|()| setup::setup()),
        "run" => run::run(rest),
        "test" => test::test(rest),
        "lint-policy" => no_arguments(command, rest).and_then(|()| lint_policy::lint_policy()),
        "book" => no_arguments(command, rest).and_then(|()| book::book()),
        "measure" => measure::measure(rest),
        "figures" => figures::figures(rest),
        "screenshots" => screenshots::screenshots(rest),
        "bless" => no_arguments(command, rest).and_then(|()| test::bless()),
        unknown => {
            eprintln!("error: unknown command '{unknown}'\n");
            eprint!("{USAGE}");
            Err(Failure { message: None, code: cmd::EXIT_USAGE })
        }
    }
}

fn no_arguments(command: &str, rest: &[String]) -> Result {
    match rest.first() {
        None => Ok(()),
        Some(arg) => Err(Failure::usage(format!("unexpected argument '{arg}' for {command}"))),
    }
}
