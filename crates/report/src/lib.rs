//! The one JSON object every lesson's `--autopilot` prints as the last line of
//! stdout.
//!
//! This crate knows nothing of GTK on purpose: the lesson kit writes reports
//! with it, and the tests and `cargo xtask measure` read them back without
//! linking a toolkit.

mod contract;
mod frames;
mod heartbeat;
mod input;
mod run;
mod signals;

pub use contract::{EXIT_USAGE, check_command_line};
pub use frames::{Frame, FrameStats};
pub use heartbeat::{HeartbeatStats, percentile};
pub use input::{Click, InputPath, InputStats, Latency};
pub use run::{RunError, autopilot_command, run_autopilot, run_command};
pub use signals::{STOP_SIGNALS, Stop, check_stop_signal, check_stop_signals};

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What every autopilot reports, plus the lesson's own fields (`details`),
/// flattened into the same JSON object.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Report<D = serde_json::Map<String, serde_json::Value>> {
    /// The package name, e.g. `lesson-01-blocking`.
    pub lesson: String,
    /// How late a default-priority main-loop source ran, while the scenario
    /// ran.
    pub heartbeat: HeartbeatStats,
    /// The frames the window painted over the same time as `heartbeat`.
    pub frames: FrameStats,
    /// The autopilot's clicks: how they travelled and how long their effect
    /// took to show.
    pub input: InputStats,
    /// How long the lesson's work took, wall-clock.
    pub work: Work,
    /// How the lesson shut down once the autopilot closed its window.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shutdown: Option<Shutdown>,
    #[serde(flatten)]
    pub details: D,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Work {
    pub wall_ms: f64,
}

/// From the autopilot closing the window to the lesson's `shutdown` having
/// returned: workers told to stop, threads joined.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Shutdown {
    pub ms: f64,
    /// The lesson stopped everything it had started.
    pub clean: bool,
    /// Nothing held the window once the application had ended: no reference
    /// cycle through a handler kept it (and every widget in it) alive.
    pub window_finalized: bool,
}

impl Report {
    /// A lesson-specific figure by its dotted name (`fetch.frames.per_s`),
    /// `Null` where the report has nothing by that name.
    pub fn figure(&self, dotted: &str) -> &serde_json::Value {
        let mut keys = dotted.split('.');
        let first = keys.next().unwrap_or_default();
        let top = self.details.get(first).unwrap_or(&serde_json::Value::Null);
        keys.fold(top, |value, key| &value[key])
    }

    /// A lesson-specific number by its dotted name, or a message naming the
    /// figure that is missing and what stands there instead.
    pub fn number(&self, dotted: &str) -> Result<f64, String> {
        self.typed(dotted, "number", serde_json::Value::as_f64)
    }

    /// A lesson-specific flag by its dotted name, as [`Report::number`].
    pub fn flag(&self, dotted: &str) -> Result<bool, String> {
        self.typed(dotted, "flag", serde_json::Value::as_bool)
    }

    /// A lesson-specific text by its dotted name, as [`Report::number`].
    pub fn text(&self, dotted: &str) -> Result<&str, String> {
        self.typed(dotted, "text", serde_json::Value::as_str)
    }

    fn typed<'a, T>(
        &'a self,
        dotted: &str,
        kind: &str,
        read: impl FnOnce(&'a serde_json::Value) -> Option<T>,
    ) -> Result<T, String> {
        let value = self.figure(dotted);
        read(value).ok_or_else(|| {
            format!(
                "report of {} has no {kind} `{dotted}`: {value}",
                self.lesson
            )
        })
    }

    /// The autopilot closed the window and the lesson reported a clean shutdown
    /// (workers stopped, threads joined) within `limit_ms`, or a message saying
    /// what went wrong.
    pub fn check_clean_shutdown(&self, limit_ms: f64) -> Result<(), String> {
        match self.shutdown {
            None => Err(format!(
                "the report of {} says nothing of its shutdown",
                self.lesson
            )),
            Some(Shutdown { clean: false, .. }) => Err(format!(
                "{} did not stop everything it had started",
                self.lesson
            )),
            Some(Shutdown { window_finalized: false, .. }) => Err(format!(
                "{}'s window was never freed: something (a reference cycle?) still holds it",
                self.lesson
            )),
            Some(Shutdown { ms, .. }) if ms >= limit_ms => Err(format!(
                "{} took {ms} ms to shut down (limit {limit_ms} ms)",
                self.lesson
            )),
            Some(_) => Ok(()),
        }
    }
}

/// Parses the report from a lesson's whole stdout: the last non-empty line must
/// be the object.
pub fn parse_last_line(stdout: &str) -> Result<Report, String> {
    let line = stdout
        .lines()
        .rev()
        .find(|line| !line.trim().is_empty())
        .ok_or("the lesson printed nothing on stdout")?;
    serde_json::from_str(line)
        .map_err(|e| format!("last stdout line is not a report ({e}): {line}"))
}

/// Milliseconds as reported: a float with microsecond resolution, so the JSON
/// stays readable.
pub fn ms(duration: Duration) -> f64 {
    (duration.as_secs_f64() * 1_000_000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ms_keeps_microseconds() {
        assert_eq!(ms(Duration::from_micros(1_234_567)), 1234.567);
        assert_eq!(ms(Duration::from_nanos(1_499)), 0.001);
    }

    /// A report line with the common fields and `details` (a JSON object's
    /// inside) after them.
    fn line(details: &str) -> String {
        let common = serde_json::json!({
            "lesson": "x",
            "heartbeat": {"interval_ms": 10.0, "ticks": 3, "max_gap_ms": 12.5, "p99_gap_ms": 12.5},
            "frames": {
                "count": 9, "per_s": 60.0, "max_interval_ms": 17.0, "p99_interval_ms": 17.0,
                "took_p99_ms": 2.0, "took_max_ms": 3.0
            },
            "input": {
                "path": "xtest",
                "clicks": 1,
                "to_handler_ms": {"p50": 1.0, "max": 1.0},
                "to_paint_ms": {"p50": 9.0, "max": 9.0}
            },
            "work": {"wall_ms": 5.0},
        });
        let common = common.to_string();
        let open = &common[..common.len() - 1];
        if details.is_empty() {
            format!("{open}}}")
        } else {
            format!("{open},{details}}}")
        }
    }

    #[test]
    fn parses_the_last_line_and_its_details() {
        let out = format!(
            "some log line\n{}\n\n",
            line("\"depth\":2,\"changed\":true,\"fetch\":{\"said\":\"ok\"}")
        );
        let report = parse_last_line(&out).unwrap();
        assert_eq!(report.lesson, "x");
        assert_eq!(report.heartbeat.ticks, 3);
        assert_eq!(report.work.wall_ms, 5.0);
        assert_eq!(report.frames.per_s, 60.0);
        assert_eq!(report.input.path, InputPath::Xtest);
        assert_eq!(report.number("depth"), Ok(2.0));
        assert_eq!(report.flag("changed"), Ok(true));
        assert!(report.number("missing").unwrap_err().contains("missing"));
        // Figures nested in the details are named by their dotted path; a
        // figure of another kind is named with what stands there.
        assert_eq!(report.text("fetch.said"), Ok("ok"));
        let wrong = report.number("fetch.said").unwrap_err();
        assert_eq!(wrong, "report of x has no number `fetch.said`: \"ok\"");
    }

    #[test]
    fn a_clean_shutdown_must_be_reported_clean_and_in_time() {
        let mut report = parse_last_line(&line("")).unwrap();
        assert!(
            report
                .check_clean_shutdown(1000.0)
                .unwrap_err()
                .contains("nothing")
        );
        let clean = Shutdown { ms: 12.0, clean: true, window_finalized: true };
        report.shutdown = Some(clean);
        assert_eq!(report.check_clean_shutdown(1000.0), Ok(()));
        assert!(
            report
                .check_clean_shutdown(10.0)
                .unwrap_err()
                .contains("took 12 ms")
        );
        report.shutdown = Some(Shutdown { clean: false, ..clean });
        assert!(
            report
                .check_clean_shutdown(1000.0)
                .unwrap_err()
                .contains("did not stop")
        );
        report.shutdown = Some(Shutdown { window_finalized: false, ..clean });
        assert!(
            report
                .check_clean_shutdown(1000.0)
                .unwrap_err()
                .contains("never freed")
        );
    }

    #[test]
    fn rejects_output_without_a_report() {
        assert!(parse_last_line("").is_err());
        assert!(
            parse_last_line("hello\n").unwrap_err().contains("not a report")
        );
    }
}
