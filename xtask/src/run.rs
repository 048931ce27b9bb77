//! `cargo xtask run <lesson> [-- <args>]`: one lesson by a short name, with its exit code
//! passed through so scripts can tell a usage mistake (2) from a failed autopilot.

use crate::cmd::{self, Failure, Result};
use crate::{lessons, setup};
use lexopt::prelude::*;

pub fn run(parser: &mut lexopt::Parser) -> Result {
    let query = match parser.next()? {
        Some(Value(query)) => query.string()?,
        Some(arg) => return Err(arg.unexpected().into()),
        None => {
            return Err(Failure::usage("run needs a lesson: cargo xtask run <lesson> [-- <args>]"));
        }
    };
    // Everything after the lesson is the lesson's; the `--` that says so is optional.
    let mut rest: Vec<_> = parser.raw_args()?.collect();
    if rest.first().is_some_and(|arg| arg == "--") {
        rest.remove(0);
    }
    // Before setup, so that a typo is not answered with apt-get.
    let lessons = lessons::discover()?;
    let package = lessons::resolve(&query, &lessons).map_err(Failure::usage)?;
    setup::packages()?;

    let mut command = cmd::cargo();
    command.args(["run", "-p", package, "--"]).args(rest);
    cmd::step(&cmd::describe(&command));
    let status = cmd::status(&mut command)?;
    if status.success() { Ok(()) } else { Err(Failure::quiet(status)) }
}
