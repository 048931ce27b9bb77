//! `cargo xtask test` (everything CI checks, in the order that fails fastest), `cargo xtask bless`
//! (rewrite the compile-fail expectations) and `cargo xtask exercise` (run by xtask/exercises).

use crate::cmd::{self, Failure, Result};
use crate::{book, lint_policy, setup};
use std::ffi::OsString;

pub fn test(cargo_test_args: Vec<OsString>) -> Result {
    setup::setup()?;
    cmd::run(cmd::cargo().args(["fmt", "--all", "--check"]))?;
    cmd::run(cmd::cargo().args("clippy --workspace --all-targets -- -D warnings".split(' ')))?;
    lint_policy::lint_policy()?;

    // The lessons' tests open real windows; headless, Xvfb gives them a display to open them on.
    let mut tests = if cmd::has_display() { cmd::cargo() } else { cmd::command("xvfb-run") };
    if !cmd::has_display() {
        tests.arg("-a").arg(cmd::cargo_program());
    }
    tests.args(["test", "--workspace"]).args(cargo_test_args);
    cmd::run(&mut tests)?;
    exercise(vec!["--verify".into()])?; // each exercise fails as shipped, its solution passes
    book::book()
}

pub fn exercise(args: Vec<OsString>) -> Result {
    let status =
        cmd::status(cmd::cargo().args(["run", "-q", "-p", "xtask-exercises", "--"]).args(args))?;
    status.success().then_some(()).ok_or(Failure::quiet(status))
}

pub fn bless() -> Result {
    // Only the trybuild harness: compile-tests' runtime guards need a display and write nothing.
    let trybuild = "test -p compile-tests --test compile";
    cmd::run(cmd::cargo().args(trybuild.split(' ')).env("TRYBUILD", "overwrite"))
}
