//! `cargo xtask screenshots`: every lesson's autopilot, run with its default work, saves its
//! window at the scenario's telling moment into `book/src/images/<package>.png`, where the
//! chapters show it.

use crate::cmd::{self, Failure, Result};
use crate::headless::{self, Prepared};
use crate::lessons;
use std::time::Duration;

const RUN_TIMEOUT: Duration = Duration::from_secs(180);

pub fn screenshots(args: &[String]) -> Result {
    if let Some(arg) = args.first() {
        return Err(Failure::usage(format!("unexpected argument '{arg}' for screenshots")));
    }
    let release = match headless::prepare("screenshots", args)? {
        Prepared::Ready(release) => release,
        Prepared::DoneUnderXvfb => return Ok(()),
    };
    let images = cmd::root().join("book/src/images");
    std::fs::create_dir_all(&images)
        .map_err(|e| Failure::new(format!("cannot create {}: {e}", cmd::shown(&images))))?;
    for package in lessons::discover()? {
        let shot = images.join(format!("{package}.png"));
        cmd::step(&format!("screenshots: {package}"));
        let shot_arg = shot.to_str().ok_or_else(|| Failure::new("the image path is not UTF-8"))?;
        lesson_report::run_autopilot(
            &release.join(&package),
            &["--screenshot", shot_arg],
            RUN_TIMEOUT,
        )
        .map_err(|e| Failure::new(format!("{package}: {e}")))?;
        eprintln!("  {}", cmd::shown(&shot));
    }
    Ok(())
}
