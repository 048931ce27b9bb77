//! `summary.md`: a row per pattern (and per flooding strategy), each cell the median over the
//! runs at a JSON pointer written out in [`ROWS`]. A row whose lesson has no `<package>.json` is
//! left out, saying so; a pointer the reports lack is an error, never a guessed cell. The rows
//! must match the lesson list ([`check_rows`], run by the book check).

use super::Measurement;
use super::table::{format_number, median};
use serde_json::Value;

/// The columns after the pattern's, with the pointer most lessons' rows read each one from.
const COLUMNS: [(&str, &str); 7] = [
    ("heartbeat max gap (ms)", "/heartbeat/max_gap_ms"),
    ("heartbeat p99 gap (ms)", "/heartbeat/p99_gap_ms"),
    ("frames/s", "/frames/per_s"),
    ("frame max interval (ms)", "/frames/max_interval_ms"),
    ("frame p99 interval (ms)", "/frames/p99_interval_ms"),
    ("click to paint, max (ms)", "/input/to_paint_ms/max"),
    ("work wall (ms)", "/work/wall_ms"),
];

#[derive(Debug)]
pub struct Row {
    /// The pattern; the lesson's number is added from its package.
    pub label: &'static str,
    pub package: &'static str,
    /// Where each of [`COLUMNS`] comes from.
    pub pointers: [&'static str; 7],
    /// `(text, pointer, decimals)`: the text with `{}` replaced by the median at the pointer.
    pub notes: &'static [(&'static str, &'static str, usize)],
}

const fn common(
    label: &'static str,
    package: &'static str,
    notes: &'static [(&'static str, &'static str, usize)],
) -> Row {
    let c = COLUMNS;
    let pointers = [c[0].1, c[1].1, c[2].1, c[3].1, c[4].1, c[5].1, c[6].1];
    Row { label, package, pointers, notes }
}

/// Lesson 07's rows: each strategy's own run, from its press to the window showing the last
/// update, in `/<strategy>/...`.
macro_rules! flooding {
    ($label:literal, $strategy:literal) => {
        Row {
            label: $label,
            package: "lesson-07-flooding",
            pointers: [
                concat!("/", $strategy, "/heartbeat_max_gap_ms"),
                concat!("/", $strategy, "/heartbeat_p99_gap_ms"),
                concat!("/", $strategy, "/frames/per_s"),
                concat!("/", $strategy, "/frames/max_interval_ms"),
                concat!("/", $strategy, "/frames/p99_interval_ms"),
                concat!("/", $strategy, "/input/to_paint_ms/max"),
                concat!("/", $strategy, "/run_wall_ms"),
            ],
            notes: &[
                ("max queue depth {}", concat!("/", $strategy, "/max_queue_depth"), 0),
                ("peak memory +{} MiB", concat!("/", $strategy, "/memory_growth_mib"), 1),
                ("oldest event shown {} ms late", concat!("/", $strategy, "/max_lag_ms"), 0),
            ],
        }
    };
}

/// The summary's rows, in the book's order.
pub const ROWS: &[Row] = &[
    common(
        "blocking",
        "lesson-01-blocking",
        &[("a click during the work waited {} ms", "/queued_click_waited_ms", 0)],
    ),
    common(
        "main-context iteration",
        "lesson-02-main-context-iteration",
        &[
            ("work {} % slower than without draining", "/overhead_pct", 1),
            ("handlers nested {} deep", "/max_nesting_depth", 0),
        ],
    ),
    common(
        "thread pool",
        "lesson-03-thread-pool",
        &[
            ("CPU batch {}× faster", "/cpu_batch/speedup", 2),
            ("on {} threads", "/cpu_batch/threads", 0),
        ],
    ),
    common(
        "worker object",
        "lesson-04-worker-object",
        &[
            ("pause answered in {} ms", "/pause_latency_ms", 1),
            ("cancel seen in {} ms", "/cancel_seen_ms", 1),
        ],
    ),
    common(
        "shared data",
        "lesson-05-shared-data",
        &[
            ("a deep clone of the table {} ms", "/clone_ms", 1),
            ("a move there and back {} ms", "/move_round_trip_ms", 2),
            ("an Arc clone {} ns", "/arc_clone_ns", 0),
        ],
    ),
    flooding!("flooding: naive", "naive"),
    flooding!("flooding: bounded", "bounded"),
    flooding!("flooding: coalesced", "coalesced"),
    common(
        "async I/O",
        "lesson-08-async-io",
        &[
            ("the read held the main loop {} ms at most", "/read/task/longest_poll_ms", 2),
            ("{} MiB/s", "/read/mib_per_s", 1),
        ],
    ),
];

impl Row {
    /// `blocking (01)`.
    pub fn name(&self) -> String {
        let number = self.package.strip_prefix("lesson-").and_then(|rest| rest.get(..2));
        format!("{} ({})", self.label, number.unwrap_or("?"))
    }
}

/// Where [`ROWS`] and the lesson list disagree: a row for a package that is no lesson, or a
/// lesson without a row.
pub fn check_rows(lessons: &[&str]) -> Vec<String> {
    let stray = ROWS.iter().filter(|row| !lessons.contains(&row.package));
    let mut problems: Vec<String> = stray
        .map(|row| {
            format!("the summary's row {:?} is for {}, which is no lesson", row.name(), row.package)
        })
        .collect();
    let missing = lessons.iter().filter(|lesson| !ROWS.iter().any(|row| row.package == **lesson));
    problems.extend(missing.map(|lesson| format!("lesson {lesson} has no row in the summary")));
    problems
}

/// The median at `pointer` over `reports`, formatted: whole numbers stay whole. `Ok(None)` when
/// every run has the field but none has a number in it (a `null`: not measured on this
/// machine); an error when no run has the field at all.
pub fn cell(reports: &[Value], pointer: &str, decimals: usize) -> Result<Option<String>, String> {
    let found: Vec<&Value> = reports.iter().filter_map(|report| report.pointer(pointer)).collect();
    let numbers: Vec<f64> = found.iter().filter_map(|value| value.as_f64()).collect();
    if found.is_empty() {
        return Err(format!("no run has `{pointer}`"));
    } else if numbers.is_empty() {
        let all_null = found.iter().all(|value| value.is_null());
        return all_null.then_some(None).ok_or(format!("`{pointer}` is not a number"));
    }
    let (value, integer) = (median(&numbers), found.iter().all(|v| v.is_i64() || v.is_u64()));
    let whole = integer && value.fract() == 0.0;
    Ok(Some(if whole { format_number(value, true) } else { format!("{value:.decimals$}") }))
}

/// One row's cells, from its lesson's reports: the columns, then the notes.
pub fn cells(row: &Row, reports: &[Value]) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    for pointer in row.pointers {
        cells.push(cell(reports, pointer, 1)?.unwrap_or_else(|| "n/a".into()));
    }
    let mut notes = Vec::new();
    for (text, pointer, decimals) in row.notes {
        notes.extend(cell(reports, pointer, *decimals)?.map(|value| text.replace("{}", &value)));
    }
    cells.push(notes.join("; "));
    Ok(cells)
}

/// `summary.md` from every measurement at hand.
pub fn markdown(measurements: &[Measurement]) -> Result<String, String> {
    let headers = COLUMNS.map(|(header, _)| header).join(" | ");
    let mut table = format!("| pattern | {headers} | notes |\n|---|{}---|\n", "--:|".repeat(7));
    let (mut missing, mut machines, mut problems) = (Vec::new(), Vec::new(), Vec::new());
    for row in ROWS {
        let Some(measurement) = measurements.iter().find(|m| m.package == row.package) else {
            missing.push(row.name());
            continue;
        };
        match cells(row, &measurement.reports) {
            Ok(cells) => {
                let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
                table.push_str(&format!("| {} | {} |\n", row.name(), cells.join(" | ")));
            }
            Err(e) => problems.push(format!("{} ({}): {e}", row.name(), row.package)),
        }
        machines.push((
            row.name(),
            format!("{}, median of {}", measurement.machine(), measurement.runs()),
        ));
    }
    if !problems.is_empty() {
        return Err(format!(
            "the summary's mapping and the reports disagree: {}",
            problems.join("; ")
        ));
    }
    // One caption when every row was measured on the same machine, else one line per row.
    let mut out = match machines.first() {
        None => "*No lesson has been measured yet: run `cargo xtask measure`.*\n\n".to_string(),
        Some((_, machine)) if machines.iter().all(|(_, m)| m == machine) => {
            format!("*Measured by `cargo xtask measure` on {machine}.*\n\n")
        }
        Some(_) => {
            let lines =
                machines.iter().map(|(name, machine)| format!("- *{name}: on {machine}.*\n"));
            format!("*Measured by `cargo xtask measure`:*\n\n{}\n", lines.collect::<String>())
        }
    };
    out.push_str(&table);
    if !missing.is_empty() {
        let missing = missing.join(", ");
        out.push_str(&format!(
            "\n*Left out until their lessons are measured (no `generated/<package>.json`; run \
             `cargo xtask measure`): {missing}.*\n"
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(max_gap: f64, speedup: f64) -> Value {
        let frames = json!({"per_s": 58.5, "max_interval_ms": max_gap, "p99_interval_ms": 17.0});
        let input = json!({"to_paint_ms": {"p50": 9.0, "max": 25.0}});
        json!({
            "heartbeat": {"max_gap_ms": max_gap, "p99_gap_ms": 10.25, "ticks": 3},
            "frames": frames,
            "input": input,
            "work": {"wall_ms": 5000.0},
            "cpu_batch": {"speedup": speedup, "threads": 2},
            "naive": {"heartbeat_max_gap_ms": 900.0, "heartbeat_p99_gap_ms": 50.0,
                      "frames": {"per_s": 2.0, "max_interval_ms": 880.0, "p99_interval_ms": 800.0},
                      "input": {"to_paint_ms": {"max": 950.0}},
                      "run_wall_ms": 2000.0, "max_queue_depth": 1000, "memory_growth_mib": null,
                      "max_lag_ms": 1500.4},
            "label": "text"
        })
    }

    fn measurement(package: &str, date: &str, reports: Vec<Value>) -> Measurement {
        let generated =
            json!({"date_utc": date, "host": "Linux", "cpus": 2, "rustc": "rustc 1.95.0"});
        Measurement { package: package.into(), generated, reports }
    }

    #[test]
    fn every_row_points_somewhere_plausible() {
        for row in ROWS {
            assert!(row.package.starts_with("lesson-0"), "{}", row.label);
            for pointer in row.pointers.into_iter().chain(row.notes.iter().map(|n| n.1)) {
                assert!(pointer.starts_with('/') && !pointer.ends_with('/'), "{pointer}");
            }
            for note in row.notes {
                assert_eq!(note.0.matches("{}").count(), 1, "{}", note.0);
            }
        }
        let names: Vec<String> = ROWS.iter().map(Row::name).collect();
        assert_eq!(names[5], "flooding: naive (07)");
        assert_eq!(names[8], "async I/O (08)");
    }

    #[test]
    fn rows_and_lessons_must_match() {
        let packages: Vec<&str> = ROWS.iter().map(|row| row.package).collect();
        assert!(check_rows(&packages).is_empty());
        let mut lessons: Vec<&str> =
            packages.iter().copied().filter(|p| *p != "lesson-05-shared-data").collect();
        lessons.push("lesson-06-locks");
        assert_eq!(
            check_rows(&lessons),
            [
                "the summary's row \"shared data (05)\" is for lesson-05-shared-data, which is no \
                 lesson",
                "lesson lesson-06-locks has no row in the summary",
            ]
        );
    }

    #[test]
    fn cells_are_medians_over_the_runs() {
        let reports = [report(30.0, 1.5), report(10.0, 1.9), report(20.0, 1.8)];
        assert_eq!(cell(&reports, "/heartbeat/max_gap_ms", 1), Ok(Some("20.0".into())));
        assert_eq!(cell(&reports, "/heartbeat/p99_gap_ms", 1), Ok(Some("10.2".into())));
        assert_eq!(cell(&reports, "/cpu_batch/speedup", 2), Ok(Some("1.80".into())));
        assert_eq!(cell(&reports, "/heartbeat/ticks", 1), Ok(Some("3".into())));
        assert_eq!(cell(&reports, "/naive/memory_growth_mib", 1), Ok(None));
        assert!(cell(&reports, "/nowhere", 1).unwrap_err().contains("`/nowhere`"));
        assert!(cell(&reports, "/label", 1).unwrap_err().contains("not a number"));
    }

    #[test]
    fn a_row_has_its_columns_and_notes() {
        let reports = [report(30.0, 1.5), report(10.0, 1.9)];
        let row = ROWS.iter().find(|r| r.package == "lesson-03-thread-pool").unwrap();
        assert_eq!(
            cells(row, &reports).unwrap(),
            [
                "20.0",
                "10.2",
                "58.5",
                "20.0",
                "17.0",
                "25.0",
                "5000.0",
                "CPU batch 1.70× faster; on 2 threads"
            ]
        );
        let naive = ROWS.iter().find(|r| r.label == "flooding: naive").unwrap();
        assert_eq!(
            cells(naive, &reports).unwrap(),
            [
                "900.0",
                "50.0",
                "2.0",
                "880.0",
                "800.0",
                "950.0",
                "2000.0",
                "max queue depth 1000; oldest event shown 1500 ms late"
            ]
        );
        let blocking = ROWS.iter().find(|r| r.package == "lesson-01-blocking").unwrap();
        assert!(cells(blocking, &reports).unwrap_err().contains("/queued_click_waited_ms"));
        let mut old = report(1.0, 1.0);
        old.as_object_mut().unwrap().remove("frames");
        assert!(cells(row, &[old]).unwrap_err().contains("no run has `/frames/per_s`"));
    }

    #[test]
    fn the_summary_leaves_out_unmeasured_lessons_and_says_so() {
        let measurements = [
            measurement("lesson-03-thread-pool", "2026-01-02", vec![report(12.0, 1.9)]),
            measurement("lesson-99-unknown", "2026-01-02", vec![report(1.0, 1.0)]),
        ];
        let text = markdown(&measurements).unwrap();
        assert!(
            text.starts_with(
                "*Measured by `cargo xtask measure` on 2026-01-02 (Linux, 2 CPUs, rustc 1.95.0), \
             median of 1 run.*\n\n| pattern | heartbeat max gap (ms) | heartbeat p99 gap (ms) | \
             frames/s | frame max interval (ms) | frame p99 interval (ms) | click to paint, max \
             (ms) | work wall (ms) | notes |\n|---|--:|--:|--:|--:|--:|--:|--:|---|\n"
            ),
            "{text}"
        );
        assert!(text.contains(
            "\n| thread pool (03) | 12.0 | 10.2 | 58.5 | 12.0 | 17.0 | 25.0 | 5000.0 | CPU batch \
             1.90× \
             faster; on 2 threads |\n"
        ), "{text}");
        assert_eq!(text.matches("\n| ").count(), 2, "the header and one row:\n{text}");
        assert!(text.contains(
            "run `cargo xtask measure`): blocking (01), main-context iteration (02), worker \
             object (04), shared data (05), flooding: naive (07), flooding: bounded (07), \
             flooding: coalesced (07), async I/O (08).*\n"
        ));
    }

    #[test]
    fn rows_from_different_measurements_say_which_is_which() {
        let mut blocking = report(5000.0, 1.0);
        blocking["queued_click_waited_ms"] = json!(4900.0);
        let measurements = [
            measurement("lesson-01-blocking", "2026-01-01", vec![blocking]),
            measurement("lesson-03-thread-pool", "2026-01-02", vec![report(12.0, 1.9)]),
        ];
        let text = markdown(&measurements).unwrap();
        assert!(text.contains("- *blocking (01): on 2026-01-01 (Linux"), "{text}");
        assert!(text.contains("- *thread pool (03): on 2026-01-02 (Linux"), "{text}");
    }

    #[test]
    fn a_mapping_that_misses_the_reports_fails_loudly() {
        let measurements =
            [measurement("lesson-01-blocking", "2026-01-02", vec![report(1.0, 1.0)])];
        let error = markdown(&measurements).unwrap_err();
        assert!(
            error.contains(
                "blocking (01) (lesson-01-blocking): no run has `/queued_click_waited_ms`"
            )
        );
    }
}
