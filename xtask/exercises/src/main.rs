//! `cargo xtask exercise`: lists the exercises, checks one (or its solution), re-checks it on
//! every save, or verifies them all for CI. The checks that run a program do it on a private
//! Xvfb: this program starts one, runs itself again with `DISPLAY` pointing at it, and stops it.

#![expect(
    clippy::disallowed_methods,
    reason = "a command-line tool with no main loop: waiting for the \
              programs it runs is its job"
)]

use lexopt::prelude::*;
use std::process::{Command, ExitCode};
use xtask_exercises::catalogue::{self, Catalogue, Variant};
use xtask_exercises::check::{self, Report};
use xtask_exercises::state::{self, State};
use xtask_exercises::{watch, xvfb};

const USAGE: &str = "\
Usage: cargo xtask exercise                    list the exercises and where each stands
       cargo xtask exercise <name>             check it: what is still wrong, with a hint
       cargo xtask exercise <name> --solution  check its solution instead
       cargo xtask exercise <name> --watch     check it again every time it is saved
       cargo xtask exercise --verify           every exercise fails its check as shipped, for
                                               its reason, and every solution passes (CI)
";

/// Set on the copy of this program that runs on the private X server.
const ON_XVFB: &str = "XTASK_EXERCISES_ON_XVFB";

enum Task {
    List,
    Check { name: String, solution: bool, watch: bool },
    Verify,
}

fn main() -> ExitCode {
    let command = match parse() {
        Ok(Some(command)) => command,
        Ok(None) => {
            print!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("error: {message}");
            return ExitCode::from(2);
        }
    };
    let catalogue = match catalogue::discover() {
        Ok(catalogue) => catalogue,
        Err(message) => {
            eprintln!("error: the exercises' catalogue: {message}");
            return ExitCode::FAILURE;
        }
    };
    if let Task::Check { name, .. } = &command
        && let Err(message) = catalogue.find(name)
    {
        eprintln!("error: {message}");
        return ExitCode::from(2);
    }
    let outcome = match command {
        Task::List => {
            list(&catalogue);
            Ok(true)
        }
        _ if std::env::var_os(ON_XVFB).is_none() => on_xvfb(),
        Task::Verify => check::verify(&catalogue),
        Task::Check { name, solution, watch: false } => check_one(&catalogue, &name, solution),
        Task::Check { name, solution, watch: true } => watch(&catalogue, &name, solution),
    };
    match outcome {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

/// The command line; `None` for help.
fn parse() -> Result<Option<Task>, lexopt::Error> {
    let mut parser = lexopt::Parser::from_env();
    let (mut name, mut solution, mut watch, mut verify) = (None, false, false, false);
    while let Some(arg) = parser.next()? {
        match arg {
            Short('h') | Long("help") => return Ok(None),
            Long("solution") => solution = true,
            Long("watch") => watch = true,
            Long("verify") => verify = true,
            Value(value) if name.is_none() => name = Some(value.string()?),
            other => return Err(other.unexpected()),
        }
    }
    match (name, verify) {
        (Some(_), true) => Err("--verify checks every exercise: it takes no name".into()),
        (None, true) if solution || watch => Err("--verify takes no other option".into()),
        (None, true) => Ok(Some(Task::Verify)),
        (None, false) if solution || watch => {
            Err("--solution and --watch need an exercise: cargo xtask exercise <name>".into())
        }
        (None, false) => Ok(Some(Task::List)),
        (Some(name), false) => Ok(Some(Task::Check { name, solution, watch })),
    }
}

/// This same command again, on a private Xvfb stopped afterwards: its outcome.
fn on_xvfb() -> Result<bool, String> {
    let xvfb = xvfb::Xvfb::start()?;
    let exe = std::env::current_exe().map_err(|e| format!("cannot find myself: {e}"))?;
    let status = Command::new(exe)
        .args(std::env::args_os().skip(1))
        .env("DISPLAY", &xvfb.display)
        .env_remove("WAYLAND_DISPLAY")
        .env(ON_XVFB, "1")
        .status()
        .map_err(|e| format!("could not run the checks: {e}"))?;
    drop(xvfb);
    match status.code() {
        Some(0) => Ok(true),
        Some(1) => Ok(false),
        _ => Err(format!("the checks failed ({status})")),
    }
}

fn list(catalogue: &Catalogue) {
    let state = State::load(&catalogue.target);
    let now = state::now();
    let mut rows = vec![["exercise".to_string(), "title".into(), "file".into(), "state".into()]];
    for exercise in &catalogue.exercises {
        let fingerprint = state::fingerprint(&catalogue.root.join(&exercise.exercise));
        let standing = state.describe(&state::key(&exercise.name, false), fingerprint, now);
        let file = exercise.exercise.display().to_string();
        rows.push([exercise.name.clone(), exercise.title.clone(), file, standing]);
    }
    let width = |column: usize| rows.iter().map(|row| row[column].chars().count()).max();
    let widths = [0, 1, 2].map(|column| width(column).unwrap_or(0));
    for [name, title, file, standing] in &rows {
        let [a, b, c] = widths;
        println!("{name:<a$}  {title:<b$}  {file:<c$}  {standing}");
    }
    println!(
        "\nCheck one: cargo xtask exercise <name> (--watch: again on every save; --solution: its \
         solution). The chapter: book/src/exercises.md"
    );
}

fn check_one(catalogue: &Catalogue, name: &str, solution: bool) -> Result<bool, String> {
    let report = checked(catalogue, name, solution)?;
    Ok(report.failure().is_none())
}

fn checked(catalogue: &Catalogue, name: &str, solution: bool) -> Result<Report, String> {
    let exercise = catalogue.find(name)?;
    let variant = if solution { Variant::Solution } else { Variant::Exercise };
    let say = |what: &str| eprintln!("{name}: {what}");
    let mut reports = check::check(catalogue, &[(exercise, variant)], &say)?;
    let report = reports.pop().ok_or("no report")?;
    print!("{}", check::render(catalogue, exercise, &report));
    Ok(report)
}

fn watch(catalogue: &Catalogue, name: &str, solution: bool) -> Result<bool, String> {
    let exercise = catalogue.find(name)?;
    let variant = if solution { Variant::Solution } else { Variant::Exercise };
    let file = catalogue.root.join(exercise.file(variant));
    watch::watch(&file, || {
        let started = std::time::Instant::now();
        println!("\n---- checking {} ----", exercise.file(variant).display());
        match checked(catalogue, name, solution) {
            Ok(_) => eprintln!("(checked in {:.1} s)", started.elapsed().as_secs_f64()),
            Err(message) => eprintln!("error: {message}"),
        }
    })?;
    Ok(true)
}
