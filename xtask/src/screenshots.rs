//! `cargo xtask screenshots`: every lesson's autopilot, run with its default work, saves its
//! window at the scenario's telling moment into `book/src/images/<package>.png`, where the
//! chapters show it.

use crate::cmd::{self, Failure, Result};
use crate::progress::Progress;
use crate::{headless, lessons};
use std::time::Duration;

const RUN_TIMEOUT: Duration = Duration::from_secs(180);

pub fn screenshots() -> Result {
    let lessons = lessons::discover()?;
    let Some(release) = headless::prepare()? else { return Ok(()) };
    let images = cmd::root().join("book/src/images");
    std::fs::create_dir_all(&images)
        .map_err(|e| Failure::new(format!("cannot create {}: {e}", cmd::shown(&images))))?;
    let mut progress = Progress::new("screenshots", lessons.len());
    for lesson in &lessons {
        let package = &lesson.package;
        let shot = images.join(format!("{package}.png"));
        progress.start(package.clone());
        let shot_arg = shot.to_str().ok_or_else(|| Failure::new("the image path is not UTF-8"))?;
        lesson_report::run_autopilot(
            &release.join(package),
            &["--screenshot", shot_arg],
            RUN_TIMEOUT,
        )
        .map_err(|e| Failure::new(format!("{package}: {e}")))?;
        progress.done(&cmd::shown(&shot));
    }
    Ok(())
}
