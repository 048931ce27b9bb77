//! `cargo xtask measure [--runs N] [--work-ms MS]`: runs every lesson's autopilot from a
//! release build, saves the raw reports of each lesson in `book/src/generated/<package>.json`,
//! then draws every generated file from them with `cargo xtask figures` (see [`crate::figures`]).

use crate::cmd::{self, Failure, Result};
use crate::figures;
use crate::headless::{self, Prepared};
use crate::lessons;
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::time::Duration;

/// Generous: a run is a few seconds, but a loaded machine under Xvfb can be slow to map a window.
const RUN_TIMEOUT: Duration = Duration::from_secs(180);

#[derive(Debug, PartialEq)]
pub struct Options {
    pub runs: usize,
    pub work_ms: Option<u64>,
}

/// Where and on what the figures were measured, saved with them and printed with every table
/// and chart, since figures from a laptop and from a CI runner differ.
struct Machine {
    date_utc: String,
    host: String,
    cpus: usize,
    rustc: String,
}

/// One lesson's runs, as they are saved (and read back as a [`figures::Measurement`]).
struct Runs {
    package: String,
    reports: Vec<Value>,
}

pub fn measure(args: &[String]) -> Result {
    let options = parse_options(args).map_err(Failure::usage)?;
    let packages = lessons::discover()?;
    if packages.is_empty() {
        return Err(Failure::new("no lessons under lessons/ to measure"));
    }

    let release = match headless::prepare("measure", args)? {
        Prepared::Ready(release) => release,
        Prepared::DoneUnderXvfb => return Ok(()),
    };
    let mut measurements = Vec::new();
    for package in packages {
        let reports = run_lesson(&release.join(&package), &package, &options)?;
        measurements.push(Runs { package, reports });
    }

    let machine = Machine::probe();
    let generated = cmd::root().join(figures::GENERATED);
    std::fs::create_dir_all(&generated)
        .map_err(|e| Failure::new(format!("cannot create {}: {e}", cmd::shown(&generated))))?;
    let mut written = Vec::new();
    for measurement in &measurements {
        written.push(write_lesson(&generated, measurement, &machine, &options)?);
    }
    cmd::step("measure: saved the reports");
    for path in written {
        eprintln!("  {}", cmd::shown(&path));
    }
    figures::figures(&[])
}

pub fn parse_options(args: &[String]) -> std::result::Result<Options, String> {
    let mut options = Options { runs: 3, work_ms: None };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) => (flag, Some(value.to_string())),
            None => (arg.as_str(), None),
        };
        let mut value = || {
            inline.clone().or_else(|| args.next().cloned()).ok_or(format!("{flag} needs a value"))
        };
        match flag {
            "--runs" => {
                let text = value()?;
                options.runs = text.parse().ok().filter(|&runs| runs > 0).ok_or(format!(
                    "invalid value '{text}' for '--runs': expected a whole number of at least 1"
                ))?;
            }
            "--work-ms" => {
                let text = value()?;
                let work_ms = text.parse().map_err(|_| {
                    format!("invalid value '{text}' for '--work-ms': expected whole milliseconds")
                })?;
                options.work_ms = Some(work_ms);
            }
            _ => return Err(format!("unexpected argument '{arg}' for measure")),
        }
    }
    Ok(options)
}

fn run_lesson(exe: &Path, package: &str, options: &Options) -> Result<Vec<Value>> {
    if !exe.is_file() {
        return Err(Failure::new(format!(
            "{} does not exist: the lesson's binary must be named like its package",
            cmd::shown(exe)
        )));
    }
    let work_ms = options.work_ms.map(|ms| ms.to_string());
    let args: Vec<&str> = match &work_ms {
        Some(ms) => vec!["--work-ms", ms],
        None => Vec::new(),
    };
    let mut reports = Vec::new();
    for run in 1..=options.runs {
        cmd::step(&format!("measure: {package}, run {run} of {}", options.runs));
        let report = lesson_report::run_autopilot(exe, &args, RUN_TIMEOUT)
            .map_err(|e| Failure::new(format!("{package}, run {run}: {e}")))?;
        eprintln!(
            "max gap {:.1} ms, work {:.1} ms",
            report.heartbeat.max_gap_ms, report.work.wall_ms
        );
        let value = serde_json::to_value(&report)
            .map_err(|e| Failure::new(format!("{package}, run {run}: {e}")))?;
        reports.push(value);
    }
    Ok(reports)
}

impl Machine {
    fn probe() -> Self {
        let ask = |program: &str, args: &[&str]| {
            cmd::output(cmd::command(program).args(args)).unwrap_or_else(|| "unknown".into())
        };
        Self {
            date_utc: ask("date", &["-u", "+%Y-%m-%d"]),
            host: ask("uname", &["-srm"]),
            cpus: std::thread::available_parallelism().map_or(1, usize::from),
            rustc: ask("rustc", &["--version"]),
        }
    }
}

/// Saves one lesson's reports as `<package>.json`, with where and how they were measured.
fn write_lesson(
    dir: &Path,
    measurement: &Runs,
    machine: &Machine,
    options: &Options,
) -> Result<PathBuf> {
    let generated = json!({
        "date_utc": machine.date_utc,
        "host": machine.host,
        "cpus": machine.cpus,
        "rustc": machine.rustc,
        "runs": options.runs,
        "work_ms": options.work_ms,
    });
    let json = data_file(&generated, &measurement.reports)
        .map_err(|e| Failure::new(format!("{}: {e}", measurement.package)))?;
    let path = dir.join(format!("{}.json", measurement.package));
    std::fs::write(&path, json)
        .map_err(|e| Failure::new(format!("cannot write {}: {e}", cmd::shown(&path))))?;
    Ok(path)
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
        parse_options(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>())
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
        assert!(options(&["--runs", "0"]).unwrap_err().contains("--runs"));
        assert!(options(&["--runs"]).unwrap_err().contains("needs a value"));
        assert!(options(&["--work-ms", "fast"]).unwrap_err().contains("--work-ms"));
        assert!(options(&["--fast"]).unwrap_err().contains("--fast"));
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
