//! `cargo xtask figures`: from the reports `measure` saved in `book/src/generated/<package>.json`,
//! without running anything, each lesson's table (`<package>.md`) and chart of the median run
//! (`<package>-heartbeat.svg`), and `summary.md` across the patterns. Each names the machine,
//! toolchain and date of its measurement; being pure, it is re-run after a change of presentation.

mod chart;
mod data;
mod summary;
mod table;

use crate::cmd::{self, Failure, Result};
pub use data::Measurement;
use std::path::Path;

/// Where the measurements are and the figures go, relative to the workspace root.
pub const GENERATED: &str = "book/src/generated";

/// Reads every `<package>.json` and writes the files drawn from them. A file that cannot be
/// drawn does not stop the others: every problem is reported, then the step fails.
pub fn figures() -> Result {
    let dir = cmd::root().join(GENERATED);
    let measurements = data::load_dir(&dir).map_err(cmd::io("read", &dir))?;
    if measurements.is_empty() {
        return Err(Failure::new(format!(
            "no <package>.json in {GENERATED}: run `cargo xtask measure`"
        )));
    }
    let lessons = crate::lessons::discover()?;
    let mut files = vec![("summary.md".to_string(), summary::markdown(&lessons, &measurements))];
    for measurement in &measurements {
        let package = &measurement.package;
        files.push((format!("{package}.md"), lesson_markdown(measurement)));
        files.push((format!("{package}-heartbeat.svg"), chart::heartbeat_svg(measurement)));
    }
    let mut failed = 0;
    for (name, text) in files {
        let path = dir.join(name);
        match text.and_then(|text| std::fs::write(&path, text).map_err(|e| e.to_string())) {
            Ok(()) => eprintln!("figures: wrote {}", cmd::shown(&path)),
            Err(e) => {
                eprintln!("figures: {}: {e}", cmd::shown(&path));
                failed += 1;
            }
        }
    }
    match failed {
        0 => Ok(()),
        n => Err(Failure::new(format!("{n} of the generated files could not be drawn"))),
    }
}

/// "x does not exist", and for a file that xtask makes, how to make it: a lesson's screenshot
/// in `images/`, or a file of `generated/`, drawn from the measurements already there or by
/// measuring.
pub fn missing(path: &Path) -> String {
    let (shown, dir) = (cmd::shown(path), path.parent().unwrap_or(path));
    let name = path.file_name().and_then(|name| name.to_str()).unwrap_or("");
    let measured = |package: &str| match package {
        "summary" => data::load_dir(dir).is_ok_and(|found| !found.is_empty()),
        package => dir.join(format!("{package}.json")).is_file(),
    };
    let package = ["-heartbeat.svg", ".md"].iter().find_map(|suffix| name.strip_suffix(suffix));
    let hint = match (dir.file_name().and_then(|dir| dir.to_str()), package) {
        (Some("images"), _) if name.starts_with("lesson-") && name.ends_with(".png") => {
            ": run `cargo xtask screenshots`"
        }
        (Some("generated"), Some(package)) if measured(package) => {
            ": run `cargo xtask figures` to draw it from the saved measurements"
        }
        (Some("generated"), Some(_)) => ": run `cargo xtask measure`",
        _ => "",
    };
    format!("{shown} does not exist{hint}")
}

/// A lesson's table of figures under the caption naming where it was measured.
pub fn lesson_markdown(measurement: &Measurement) -> std::result::Result<String, String> {
    data::require(&measurement.reports)?;
    let table = table::markdown_table(&table::rows(&measurement.reports));
    Ok(format!("{}\n\n{table}", measurement.caption()))
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
