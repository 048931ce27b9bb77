//! `summary.md`: a row per pattern (and per flooding strategy), each cell the median over the
//! runs at a JSON pointer. The rows are the lessons' own, declared in their Cargo.toml
//! (`summary` in `[package.metadata.lesson]`, read with the lesson list): which part of the
//! report each row's common figures are under, and the row's notes. A row whose lesson has no
//! `<package>.json` is left out, saying so; a pointer the reports lack is an error, never a
//! guessed cell.

use super::Measurement;
use super::table::{format_number, median};
use crate::lessons::{Lesson, SummaryRow};
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
pub fn cells(row: &SummaryRow, reports: &[Value]) -> Result<Vec<String>, String> {
    let mut cells = Vec::new();
    for (_, pointer) in COLUMNS {
        let pointer = format!("{}{pointer}", row.at);
        cells.push(cell(reports, &pointer, 1)?.unwrap_or_else(|| "n/a".into()));
    }
    let mut notes = Vec::new();
    for note in &row.notes {
        let value = cell(reports, &note.at, note.decimals)?;
        notes.extend(value.map(|value| note.text.replace("{}", &value)));
    }
    cells.push(notes.join("; "));
    Ok(cells)
}

/// `summary.md` from every measurement at hand, in the lessons' order.
pub fn markdown(lessons: &[Lesson], measurements: &[Measurement]) -> Result<String, String> {
    let headers = COLUMNS.map(|(header, _)| header).join(" | ");
    let mut table = format!("| pattern | {headers} | notes |\n|---|{}---|\n", "--:|".repeat(7));
    let (mut missing, mut machines, mut problems) = (Vec::new(), Vec::new(), Vec::new());
    for (lesson, row) in lessons.iter().flat_map(|l| l.summary.iter().map(move |row| (l, row))) {
        let name = format!("{} ({:02})", row.label, lesson.number);
        let Some(measurement) = measurements.iter().find(|m| m.package == lesson.package) else {
            missing.push(name);
            continue;
        };
        match cells(row, &measurement.reports) {
            Ok(cells) => {
                let cells: Vec<String> = cells.iter().map(|c| c.replace('|', "\\|")).collect();
                table.push_str(&format!("| {name} | {} |\n", cells.join(" | ")));
            }
            Err(e) => problems.push(format!("{name} ({}): {e}", lesson.package)),
        }
        machines
            .push((name, format!("{}, median of {}", measurement.machine(), measurement.runs())));
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
    use crate::lessons::Note;
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
            "naive": {"heartbeat": {"max_gap_ms": 900.0, "p99_gap_ms": 50.0},
                      "frames": {"per_s": 2.0, "max_interval_ms": 880.0, "p99_interval_ms": 800.0},
                      "input": {"to_paint_ms": {"max": 950.0}},
                      "work": {"wall_ms": 2000.0}, "max_queue_depth": 1000,
                      "memory_growth_mib": null, "max_lag_ms": 1500.4},
            "label": "text"
        })
    }

    fn measurement(package: &str, date: &str, reports: Vec<Value>) -> Measurement {
        let generated =
            json!({"date_utc": date, "host": "Linux", "cpus": 2, "rustc": "rustc 1.95.0"});
        Measurement { package: package.into(), generated, reports }
    }

    fn note(text: &str, at: &str, decimals: usize) -> Note {
        Note { text: text.into(), at: at.into(), decimals }
    }

    fn lesson(package: &str, number: u32, rows: Vec<SummaryRow>) -> Lesson {
        Lesson {
            package: package.into(),
            number,
            title: String::new(),
            pattern: String::new(),
            qt: String::new(),
            example: None,
            summary: rows,
            manifest: String::new(),
        }
    }

    fn thread_pool() -> SummaryRow {
        SummaryRow {
            label: "thread pool".into(),
            at: String::new(),
            notes: vec![
                note("CPU batch {}× faster", "/cpu_batch/speedup", 2),
                note("on {} threads", "/cpu_batch/threads", 0),
            ],
        }
    }

    fn naive() -> SummaryRow {
        SummaryRow {
            label: "flooding: naive".into(),
            at: "/naive".into(),
            notes: vec![
                note("max queue depth {}", "/naive/max_queue_depth", 0),
                note("peak memory +{} MiB", "/naive/memory_growth_mib", 1),
                note("oldest event shown {} ms late", "/naive/max_lag_ms", 0),
            ],
        }
    }

    fn blocking() -> SummaryRow {
        let waited = note("a click waited {} ms", "/click_waited_ms", 0);
        SummaryRow { label: "blocking".into(), at: String::new(), notes: vec![waited] }
    }

    fn lessons() -> Vec<Lesson> {
        vec![
            lesson("lesson-01-blocking", 1, vec![blocking()]),
            lesson("lesson-03-thread-pool", 3, vec![thread_pool()]),
            lesson("lesson-07-flooding", 7, vec![naive()]),
        ]
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
        let row = thread_pool();
        assert_eq!(
            cells(&row, &reports).unwrap(),
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
        assert_eq!(
            cells(&naive(), &reports).unwrap(),
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
        assert!(cells(&blocking(), &reports).unwrap_err().contains("/click_waited_ms"));
        let mut old = report(1.0, 1.0);
        old.as_object_mut().unwrap().remove("frames");
        assert!(cells(&row, &[old]).unwrap_err().contains("no run has `/frames/per_s`"));
    }

    #[test]
    fn the_summary_leaves_out_unmeasured_lessons_and_says_so() {
        let measurements = [
            measurement("lesson-03-thread-pool", "2026-01-02", vec![report(12.0, 1.9)]),
            measurement("lesson-99-unknown", "2026-01-02", vec![report(1.0, 1.0)]),
        ];
        let text = markdown(&lessons(), &measurements).unwrap();
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
        assert!(
            text.contains("run `cargo xtask measure`): blocking (01), flooding: naive (07).*\n")
        );
    }

    #[test]
    fn rows_from_different_measurements_say_which_is_which() {
        let mut blocking = report(5000.0, 1.0);
        blocking["click_waited_ms"] = json!(4900.0);
        let measurements = [
            measurement("lesson-01-blocking", "2026-01-01", vec![blocking]),
            measurement("lesson-03-thread-pool", "2026-01-02", vec![report(12.0, 1.9)]),
        ];
        let text = markdown(&lessons(), &measurements).unwrap();
        assert!(text.contains("- *blocking (01): on 2026-01-01 (Linux"), "{text}");
        assert!(text.contains("- *thread pool (03): on 2026-01-02 (Linux"), "{text}");
    }

    #[test]
    fn a_mapping_that_misses_the_reports_fails_loudly() {
        let measurements =
            [measurement("lesson-01-blocking", "2026-01-02", vec![report(1.0, 1.0)])];
        let error = markdown(&lessons(), &measurements).unwrap_err();
        assert!(
            error.contains("blocking (01) (lesson-01-blocking): no run has `/click_waited_ms`")
        );
    }
}
