//! One autopilot run, from the window's first frame to the report: plays the lesson's scenario,
//! closes the window the way a user would, times the lesson's shutdown, and prints the report
//! once the main loop has returned.

use crate::pilot::{Findings, Pilot, ScenarioError};
use crate::watchdog::Watchdog;
use crate::{EXIT_SCENARIO_FAILED, Lesson, LessonWindow, Options, ms};
use gtk::prelude::*;
use lesson_report::{Report, Shutdown, Work};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

pub struct AutopilotRun {
    lesson: &'static str,
    /// A scenario stuck on a blocked main loop cannot time itself out, so a thread does it.
    watchdog: RefCell<Option<Watchdog>>,
    /// The report, less its shutdown, once the scenario has finished.
    outcome: RefCell<Option<Result<Report<serde_json::Value>, String>>>,
    closed_at: Cell<Option<Instant>>,
    shutdown: Cell<Option<Shutdown>>,
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
            closed_at: Cell::new(None),
            shutdown: Cell::new(None),
        }
    }

    pub async fn drive<L: Lesson>(
        self: Rc<Self>,
        lesson: Rc<L>,
        pilot: Rc<Pilot>,
        window: LessonWindow,
    ) {
        let findings = play(lesson, pilot.clone(), &window).await.and_then(|findings| {
            pilot.check_screenshot()?;
            Ok(findings)
        });
        let outcome = findings.map_err(|ScenarioError(message)| message).and_then(|findings| {
            let details = serde_json::to_value(&findings.details)
                .map_err(|e| format!("could not encode the report: {e}"))?;
            Ok(Report {
                lesson: self.lesson.to_owned(),
                heartbeat: findings.heartbeat,
                work: Work { wall_ms: ms(findings.work_wall) },
                shutdown: None,
                details,
            })
        });
        *self.outcome.borrow_mut() = Some(outcome);
        self.closed_at.set(Some(Instant::now()));
        window.gtk_window().close();
    }

    /// Called from the application's shutdown with what the lesson's `shutdown` returned.
    pub fn shut_down(&self, outcome: Result<(), String>) {
        let took = self.closed_at.get().map_or(Duration::ZERO, |closed| closed.elapsed());
        if let Err(message) = &outcome {
            eprintln!("{}: shutdown: {message}", self.lesson);
        }
        self.shutdown.set(Some(Shutdown { ms: ms(took), clean: outcome.is_ok() }));
    }

    /// Prints the report (or why there is none) and returns the exit code.
    pub fn finish(&self) -> u8 {
        if let Some(watchdog) = self.watchdog.borrow_mut().take() {
            watchdog.disarm();
        }
        let outcome =
            self.outcome.borrow_mut().take().unwrap_or_else(|| {
                Err("the window was closed before the scenario finished".into())
            });
        let line = outcome.and_then(|mut report| {
            report.shutdown = self.shutdown.get();
            serde_json::to_string(&report).map_err(|e| format!("could not encode the report: {e}"))
        });
        match line {
            Ok(line) => {
                println!("{line}");
                0
            }
            Err(message) => {
                eprintln!("{}: autopilot failed: {message}", self.lesson);
                EXIT_SCENARIO_FAILED
            }
        }
    }
}

async fn play<L: Lesson>(
    lesson: Rc<L>,
    pilot: Rc<Pilot>,
    window: &LessonWindow,
) -> Result<Findings<L::Details>, ScenarioError> {
    // Start-up (mapping, the first frames) is not the lesson's stall: let it settle first.
    let gtk_window = window.gtk_window().clone();
    pilot
        .wait_until("the window to be mapped", Duration::from_secs(20), || gtk_window.is_mapped())
        .await?;
    pilot.sleep(Duration::from_millis(300)).await;
    lesson.autopilot(pilot).await
}
