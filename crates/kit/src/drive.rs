//! One autopilot run, from the window's first frame to the report: plays the
//! lesson's scenario, closes the window the way a user would, times the
//! lesson's shutdown, and prints the report once the main loop has returned.

use crate::pilot::{Findings, Pilot, ScenarioError};
use crate::watchdog::Watchdog;
use crate::{
    Autopilot, EXIT_SCENARIO_FAILED, Ended, LessonWindow, Options, ms,
};
use gtk::prelude::*;
use lesson_report::{Report, Shutdown, Work};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

pub struct AutopilotRun {
    lesson: &'static str,
    /// A scenario stuck on a blocked main loop cannot time itself out, so a
    /// thread does it.
    watchdog: RefCell<Option<Watchdog>>,
    /// The report, less its shutdown, once the scenario has finished.
    outcome: RefCell<Option<Result<Report<serde_json::Value>, String>>>,
    /// Why the screenshot asked for was not written, if it was not. The report
    /// stands anyway.
    screenshot_failed: RefCell<Option<String>>,
    closed_at: Cell<Option<Instant>>,
}

impl AutopilotRun {
    pub fn new(lesson: &'static str, options: &Options) -> Self {
        Self {
            lesson,
            watchdog: RefCell::new(Some(Watchdog::arm(
                lesson,
                Duration::from_secs(60) + options.work * 20,
            ))),
            outcome: RefCell::default(),
            screenshot_failed: RefCell::default(),
            closed_at: Cell::new(None),
        }
    }

    pub async fn drive<L: Autopilot>(
        self: Rc<Self>,
        lesson: Rc<L>,
        pilot: Rc<Pilot>,
        window: LessonWindow,
    ) {
        let findings = play(lesson, pilot.clone(), &window).await;
        if findings.is_ok() {
            *self.screenshot_failed.borrow_mut() =
                pilot.check_screenshot().err();
        }
        let outcome = findings
            .map_err(|ScenarioError(message)| message)
            .and_then(|findings| {
                let details = serde_json::to_value(&findings.details)
                    .map_err(|e| format!("could not encode the report: {e}"))?;
                let measured = pilot.measure(findings.span);
                Ok(Report {
                    lesson: self.lesson.to_owned(),
                    heartbeat: measured.heartbeat,
                    frames: measured.frames,
                    input: pilot.input(),
                    work: Work { wall_ms: ms(findings.work_wall) },
                    shutdown: None,
                    details,
                })
            });
        *self.outcome.borrow_mut() = Some(outcome);
        self.closed_at.set(Some(Instant::now()));
        // As a person closes it: the window manager's close request, where
        // there is an X server.
        pilot.close_window();
        drop(window);
    }

    /// Prints the report (or why there is none) and returns the exit code.
    /// `ended` is what the lesson's `shutdown` returned, and `window_finalized`
    /// whether the window was freed after.
    pub(crate) fn finish(
        &self,
        ended: Option<Ended>,
        window_finalized: bool,
    ) -> u8 {
        if let Some(watchdog) = self.watchdog.borrow_mut().take() {
            watchdog.disarm();
        }
        let shutdown = ended.map(|Ended { outcome, at }| {
            let took = self
                .closed_at
                .get()
                .map_or(Duration::ZERO, |closed| at - closed);
            if let Err(message) = &outcome {
                eprintln!("{}: shutdown: {message}", self.lesson);
            }
            Shutdown { ms: ms(took), clean: outcome.is_ok(), window_finalized }
        });
        let outcome = self.outcome.borrow_mut().take().unwrap_or_else(|| {
            Err("the window was closed before the scenario finished".into())
        });
        let screenshot_failed = self.screenshot_failed.borrow_mut().take();
        let verdict = Verdict::of(outcome, shutdown, screenshot_failed);
        if let Some(line) = &verdict.report {
            println!("{line}");
        }
        for problem in &verdict.problems {
            eprintln!("{}: {problem}", self.lesson);
        }
        verdict.exit_code
    }
}

/// What a finished run prints and how it exits.
#[derive(Debug)]
struct Verdict {
    /// The JSON report for stdout.
    report: Option<String>,
    /// One line each for stderr.
    problems: Vec<String>,
    exit_code: u8,
}

impl Verdict {
    fn of(
        outcome: Result<Report<serde_json::Value>, String>,
        shutdown: Option<Shutdown>,
        screenshot_failed: Option<String>,
    ) -> Self {
        let line = outcome.and_then(|mut report| {
            report.shutdown = shutdown;
            serde_json::to_string(&report)
                .map_err(|e| format!("could not encode the report: {e}"))
        });
        match line {
            // The report is printed whatever became of the screenshot: it is
            // the run's result, the picture only an illustration of it.
            Ok(line) => Self {
                report: Some(line),
                exit_code: if screenshot_failed.is_some() {
                    EXIT_SCENARIO_FAILED
                } else {
                    0
                },
                problems: screenshot_failed
                    .map(|e| format!("the screenshot was not saved: {e}"))
                    .into_iter()
                    .collect(),
            },
            Err(message) => Self {
                report: None,
                problems: vec![format!("autopilot failed: {message}")],
                exit_code: EXIT_SCENARIO_FAILED,
            },
        }
    }
}

async fn play<L: Autopilot>(
    lesson: Rc<L>,
    pilot: Rc<Pilot>,
    window: &LessonWindow,
) -> Result<Findings<L::Details>, ScenarioError> {
    // Start-up (mapping, the first frames) is not the lesson's stall: let it
    // settle first.
    let gtk_window = window.gtk_window().clone();
    pilot
        .wait_until("the window to be mapped", Duration::from_secs(20), || {
            gtk_window.is_mapped()
        })
        .await?;
    pilot.sleep(Duration::from_millis(300)).await;
    // One line for whoever watches the run (the signal tests wait for it): the
    // work starts now.
    eprintln!("{}: autopilot: playing the scenario", L::ABOUT.id);
    lesson.scenario(pilot).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use lesson_report::{FrameStats, HeartbeatStats, InputPath, InputStats};

    fn report() -> Report<serde_json::Value> {
        Report {
            lesson: "lesson-00-test".into(),
            heartbeat: HeartbeatStats::from_ticks(
                Duration::ZERO,
                Duration::ZERO,
                &[],
            ),
            frames: FrameStats::from_frames(Duration::ZERO, &[]),
            input: InputStats::from_clicks(InputPath::Xtest, &[]),
            work: Work { wall_ms: 1.0 },
            shutdown: None,
            details: serde_json::json!({}),
        }
    }

    #[test]
    fn a_screenshot_that_was_not_saved_still_prints_the_report() {
        let verdict =
            Verdict::of(Ok(report()), None, Some("/proc: read-only".into()));
        assert!(
            verdict.report.is_some_and(|line| line.contains("lesson-00-test"))
        );
        assert_eq!(verdict.exit_code, EXIT_SCENARIO_FAILED);
        assert_eq!(
            verdict.problems,
            ["the screenshot was not saved: /proc: read-only"]
        );
    }

    #[test]
    fn a_failed_scenario_prints_no_report() {
        let verdict = Verdict::of(Err("timed out".into()), None, None);
        assert_eq!(verdict.report, None);
        assert_eq!(verdict.problems, ["autopilot failed: timed out"]);
        assert_eq!(verdict.exit_code, EXIT_SCENARIO_FAILED);
    }

    #[test]
    fn a_good_run_prints_its_report_with_the_shutdown_and_exits_0() {
        let shutdown =
            Shutdown { ms: 3.0, clean: true, window_finalized: true };
        let verdict = Verdict::of(Ok(report()), Some(shutdown), None);
        assert!(
            verdict
                .report
                .is_some_and(|line| line.contains("\"window_finalized\":true"))
        );
        assert!(verdict.problems.is_empty());
        assert_eq!(verdict.exit_code, 0);
    }
}
