//! The measurements as `cargo xtask measure` saved them: one `<package>.json` per lesson, with
//! the `generated` block (machine, toolchain, date) and every run's raw report.

use serde_json::Value;
use std::io;
use std::path::Path;

/// One lesson's saved runs.
#[derive(Debug, Clone)]
pub struct Measurement {
    /// The package, from the file's name: `lesson-01-blocking.json`.
    pub package: String,
    /// Where and how the runs were made: `date_utc`, `host`, `cpus`, `rustc`, `runs`, `work_ms`.
    pub generated: Value,
    pub reports: Vec<Value>,
}

impl Measurement {
    /// Reads the text of `<package>.json`.
    pub fn parse(package: &str, text: &str) -> Result<Self, String> {
        let mut value: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let mut take = |key| value.get_mut(key).map(Value::take).unwrap_or_default();
        match (take("generated"), take("reports")) {
            (generated @ Value::Object(_), Value::Array(reports)) if !reports.is_empty() => {
                Ok(Self { package: package.to_string(), generated, reports })
            }
            (Value::Object(_), Value::Array(_)) => Err("`reports` is empty".into()),
            (Value::Object(_), _) => Err("no `reports` array".into()),
            _ => Err("no `generated` object".into()),
        }
    }

    /// Where, on what and when: `2026-11-23 (Linux 6.1 x86_64, 8 CPUs, rustc 1.95.0)`.
    pub fn machine(&self) -> String {
        let text = |key: &str| self.generated[key].as_str().unwrap_or("unknown").to_string();
        let cpus = self.generated["cpus"].as_u64().map_or_else(|| "?".into(), |n| n.to_string());
        let mut machine =
            format!("{} ({}, {cpus} CPUs, {})", text("date_utc"), text("host"), text("rustc"));
        if let Some(work_ms) = self.generated["work_ms"].as_u64() {
            machine.push_str(&format!(", with `--work-ms {work_ms}`"));
        }
        machine
    }

    /// `3 runs`, `1 run`.
    pub fn runs(&self) -> String {
        let n = self.reports.len();
        format!("{n} run{}", if n == 1 { "" } else { "s" })
    }

    /// The markdown caption every table of this measurement carries.
    pub fn caption(&self) -> String {
        format!(
            "*Measured by `cargo xtask measure` on {}, median of {}.*",
            self.machine(),
            self.runs()
        )
    }
}

/// The number at a JSON pointer (RFC 6901, as `/cpu_batch/speedup`), if there is one.
pub fn number(report: &Value, pointer: &str) -> Option<f64> {
    report.pointer(pointer).and_then(Value::as_f64)
}

/// Every figure the tables, charts and summary draw from, as JSON pointers: reports saved
/// before they had frames and clicks lack some, and are measured again rather than drawn half.
pub const REQUIRED: &str = "/heartbeat/max_gap_ms /heartbeat/p99_gap_ms /heartbeat/timeline \
    /frames/per_s /frames/max_interval_ms /frames/p99_interval_ms /frames/timeline \
    /input/to_paint_ms/max";

/// An error naming the first field of [`REQUIRED`] that a run lacks.
pub fn require(reports: &[Value]) -> Result<(), String> {
    for (run, report) in reports.iter().enumerate() {
        if let Some(missing) = REQUIRED.split(' ').find(|pointer| report.pointer(pointer).is_none())
        {
            return Err(format!(
                "run {} has no `{}` (saved before reports had it?): run `cargo xtask measure`",
                run + 1,
                missing[1..].replace('/', ".")
            ));
        }
    }
    Ok(())
}

/// The run the chart shows: the one whose `/heartbeat/max_gap_ms` is the median. With an even
/// number of runs there is no middle one, and the lower of the two middle runs is taken, so the
/// chart always shows a run that happened. Runs without the figure are never picked.
pub fn median_run(reports: &[Value]) -> Option<usize> {
    let mut runs: Vec<(usize, f64)> = reports
        .iter()
        .enumerate()
        .filter_map(|(i, report)| number(report, "/heartbeat/max_gap_ms").map(|gap| (i, gap)))
        .collect();
    runs.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
    runs.get(runs.len().checked_sub(1)? / 2).map(|(i, _)| *i)
}

/// Every `<package>.json` in `dir`, by package name.
pub fn load_dir(dir: &Path) -> io::Result<Vec<Measurement>> {
    let mut paths: Vec<_> =
        std::fs::read_dir(dir)?.map(|e| e.map(|e| e.path())).collect::<io::Result<_>>()?;
    paths.retain(|path| path.extension().is_some_and(|ext| ext == "json") && path.is_file());
    paths.sort();
    let mut measurements = Vec::new();
    for path in paths {
        let package = path.file_stem().and_then(|stem| stem.to_str()).unwrap_or_default();
        let measurement = Measurement::parse(package, &std::fs::read_to_string(&path)?);
        let invalid =
            |e| io::Error::new(io::ErrorKind::InvalidData, format!("{}: {e}", path.display()));
        measurements.push(measurement.map_err(invalid)?);
    }
    Ok(measurements)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn run(max_gap: f64) -> Value {
        json!({"heartbeat": {"max_gap_ms": max_gap}, "cpu_batch": {"speedup": 1.9}})
    }

    #[test]
    fn the_median_run_is_the_middle_one_by_max_gap() {
        assert_eq!(median_run(&[run(30.0), run(10.0), run(20.0)]), Some(2));
        assert_eq!(median_run(&[run(5.0)]), Some(0));
        // Even counts take the lower middle run, a run that happened, not an average.
        assert_eq!(median_run(&[run(40.0), run(10.0), run(30.0), run(20.0)]), Some(3));
        // Ties keep the runs' order.
        assert_eq!(median_run(&[run(7.0), run(7.0), run(7.0)]), Some(1));
        assert_eq!(median_run(&[]), None);
        assert_eq!(median_run(&[json!({}), json!({"heartbeat": {}})]), None);
        assert_eq!(median_run(&[json!({}), run(3.0)]), Some(1));
    }

    #[test]
    fn runs_without_frames_or_clicks_are_named() {
        let full = json!({
            "heartbeat": {"max_gap_ms": 1.0, "p99_gap_ms": 1.0, "timeline": [[1.0, 1.0]]},
            "frames": {"per_s": 60.0, "max_interval_ms": 17.0, "p99_interval_ms": 17.0,
                       "timeline": [[17.0, 17.0]]},
            "input": {"to_paint_ms": {"p50": 9.0, "max": 12.0}},
        });
        assert_eq!(require(&[full.clone(), full.clone()]), Ok(()));
        let mut old = full.clone();
        old.as_object_mut().unwrap().remove("frames");
        let error = require(&[full.clone(), old]).unwrap_err();
        assert_eq!(
            error,
            "run 2 has no `frames.per_s` (saved before reports had it?): run `cargo xtask measure`"
        );
        let mut no_paint = full;
        no_paint["input"]["to_paint_ms"].as_object_mut().unwrap().remove("max");
        assert!(require(&[no_paint]).unwrap_err().contains("`input.to_paint_ms.max`"));
    }

    #[test]
    fn numbers_are_found_by_pointer() {
        assert_eq!(number(&run(12.5), "/heartbeat/max_gap_ms"), Some(12.5));
        assert_eq!(number(&run(1.0), "/cpu_batch/speedup"), Some(1.9));
        assert_eq!(number(&run(1.0), "/cpu_batch"), None, "an object is no number");
        assert_eq!(number(&run(1.0), "/nowhere/at_all"), None);
        assert_eq!(number(&json!({"a": [1, 2.5]}), "/a/1"), Some(2.5));
    }

    fn file(generated: &Value) -> String {
        json!({"generated": generated, "reports": [run(10.0), run(11.0)]}).to_string()
    }

    #[test]
    fn parses_a_data_file_and_names_its_machine() {
        let generated = json!({
            "cpus": 8, "date_utc": "2026-01-02", "host": "Linux 6.1.0 x86_64", "runs": 2,
            "rustc": "rustc 1.95.0", "work_ms": null
        });
        let measurement = Measurement::parse("lesson-99-x", &file(&generated)).unwrap();
        assert_eq!(measurement.package, "lesson-99-x");
        assert_eq!(measurement.reports.len(), 2);
        assert_eq!(number(&measurement.reports[1], "/heartbeat/max_gap_ms"), Some(11.0));
        assert_eq!(
            measurement.caption(),
            "*Measured by `cargo xtask measure` on 2026-01-02 (Linux 6.1.0 x86_64, 8 CPUs, \
             rustc 1.95.0), median of 2 runs.*"
        );

        let mut short = generated.clone();
        short["work_ms"] = json!(800);
        let measurement = Measurement::parse("x", &file(&short)).unwrap();
        assert!(measurement.machine().ends_with("rustc 1.95.0), with `--work-ms 800`"));
    }

    #[test]
    fn rejects_files_that_are_no_measurement() {
        assert!(Measurement::parse("x", "[]").unwrap_err().contains("generated"));
        assert!(Measurement::parse("x", "{\"generated\": {}}").unwrap_err().contains("reports"));
        let empty = "{\"generated\": {}, \"reports\": []}";
        assert!(Measurement::parse("x", empty).unwrap_err().contains("empty"));
        assert!(Measurement::parse("x", "{").is_err());
    }
}
