//! What `measure` and `screenshots` share: a release build of the lessons, and a display to run
//! them on. Without one, xtask runs itself again under `xvfb-run`, once for the whole series, so
//! no server start-up lands inside a timing.

use crate::cmd::{self, Failure, Result};
use crate::setup;
use std::path::PathBuf;

/// Set on the copy of xtask started under `xvfb-run`, so that it does the work instead of
/// starting yet another Xvfb.
const UNDER_XVFB: &str = "XTASK_UNDER_XVFB";

/// The directory of the release binaries, or `None` if a copy of xtask did the work under
/// xvfb-run, and succeeded.
pub fn prepare() -> Result<Option<PathBuf>> {
    if std::env::var_os(UNDER_XVFB).is_none() {
        setup::packages()?;
        cmd::run(cmd::cargo().args(["build", "--release", "--workspace", "--bins"]))?;
        if !cmd::has_display() {
            rerun_under_xvfb()?;
            return Ok(None);
        }
    } else if !cmd::has_display() {
        return Err(Failure::new("started under xvfb-run, yet there is no DISPLAY"));
    }
    let target = std::env::var_os("CARGO_TARGET_DIR").unwrap_or_else(|| "target".into());
    Ok(Some(cmd::root().join(target).join("release")))
}

/// The same command line again, under xvfb-run.
fn rerun_under_xvfb() -> Result {
    let exe = std::env::current_exe()
        .map_err(|e| Failure::new(format!("cannot find xtask's own executable: {e}")))?;
    let mut xvfb = cmd::command("xvfb-run");
    xvfb.arg("-a").arg(exe).args(std::env::args_os().skip(1)).env(UNDER_XVFB, "1");
    cmd::step("no display: running under xvfb-run");
    let status = cmd::status(&mut xvfb)?;
    if status.success() { Ok(()) } else { Err(Failure::quiet(status)) }
}
