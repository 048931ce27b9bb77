//! What `measure` and `screenshots` share: a release build of the lessons, and a display to run
//! them on. Without one, xtask runs itself again under `xvfb-run`, once for the whole series, so
//! no server start-up lands inside a timing.

use crate::cmd::{self, Failure, Result};
use crate::setup;
use std::path::PathBuf;

/// Set on the copy of xtask started under `xvfb-run`, so that it does the work instead of
/// starting yet another Xvfb.
const UNDER_XVFB: &str = "XTASK_UNDER_XVFB";

pub enum Prepared {
    /// Go on: the release binaries are in this directory and a display is there.
    Ready(PathBuf),
    /// A copy of xtask did the work under xvfb-run, and succeeded.
    DoneUnderXvfb,
}

pub fn prepare(command: &str, args: &[String]) -> Result<Prepared> {
    if std::env::var_os(UNDER_XVFB).is_none() {
        setup::setup()?;
        cmd::run(cmd::cargo().args(["build", "--release", "--workspace", "--bins"]))?;
        if !cmd::has_display() {
            rerun_under_xvfb(command, args)?;
            return Ok(Prepared::DoneUnderXvfb);
        }
    } else if !cmd::has_display() {
        return Err(Failure::new("started under xvfb-run, yet there is no DISPLAY"));
    }
    Ok(Prepared::Ready(target_dir().join("release")))
}

fn rerun_under_xvfb(command: &str, args: &[String]) -> Result {
    let exe = std::env::current_exe()
        .map_err(|e| Failure::new(format!("cannot find xtask's own executable: {e}")))?;
    let mut xvfb = cmd::command("xvfb-run");
    xvfb.arg("-a").arg(exe).arg(command).args(args).env(UNDER_XVFB, "1");
    cmd::step(&format!("{command}: no display, running under xvfb-run"));
    let status = cmd::status(&mut xvfb)?;
    if status.success() { Ok(()) } else { Err(Failure::quiet(status)) }
}

fn target_dir() -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) => cmd::root().join(dir),
        None => cmd::root().join("target"),
    }
}
