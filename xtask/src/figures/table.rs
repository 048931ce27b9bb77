//! From several runs' reports of one lesson to the rows of the table the book shows: every
//! figure by its dotted name, with its median, min and max over the runs.

use serde_json::Value;

/// Fields that are not figures: the lesson's name, the probe's setting, and the raw series that
/// charts draw but a table cannot show.
const SKIPPED: [&str; 4] =
    ["lesson", "heartbeat.interval_ms", "heartbeat.timeline", "frames.timeline"];

/// One row of the table, already formatted.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    pub figure: String,
    pub median: String,
    pub min: String,
    pub max: String,
}

/// The report's leaves by dotted name (`heartbeat.max_gap_ms`), in the report's key order.
pub fn flatten(report: &Value) -> Vec<(String, Value)> {
    let mut out = Vec::new();
    flatten_into("", report, &mut out);
    out
}

fn flatten_into(prefix: &str, value: &Value, out: &mut Vec<(String, Value)>) {
    match value {
        Value::Object(fields) => {
            for (key, field) in fields {
                let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
                if !SKIPPED.contains(&name.as_str()) {
                    flatten_into(&name, field, out);
                }
            }
        }
        leaf => out.push((prefix.to_string(), leaf.clone())),
    }
}

/// One row per figure found in any run; the figures every lesson has come first (the heartbeat,
/// the frames painted, the clicks, the work), so tables of different lessons line up.
pub fn rows(reports: &[Value]) -> Vec<Row> {
    let runs: Vec<Vec<(String, Value)>> = reports.iter().map(flatten).collect();
    let mut names: Vec<&str> = Vec::new();
    for (name, _) in runs.iter().flatten() {
        if !names.contains(&name.as_str()) {
            names.push(name);
        }
    }
    // By name within each group, so the order does not hang on serde_json's map features.
    names.sort_by_key(|name| (common_rank(name), *name));

    names
        .into_iter()
        .map(|name| {
            let values: Vec<&Value> = runs
                .iter()
                .filter_map(|run| run.iter().find(|(n, _)| n == name).map(|(_, v)| v))
                .collect();
            row(name, &values)
        })
        .collect()
}

fn common_rank(name: &str) -> usize {
    let common = ["heartbeat.", "frames.", "input.", "work."];
    common.iter().position(|prefix| name.starts_with(prefix)).unwrap_or(common.len())
}

fn row(name: &str, values: &[&Value]) -> Row {
    let numbers: Option<Vec<f64>> = values.iter().map(|v| v.as_f64()).collect();
    let flags: Option<Vec<bool>> = values.iter().map(|v| v.as_bool()).collect();
    let dash = || "-".to_string();
    let [median, min, max] = match (numbers, flags) {
        (Some(numbers), _) if !numbers.is_empty() => {
            let integer = values.iter().all(|v| v.is_i64() || v.is_u64());
            let min = numbers.iter().copied().fold(f64::INFINITY, f64::min);
            let max = numbers.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            [median(&numbers), min, max].map(|n| format_number(n, integer))
        }
        (_, Some(flags)) if !flags.is_empty() => {
            let (trues, runs) = (flags.iter().filter(|&&flag| flag).count(), flags.len());
            let agree = trues == runs || trues == 0;
            [
                if agree { (trues > 0).to_string() } else { format!("{trues} of {runs} true") },
                dash(),
                dash(),
            ]
        }
        // Text, lists, or a field whose type changed between runs: one value says what it is.
        _ => [values.first().map_or_else(String::new, |v| v.to_string()), dash(), dash()],
    };
    Row { figure: name.to_string(), median, min, max }
}

/// The middle value, or the mean of the middle two; 0 for no values.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    match sorted.len() {
        0 => 0.0,
        n if n % 2 == 1 => sorted[mid],
        _ => (sorted[mid - 1] + sorted[mid]) / 2.0,
    }
}

/// Counts stay whole; measurements get one decimal, enough for milliseconds on a busy machine.
pub fn format_number(value: f64, integer: bool) -> String {
    if integer && value.fract() == 0.0 { format!("{value:.0}") } else { format!("{value:.1}") }
}

/// The rows as a markdown table, numbers right-aligned.
pub fn markdown_table(rows: &[Row]) -> String {
    let mut out = String::from("| figure | median | min | max |\n|---|--:|--:|--:|\n");
    for row in rows {
        let cells = [&format!("`{}`", row.figure), &row.median, &row.min, &row.max];
        let cells = cells.map(|cell| cell.replace('|', "\\|"));
        out.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn report(max_gap: f64, ticks: u64, changed: bool) -> Value {
        json!({
            "lesson": "lesson-99-test",
            "heartbeat": {
                "interval_ms": 10.0, "ticks": ticks, "max_gap_ms": max_gap, "p99_gap_ms": 10.0,
                "timeline": [[10.0, 10.0]]
            },
            "frames": {
                "count": 90, "per_s": 60.0, "max_interval_ms": max_gap, "p99_interval_ms": 16.7,
                "timeline": [[16.7, 16.7]]
            },
            "input": {
                "path": "xtest", "clicks": 1,
                "to_handler_ms": {"p50": 2.0, "max": 2.0}, "to_paint_ms": {"p50": 9.0, "max": 12.5}
            },
            "work": { "wall_ms": 1500.26 },
            "changed": changed,
            "order": ["a", "b"],
            "chunks": 10
        })
    }

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert_eq!(median(&[7.0]), 7.0);
        assert_eq!(median(&[]), 0.0);
    }

    #[test]
    fn numbers_are_whole_only_when_counted() {
        assert_eq!(format_number(12.0, true), "12");
        assert_eq!(format_number(2.5, true), "2.5");
        assert_eq!(format_number(1500.0, false), "1500.0");
        assert_eq!(format_number(1503.26, false), "1503.3");
    }

    #[test]
    fn flattens_with_dotted_names_and_skips_what_is_no_figure() {
        let names: Vec<String> =
            flatten(&report(1.0, 1, true)).into_iter().map(|(n, _)| n).collect();
        for name in ["heartbeat.max_gap_ms", "heartbeat.ticks", "work.wall_ms", "changed", "order"]
        {
            assert!(names.contains(&name.to_string()), "{name} in {names:?}");
        }
        for name in SKIPPED {
            assert!(!names.contains(&name.to_string()), "{name} in {names:?}");
        }
    }

    #[test]
    fn rows_summarise_the_runs() {
        let reports = [report(1500.0, 3, true), report(1520.5, 5, false), report(1490.0, 4, true)];
        let rows = rows(&reports);
        let by_name = |name: &str| rows.iter().find(|r| r.figure == name).unwrap().clone();
        let row = |median: &str, min: &str, max: &str| (median.into(), min.into(), max.into());
        let cells = |r: Row| (r.median, r.min, r.max);

        assert_eq!(cells(by_name("heartbeat.max_gap_ms")), row("1500.0", "1490.0", "1520.5"));
        assert_eq!(cells(by_name("heartbeat.ticks")), row("4", "3", "5"));
        assert_eq!(cells(by_name("work.wall_ms")), row("1500.3", "1500.3", "1500.3"));
        assert_eq!(cells(by_name("changed")), row("2 of 3 true", "-", "-"));
        assert_eq!(cells(by_name("order")), row("[\"a\",\"b\"]", "-", "-"));
        assert_eq!(cells(by_name("chunks")), row("10", "10", "10"));
        assert_eq!(cells(by_name("frames.per_s")), row("60.0", "60.0", "60.0"));
        assert_eq!(cells(by_name("frames.max_interval_ms")), row("1500.0", "1490.0", "1520.5"));
        assert_eq!(cells(by_name("input.to_paint_ms.max")), row("12.5", "12.5", "12.5"));
        assert_eq!(cells(by_name("input.path")), row("\"xtest\"", "-", "-"));

        let order: Vec<&str> = rows.iter().map(|r| r.figure.as_str()).collect();
        assert_eq!(
            order,
            [
                "heartbeat.max_gap_ms",
                "heartbeat.p99_gap_ms",
                "heartbeat.ticks",
                "frames.count",
                "frames.max_interval_ms",
                "frames.p99_interval_ms",
                "frames.per_s",
                "input.clicks",
                "input.path",
                "input.to_handler_ms.max",
                "input.to_handler_ms.p50",
                "input.to_paint_ms.max",
                "input.to_paint_ms.p50",
                "work.wall_ms",
                "changed",
                "chunks",
                "order"
            ]
        );
    }

    #[test]
    fn agreeing_flags_show_their_value() {
        let rows = rows(&[report(1.0, 1, false), report(1.0, 1, false)]);
        assert_eq!(rows.iter().find(|r| r.figure == "changed").unwrap().median, "false");
    }

    #[test]
    fn renders_a_markdown_table() {
        let rows = [
            Row {
                figure: "a.b".into(),
                median: "1.5".into(),
                min: "1.0".into(),
                max: "2.0".into(),
            },
            Row { figure: "s".into(), median: "\"x|y\"".into(), min: "-".into(), max: "-".into() },
        ];
        assert_eq!(
            markdown_table(&rows),
            "| figure | median | min | max |\n|---|--:|--:|--:|\n| `a.b` | 1.5 | 1.0 | 2.0 |\n\
             | `s` | \"x\\|y\" | - | - |\n"
        );
    }
}
