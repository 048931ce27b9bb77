//! `cargo xtask test` (everything CI checks, in the order that fails fastest) and `cargo xtask
//! bless` (rewrite the compile-fail expectations after a deliberate change).

use crate::cmd::{self, Result};
use crate::{book, lint_policy, setup};
use std::ffi::OsString;

pub fn test(cargo_test_args: Vec<OsString>) -> Result {
    setup::setup()?;
    cmd::run(cmd::cargo().args(["fmt", "--all", "--check"]))?;
    let clippy = "clippy --workspace --all-targets -- -D warnings";
    cmd::run(cmd::cargo().args(clippy.split(' ')))?;
    lint_policy::lint_policy()?;

    // The lessons' tests open real windows; headless, Xvfb gives them a display to open them on.
    let mut tests = if cmd::has_display() {
        cmd::cargo()
    } else {
        let mut xvfb = cmd::command("xvfb-run");
        xvfb.arg("-a").arg(cmd::cargo_program());
        xvfb
    };
    tests.args(["test", "--workspace"]).args(cargo_test_args);
    cmd::run(&mut tests)?;

    book::book()
}

pub fn bless() -> Result {
    // Only the trybuild harness: compile-tests' runtime guards need a display and write nothing.
    cmd::run(
        cmd::cargo()
            .args(["test", "-p", "compile-tests", "--test", "compile"])
            .env("TRYBUILD", "overwrite"),
    )
}
