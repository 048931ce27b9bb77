//! The main thread's side, Qt's "controller": it owns the worker's handle
//! and the lesson's widgets, sends the commands the buttons ask for, and
//! turns the worker's events into what the window shows.

use crate::messages::{Command, Event};
use crate::view::View;
use crate::worker::{DEFAULT_STEP, STEP_RANGE, Worker};
use static_assertions::assert_not_impl_any;
use std::cell::RefCell;
use std::time::Duration;

// ANCHOR: controller
/// The window's end of the worker. What it knows of the worker is a
/// mirror: only what the worker's events said.
pub struct Controller {
    worker: Worker,
    pub view: View,
    mirror: RefCell<Mirror>,
}

pub struct Mirror {
    pub job: Option<JobView>,
    /// The step length last asked for; the answer says what was applied.
    pub step_asked: Duration,
    pub step_applied: Duration,
    /// How long the last step really took, by the worker's clock.
    pub last_step: Duration,
    /// What the worker said as it panicked.
    pub panic: Option<String>,
    /// The worker thread ended without being asked to quit.
    pub ended: bool,
}

#[derive(Clone, Copy)]
pub struct JobView {
    pub done: u32,
    pub total: u32,
    pub paused: bool,
}

// Widgets cannot leave the main thread, so neither can anything that
// holds them.
assert_not_impl_any!(Controller: Send, Sync);
// ANCHOR_END: controller

impl Controller {
    pub fn new(worker: Worker, view: View) -> Self {
        let mirror = Mirror {
            job: None,
            step_asked: DEFAULT_STEP,
            step_applied: DEFAULT_STEP,
            last_step: Duration::ZERO,
            panic: None,
            ended: false,
        };
        view.show(&mirror);
        Self { worker, view, mirror: RefCell::new(mirror) }
    }

    pub fn send(&self, command: Command) {
        if let Command::SetStepLength(length) = command {
            self.mirror.borrow_mut().step_asked = length;
        }
        self.worker.send(command);
    }

    /// Slower and Faster: a multiple of the length last asked for, so that
    /// two presses count twice even before the worker has answered.
    pub fn change_step(&self, factor: f64) {
        let asked = self.mirror.borrow().step_asked.mul_f64(factor);
        let (shortest, longest) = STEP_RANGE.into_inner();
        self.send(Command::SetStepLength(asked.clamp(shortest, longest)));
    }

    pub fn pause_or_resume(&self) {
        let paused = self.mirror.borrow().job.is_some_and(|job| job.paused);
        self.send(if paused { Command::Resume } else { Command::Pause });
    }

    /// One event from the worker, on the main loop.
    pub fn receive(&self, event: Event) {
        // When an answer arrived is the one moment no widget shows: answers
        // that arrive together are shown at once. For the lesson's scenario;
        // it does nothing otherwise.
        if let Some(answer) = event.answers() {
            lesson_kit::mark(format!("answer {answer}"));
        }
        self.apply(event);
    }

    // ANCHOR: apply
    /// Turns one event into what the window shows. Main thread only.
    fn apply(&self, event: Event) {
        let mut guard = self.mirror.borrow_mut();
        let mirror = &mut *guard;
        let job = &mut mirror.job;
        let status = match event {
            Event::Started { steps } => {
                *job = Some(JobView { done: 0, total: steps, paused: false });
                Some(format!("Started a job of {steps} steps."))
            }
            Event::Paused { done } => {
                *job = job.map(|job| JobView { done, paused: true, ..job });
                Some(format!("Paused after step {done}."))
            }
            Event::Resumed => {
                *job = job.map(|job| JobView { paused: false, ..job });
                Some("Resumed.".to_owned())
            }
            Event::StepLengthSet(length) => {
                mirror.step_applied = length;
                Some(format!("Steps now take {} ms.", length.as_millis()))
            }
            Event::Cancelled { done, total } => {
                *job = None;
                Some(format!("Cancelled after {done} of {total} steps."))
            }
            // The worker's state is unchanged: only the status says so.
            Event::Refused { command, why } => {
                Some(format!("{command} refused: {why}."))
            }
            Event::Progress { done, total, took } => {
                *job = job.map(|job| JobView { done, total, ..job });
                mirror.last_step = took;
                None
            }
            Event::Finished { total } => {
                *job = None;
                Some(format!("Finished all {total} steps."))
            }
            Event::Tick(tick) => return self.view.show_tick(&tick),
            // Kept for the status line, once the channel has closed.
            Event::Panicked(message) => {
                mirror.panic = Some(message);
                None
            }
        };
        self.view.show(mirror);
        if let Some(status) = status {
            self.view.window.set_status(&status);
        }
    }
    // ANCHOR_END: apply

    // ANCHOR: ended
    /// The worker's event channel has closed: every sender is gone, so
    /// its thread has ended, or is ending.
    pub fn worker_ended(&self) {
        if self.worker.quit_asked() {
            return; // the window is closing, and asked for it
        }
        let mut mirror = self.mirror.borrow_mut();
        mirror.ended = true;
        mirror.job = None;
        self.view.show(&mirror);
        let why = match &mirror.panic {
            Some(message) => format!("it panicked ({message})"),
            None => "nobody asked it to end".to_owned(),
        };
        let status = format!("The worker thread ended: {why}.");
        self.view.window.set_status(&status);
    }
    // ANCHOR_END: ended

    /// Asks the worker to quit and waits for its thread to end.
    pub fn quit_and_join(&self) -> Result<(), String> {
        self.worker.quit_and_join()
    }
}
