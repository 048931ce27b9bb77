//! `cargo xtask measure [--runs N] [--work-ms MS]`: runs every lesson's autopilot from a
//! release build, saves the raw reports of each lesson in `book/src/generated/<package>.json`,
//! then draws every generated file from them with `cargo xtask figures` (see [`crate::figures`]).

use crate::cmd::{self, Failure, Result};
use crate::progress::Progress;
use crate::{figures, headless, lessons};
use lexopt::prelude::*;
use serde_json::{Value, json};
use std::time::Duration;

/// Generous: a run is a few seconds, but a loaded machine under Xvfb can be slow to map a window.
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

#[derive(Debug, PartialEq)]
pub struct Options {
    pub runs: usize,
    pub work_ms: Option<u64>,
}

pub fn measure(parser: &mut lexopt::Parser) -> Result {
    let options = parse_options(parser)?;
    let lessons = lessons::discover()?;
    let Some(release) = headless::prepare()? else { return Ok(()) };
    let mut progress = Progress::new("measure", lessons.len() * options.runs);
    let work_ms = options.work_ms.map(|ms| ms.to_string());
    let args: Vec<&str> = work_ms.iter().flat_map(|ms| ["--work-ms", ms]).collect();
    let mut measured = Vec::new();
    for lesson in &lessons {
        let (package, mut reports) = (&lesson.package, Vec::new());
        for run in 1..=options.runs {
            progress.start(format!("{package}, run {run} of {}", options.runs));
            let failed =
                |e: &dyn std::fmt::Display| Failure::new(format!("{package}, run {run}: {e}"));
            // Figures alike from any shell: RUST_BACKTRACE stalls lesson 11 (its chapter says).
            let mut command = lesson_report::autopilot_command(&release.join(package), &args);
            let run = lesson_report::run_command(command.env_remove("RUST_BACKTRACE"), RUN_TIMEOUT);
            let report = run.map_err(|e| failed(&e))?;
            let (heartbeat, frames) = (report.heartbeat.max_gap_ms, report.frames.max_interval_ms);
            progress.done(&format!(
                "max heartbeat gap {heartbeat:.1} ms, frame interval {frames:.1} ms"
            ));
            reports.push(serde_json::to_value(&report).map_err(|e| failed(&e))?);
        }
        measured.push((package, reports));
    }
    drop(progress);

    // Where and on what the figures were measured, saved with them and printed with every table
    // and chart, since figures from a laptop and from a CI runner differ.
    let ask = |program: &str, args: &[&str]| {
        cmd::output(cmd::command(program).args(args)).unwrap_or_else(|| "unknown".into())
    };
    let generated = json!({
        "date_utc": ask("date", &["-u", "+%Y-%m-%d"]),
        "host": ask("uname", &["-srm"]),
        "cpus": std::thread::available_parallelism().map_or(1, usize::from),
        "rustc": ask("rustc", &["--version"]),
        "runs": options.runs,
        "work_ms": options.work_ms,
    });
    let dir = cmd::root().join(figures::GENERATED);
    std::fs::create_dir_all(&dir).map_err(cmd::io("create", &dir))?;
    for (package, reports) in &measured {
        let path = dir.join(format!("{package}.json"));
        let text = data_file(&generated, reports).map_err(|e| Failure::new(e.to_string()))?;
        std::fs::write(&path, text).map_err(cmd::io("write", &path))?;
        eprintln!("measure: saved {}", cmd::shown(&path));
    }
    figures::figures()
}

pub fn parse_options(parser: &mut lexopt::Parser) -> Result<Options> {
    let mut options = Options { runs: 3, work_ms: None };
    while let Some(arg) = parser.next()? {
        match arg {
            Long("runs") => options.runs = number(parser, "--runs", 1)? as usize,
            Long("work-ms") => options.work_ms = Some(number(parser, "--work-ms", 0)?),
            _ => return Err(arg.unexpected().into()),
        }
    }
    Ok(options)
}

/// The option's value as a whole number of at least `min`, or one line saying it is not.
fn number(parser: &mut lexopt::Parser, option: &str, min: u64) -> Result<u64> {
    let value = parser.value()?;
    let number = value.to_str().and_then(|text| text.parse().ok()).filter(|n| *n >= min);
    let expected = format!("expected a whole number of at least {min}");
    number.ok_or_else(|| {
        Failure::usage(format!("invalid value {value:?} for '{option}': {expected}"))
    })
}

/// `{"generated": {...}, "reports": [...]}` with one report per line: pretty-printed, the
/// heartbeat timelines alone would run to thousands of lines, and a line per run keeps diffs
/// between measurements readable.
fn data_file(generated: &Value, reports: &[Value]) -> serde_json::Result<String> {
    let generated = serde_json::to_string_pretty(generated)?.replace('\n', "\n  ");
    let reports: Vec<String> =
        reports.iter().map(serde_json::to_string).collect::<serde_json::Result<_>>()?;
    Ok(format!(
        "{{\n  \"generated\": {generated},\n  \"reports\": [\n    {}\n  ]\n}}\n",
        reports.join(",\n    ")
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn options(args: &[&str]) -> std::result::Result<Options, String> {
        let mut parser = lexopt::Parser::from_args(args.iter().copied());
        parse_options(&mut parser).map_err(|failure| {
            assert_eq!(failure.code, cmd::EXIT_USAGE);
            failure.message.unwrap()
        })
    }

    #[test]
    fn parses_runs_and_work() {
        assert_eq!(options(&[]), Ok(Options { runs: 3, work_ms: None }));
        assert_eq!(
            options(&["--runs", "5", "--work-ms=800"]),
            Ok(Options { runs: 5, work_ms: Some(800) })
        );
        assert_eq!(options(&["--runs=1"]), Ok(Options { runs: 1, work_ms: None }));
    }

    #[test]
    fn rejects_bad_options_with_one_line() {
        for (args, expected) in [
            (&["--runs", "0"][..], "invalid value \"0\" for '--runs'"),
            (&["--runs"], "missing argument for option '--runs'"),
            (&["--work-ms", "fast"], "invalid value \"fast\" for '--work-ms'"),
            (&["--fast"], "invalid option '--fast'"),
            (&["extra"], "unexpected argument \"extra\""),
        ] {
            let error = options(args).unwrap_err();
            assert!(error.starts_with(expected) && !error.contains('\n'), "{error}");
        }
    }

    #[test]
    fn the_data_file_is_json_with_a_line_per_run() {
        let reports = [json!({"a": [1, 2], "b": {"c": true}}), json!({"a": []})];
        let text = data_file(&json!({"runs": 2, "work_ms": null}), &reports).unwrap();
        let parsed: Value = serde_json::from_str(&text).unwrap();
        assert_eq!(parsed, json!({"generated": {"runs": 2, "work_ms": null}, "reports": reports}));
        assert!(
            text.contains("\n    {\"a\":[1,2],\"b\":{\"c\":true}},\n    {\"a\":[]}\n  ]\n}\n"),
            "{text}"
        );
        assert!(text.contains("\n    \"runs\": 2,\n"), "{text}");
    }

    #[test]
    fn figures_reads_what_measure_saves() {
        let generated = json!({"date_utc": "2026-01-02", "host": "Linux", "cpus": 2,
                               "rustc": "rustc 1.95.0", "runs": 1, "work_ms": null});
        let reports = [json!({"heartbeat": {"max_gap_ms": 12.0}})];
        let text = data_file(&generated, &reports).unwrap();
        let measurement = figures::Measurement::parse("lesson-99-x", &text).unwrap();
        assert_eq!(measurement.reports, reports);
        assert_eq!(measurement.generated, generated);
    }
}
