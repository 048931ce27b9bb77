//! `summary.md`: one table across the patterns, a row per pattern (and per flooding strategy).
//!
//! Where each cell comes from is written out in [`ROWS`]: the lesson's package, and a JSON
//! pointer (RFC 6901) into each of its reports. Most rows read the common `heartbeat` and `work`
//! fields; lesson 06 runs three strategies in one scenario and reports each one's figures
//! inside its details, so its rows point there. Every cell is the median over the runs.
//!
//! A row whose lesson has no `<package>.json` yet is left out, with a line under the table
//! saying so. A pointer that a lesson's reports do not have is an error: the mapping and the
//! lesson disagree, and the cell is never guessed. The pointers of lessons 05, 06 and 07 were
//! read from their `Details` structs before those lessons were first measured; the first
//! `cargo xtask measure` with them confirms them (or names the pointer that is wrong).

use super::Measurement;
use super::table::{format_number, median};
use serde_json::Value;

/// One row of the summary.
#[derive(Debug)]
pub struct Row {
    pub label: &'static str,
    pub package: &'static str,
    /// The longest stall of the main loop: heartbeat max gap, in ms.
    pub max_gap: &'static str,
    /// What the loop usually felt like: heartbeat p99 gap, in ms.
    pub p99_gap: &'static str,
    /// How long the work took, wall-clock, in ms.
    pub work_wall: &'static str,
    /// The lesson's key figures, for the notes column.
    pub notes: &'static [Note],
}

/// A figure in the notes column: `text` with `{}` replaced by the median at `pointer`.
#[derive(Debug)]
pub struct Note {
    pub text: &'static str,
    pub pointer: &'static str,
    pub decimals: usize,
}

const MAX_GAP: &str = "/heartbeat/max_gap_ms";
const P99_GAP: &str = "/heartbeat/p99_gap_ms";
const WORK_WALL: &str = "/work/wall_ms";

const fn note(text: &'static str, pointer: &'static str, decimals: usize) -> Note {
    Note { text, pointer, decimals }
}

const fn common(label: &'static str, package: &'static str, notes: &'static [Note]) -> Row {
    Row { label, package, max_gap: MAX_GAP, p99_gap: P99_GAP, work_wall: WORK_WALL, notes }
}

/// Lesson 06's rows: the heartbeat over each strategy's own run (`heartbeat_*_gap_ms`, from
/// its press to the end of the run) and that run's wall time (`run_wall_ms`, from the press to
/// the window showing the last update), in `/<strategy>/...`.
macro_rules! flooding {
    ($label:literal, $strategy:literal) => {
        Row {
            label: $label,
            package: "lesson-07-flooding",
            max_gap: concat!("/", $strategy, "/heartbeat_max_gap_ms"),
            p99_gap: concat!("/", $strategy, "/heartbeat_p99_gap_ms"),
            work_wall: concat!("/", $strategy, "/run_wall_ms"),
            notes: &[
                note("max queue depth {}", concat!("/", $strategy, "/max_queue_depth"), 0),
                note("peak memory +{} MiB", concat!("/", $strategy, "/memory_growth_mib"), 1),
                note("oldest event shown {} ms late", concat!("/", $strategy, "/max_lag_ms"), 0),
            ],
        }
    };
}

/// The summary's rows, in the book's order.
pub const ROWS: &[Row] = &[
    common(
        "blocking (01)",
        "lesson-01-blocking",
        &[note("a click during the work waited {} ms", "/queued_click_waited_ms", 0)],
    ),
    common(
        "main-context iteration (02)",
        "lesson-02-main-context-iteration",
        &[
            note("work {} % slower than without draining", "/overhead_pct", 1),
            note("handlers nested {} deep", "/max_nesting_depth", 0),
        ],
    ),
    common(
        "thread pool (03)",
        "lesson-03-thread-pool",
        &[
            note("CPU batch {}× faster", "/cpu_batch/speedup", 2),
            note("on {} threads", "/cpu_batch/threads", 0),
        ],
    ),
    common(
        "worker object (04)",
        "lesson-04-worker-object",
        &[
            note("pause answered in {} ms", "/pause_latency_ms", 1),
            note("cancel seen in {} ms", "/cancel_seen_ms", 1),
        ],
    ),
    common(
        "shared data (05)",
        "lesson-05-shared-data",
        &[
            note("a deep clone of the table {} ms", "/clone_ms", 1),
            note("a move there and back {} ms", "/move_round_trip_ms", 2),
            note("an Arc clone {} ns", "/arc_clone_ns", 0),
        ],
    ),
    flooding!("flooding: naive (06)", "naive"),
    flooding!("flooding: bounded (06)", "bounded"),
    flooding!("flooding: coalesced (06)", "coalesced"),
    common(
        "async I/O (07)",
        "lesson-08-async-io",
        &[
            note("the read held the main loop {} ms at most", "/read/task/longest_poll_ms", 2),
            note("{} MiB/s", "/read/mib_per_s", 1),
        ],
    ),
];

/// The median at `pointer` over `reports`, formatted: whole numbers stay whole. `Ok(None)` when
/// every run has the field but none has a number in it (a `null`: not measured on this
/// machine); an error when no run has the field at all.
pub fn cell(reports: &[Value], pointer: &str, decimals: usize) -> Result<Option<String>, String> {
    let found: Vec<&Value> = reports.iter().filter_map(|report| report.pointer(pointer)).collect();
    if found.is_empty() {
        return Err(format!("no run has `{pointer}`"));
    }
    let numbers: Vec<f64> = found.iter().filter_map(|value| value.as_f64()).collect();
    if numbers.is_empty() {
        return if found.iter().all(|value| value.is_null()) {
            Ok(None)
        } else {
            Err(format!("`{pointer}` is not a number"))
        };
    }
    let value = median(&numbers);
    let integer = found.iter().all(|value| value.is_i64() || value.is_u64());
    Ok(Some(if integer && value.fract() == 0.0 {
        format_number(value, true)
    } else {
        format!("{value:.decimals$}")
    }))
}

/// One row's cells, from its lesson's reports.
pub fn cells(row: &Row, reports: &[Value]) -> Result<[String; 4], String> {
    let column = |pointer| cell(reports, pointer, 1).map(|c| c.unwrap_or_else(|| "n/a".into()));
    let mut notes = Vec::new();
    for note in row.notes {
        if let Some(value) = cell(reports, note.pointer, note.decimals)? {
            notes.push(note.text.replace("{}", &value));
        }
    }
    Ok([column(row.max_gap)?, column(row.p99_gap)?, column(row.work_wall)?, notes.join("; ")])
}

/// `summary.md` from every measurement at hand.
pub fn markdown(measurements: &[Measurement]) -> Result<String, String> {
    let mut table = String::from(
        "| pattern | heartbeat max gap (ms) | heartbeat p99 gap (ms) | work wall (ms) | notes |\n\
         |---|--:|--:|--:|---|\n",
    );
    let mut missing: Vec<&str> = Vec::new();
    let mut sources: Vec<(String, Vec<&str>)> = Vec::new();
    let mut problems = Vec::new();
    for row in ROWS {
        let Some(measurement) = measurements.iter().find(|m| m.package == row.package) else {
            missing.push(row.label);
            continue;
        };
        match cells(row, &measurement.reports) {
            Ok(cells) => {
                let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
                table.push_str(&format!("| {} | {} |\n", row.label, cells.join(" | ")));
            }
            Err(e) => problems.push(format!("{} ({}): {e}", row.label, row.package)),
        }
        let machine = format!("{}, median of {}", measurement.machine(), measurement.runs());
        match sources.iter_mut().find(|(m, _)| *m == machine) {
            Some((_, labels)) => labels.push(row.label),
            None => sources.push((machine, vec![row.label])),
        }
    }
    if !problems.is_empty() {
        return Err(format!(
            "the summary's mapping and the reports disagree: {}",
            problems.join("; ")
        ));
    }

    let mut out = match sources.as_slice() {
        [] => "*No lesson has been measured yet: run `cargo xtask measure`.*\n\n".to_string(),
        [(machine, _)] => format!("*Measured by `cargo xtask measure` on {machine}.*\n\n"),
        several => {
            let mut text = String::from("*Measured by `cargo xtask measure`:*\n\n");
            for (machine, labels) in several {
                text.push_str(&format!("- *{}: on {machine}.*\n", labels.join(", ")));
            }
            text.push('\n');
            text
        }
    };
    out.push_str(&table);
    if !missing.is_empty() {
        out.push_str(&format!(
            "\n*Left out until their lessons are measured (no `generated/<package>.json`; run \
             `cargo xtask measure`): {}.*\n",
            missing.join(", ")
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(max_gap: f64, speedup: f64) -> Value {
        json!({
            "heartbeat": {"max_gap_ms": max_gap, "p99_gap_ms": 10.25, "ticks": 3},
            "work": {"wall_ms": 5000.0},
            "cpu_batch": {"speedup": speedup, "threads": 2},
            "naive": {"heartbeat_max_gap_ms": 900.0, "heartbeat_p99_gap_ms": 50.0,
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
            for pointer in [row.max_gap, row.p99_gap, row.work_wall]
                .into_iter()
                .chain(row.notes.iter().map(|n| n.pointer))
            {
                assert!(pointer.starts_with('/') && !pointer.ends_with('/'), "{pointer}");
            }
            for note in row.notes {
                assert_eq!(note.text.matches("{}").count(), 1, "{}", note.text);
            }
        }
        let labels: Vec<&str> = ROWS.iter().map(|r| r.label).collect();
        assert_eq!(labels.len(), 9, "01, 02, 03, 04, 05, three strategies of 06, 07");
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
            ["20.0", "10.2", "5000.0", "CPU batch 1.70× faster; on 2 threads"].map(String::from)
        );
        let naive = ROWS.iter().find(|r| r.label == "flooding: naive (06)").unwrap();
        assert_eq!(
            cells(naive, &reports).unwrap(),
            ["900.0", "50.0", "2000.0", "max queue depth 1000; oldest event shown 1500 ms late"]
                .map(String::from)
        );
        let blocking = ROWS.iter().find(|r| r.package == "lesson-01-blocking").unwrap();
        assert!(cells(blocking, &reports).unwrap_err().contains("/queued_click_waited_ms"));
    }

    #[test]
    fn the_summary_leaves_out_unmeasured_lessons_and_says_so() {
        let measurements = [
            measurement("lesson-03-thread-pool", "2026-01-02", vec![report(12.0, 1.9)]),
            measurement("lesson-99-unknown", "2026-01-02", vec![report(1.0, 1.0)]),
        ];
        let text = markdown(&measurements).unwrap();
        assert!(text.starts_with(
            "*Measured by `cargo xtask measure` on 2026-01-02 (Linux, 2 CPUs, rustc 1.95.0), \
             median of 1 run.*\n\n| pattern |"
        ));
        assert!(text.contains(
            "\n| thread pool (03) | 12.0 | 10.2 | 5000.0 | CPU batch 1.90× faster; on 2 threads |\n"
        ));
        assert_eq!(text.matches("\n| ").count(), 2, "the header and one row:\n{text}");
        assert!(text.contains(
            "run `cargo xtask measure`): blocking (01), main-context iteration (02), worker \
             object (04), shared data (05), flooding: naive (06), flooding: bounded (06), \
             flooding: coalesced (06), async I/O (07).*\n"
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
