//! `cargo xtask run <lesson> [-- <args>]`: one lesson by a short name, with its exit code
//! passed through so scripts can tell a usage mistake (2) from a failed autopilot.

use crate::cmd::{self, Failure, Result};
use crate::{lessons, setup};

pub fn run(args: &[String]) -> Result {
    let Some((query, rest)) = args.split_first() else {
        return Err(Failure::usage("run needs a lesson: cargo xtask run <lesson> [-- <args>]"));
    };
    // Everything after the lesson is the lesson's; the `--` that says so is optional.
    let lesson_args = match rest.split_first() {
        Some((dashes, tail)) if dashes == "--" => tail,
        _ => rest,
    };
    // Before setup, so that a typo is not answered with apt-get.
    let packages = lessons::discover()?;
    let package = lessons::resolve(query, &packages).map_err(Failure::usage)?;
    setup::setup()?;

    let mut command = cmd::cargo();
    command.args(["run", "-p", package, "--"]).args(lesson_args);
    cmd::step(&cmd::describe(&command));
    let status = cmd::status(&mut command)?;
    if status.success() { Ok(()) } else { Err(Failure::quiet(status)) }
}
