//! `cargo xtask figures`: every generated file of the book, drawn from the measurements alone.
//!
//! `cargo xtask measure` runs the lessons and saves their raw reports as
//! `book/src/generated/<package>.json`; this step reads those files back and (re)writes, without
//! running anything:
//!
//! - `<package>.md`: the table of medians, min and max of every figure;
//! - `<package>-heartbeat.svg`: the heartbeat gaps over time of the median run;
//! - `summary.md`: one table across the patterns (see [`summary::ROWS`]).
//!
//! Each file names the machine, toolchain and date of the measurement it comes from (the JSON's
//! `generated` block). Being pure, it can be re-run after changing how figures are presented,
//! and its parts are unit-tested.

mod chart;
mod data;
mod summary;
mod table;

use crate::cmd::{self, Failure, Result};
pub use data::Measurement;
use std::path::{Path, PathBuf};

/// Where the measurements are and the figures go, relative to the workspace root.
pub const GENERATED: &str = "book/src/generated";

pub fn figures(args: &[String]) -> Result {
    if let Some(arg) = args.first() {
        return Err(Failure::usage(format!("unexpected argument '{arg}' for figures")));
    }
    let dir = cmd::root().join(GENERATED);
    let written = write_all(&dir)?;
    cmd::step("figures: wrote");
    for path in written {
        eprintln!("  {}", cmd::shown(&path));
    }
    Ok(())
}

/// Reads every `<package>.json` in `dir` and writes the files drawn from them. A file that
/// cannot be drawn does not stop the others: every problem is reported, then the step fails.
pub fn write_all(dir: &Path) -> Result<Vec<PathBuf>> {
    let measurements = data::load_dir(dir)
        .map_err(|e| Failure::new(format!("cannot read {}: {e}", cmd::shown(dir))))?;
    if measurements.is_empty() {
        return Err(Failure::new(format!(
            "no <package>.json in {}: run `cargo xtask measure` first",
            cmd::shown(dir)
        )));
    }

    let mut files: Vec<(PathBuf, std::result::Result<String, String>)> = Vec::new();
    for measurement in &measurements {
        let package = &measurement.package;
        files.push((dir.join(format!("{package}.md")), Ok(lesson_markdown(measurement))));
        files.push((
            dir.join(format!("{package}-heartbeat.svg")),
            chart::heartbeat_svg(measurement),
        ));
    }
    files.push((dir.join("summary.md"), summary::markdown(&measurements)));

    let mut written = Vec::new();
    let mut problems = Vec::new();
    for (path, text) in files {
        match text {
            Ok(text) => match std::fs::write(&path, text) {
                Ok(()) => written.push(path),
                Err(e) => problems.push(format!("cannot write {}: {e}", cmd::shown(&path))),
            },
            Err(e) => problems.push(format!("{}: {e}", cmd::shown(&path))),
        }
    }
    for problem in &problems {
        eprintln!("figures: {problem}");
    }
    match problems.len() {
        0 => Ok(written),
        1 => Err(Failure::new("1 generated file could not be drawn")),
        n => Err(Failure::new(format!("{n} generated files could not be drawn"))),
    }
}

/// "x does not exist", and for a file that xtask makes, how to make it: a lesson's screenshot
/// in `images/`, or a file of `generated/`, drawn from the measurements already there or by
/// measuring.
pub fn missing(path: &Path) -> String {
    let shown = cmd::shown(path);
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or("");
    let dir_name = path.parent().and_then(Path::file_name).and_then(|name| name.to_str());
    if dir_name == Some("images") && name.starts_with("lesson-") && name.ends_with(".png") {
        return format!("{shown} does not exist: run `cargo xtask screenshots`");
    }
    let Some(dir) = path.parent().filter(|_| dir_name == Some("generated")) else {
        return format!("{shown} does not exist");
    };
    let package = ["-heartbeat.svg", ".md"].iter().find_map(|suffix| name.strip_suffix(suffix));
    let measured = match package {
        Some("summary") => data::load_dir(dir).is_ok_and(|found| !found.is_empty()),
        Some(package) => dir.join(format!("{package}.json")).is_file(),
        None => false,
    };
    if measured {
        format!(
            "{shown} does not exist: run `cargo xtask figures` to draw it from the measurements \
             in {}",
            cmd::shown(dir)
        )
    } else {
        format!("{shown} does not exist: run `cargo xtask measure`")
    }
}

/// A lesson's table of figures under the caption naming where it was measured.
pub fn lesson_markdown(measurement: &Measurement) -> String {
    format!(
        "{}\n\n{}",
        measurement.caption(),
        table::markdown_table(&table::rows(&measurement.reports))
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_missing_generated_file_says_how_to_make_it() {
        let dir =
            std::env::temp_dir().join(format!("xtask-missing-{}/generated", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("lesson-01-x.json"), "{\"generated\": {}, \"reports\": [{}]}")
            .unwrap();
        let hint = |name: &str| missing(&dir.join(name));
        let (svg, md, summary, unmeasured, other) = (
            hint("lesson-01-x-heartbeat.svg"),
            hint("lesson-01-x.md"),
            hint("summary.md"),
            hint("lesson-02-y.md"),
            missing(Path::new("/book/src/images/x.png")),
        );
        let screenshot = missing(Path::new("/book/src/images/lesson-03-pool.png"));
        let _ = std::fs::remove_dir_all(dir.parent().unwrap());
        assert!(svg.contains("-heartbeat.svg does not exist: run `cargo xtask figures`"), "{svg}");
        assert!(md.contains("run `cargo xtask figures`"), "{md}");
        assert!(summary.contains("run `cargo xtask figures`"), "{summary}");
        assert!(unmeasured.ends_with("lesson-02-y.md does not exist: run `cargo xtask measure`"));
        assert_eq!(other, "/book/src/images/x.png does not exist");
        assert!(screenshot.ends_with("does not exist: run `cargo xtask screenshots`"));
    }
}
