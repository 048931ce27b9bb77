//! What the window shows of the worker: a progress bar, a line for the
//! worker's state, one line for each of a job's two timers, and the buttons.
//! It shows the controller's mirror and knows nothing else.

use crate::controller::{JobView, Mirror};
use crate::messages::{Tick, Timer};
use gtk::prelude::*;
use lesson_kit::LessonWindow;

/// The progress bar's text while there is no job.
pub const NO_JOB: &str = "No job";
const WORKER_CONTEXT: &str = "Timer on the worker's context";
const TIMEOUT_ADD: &str = "glib::timeout_add from the worker";

/// The lesson's widgets. Cloning it clones references to the same widgets.
#[derive(Clone)]
pub struct View {
    pub window: LessonWindow,
    pub progress: gtk::ProgressBar,
    pub state: gtk::Label,
    pub worker_ticks: gtk::Label,
    pub timeout_add_ticks: gtk::Label,
    pub start: gtk::Button,
    /// Reads Resume while the worker is paused.
    pub pause: gtk::Button,
    pub cancel: gtk::Button,
    pub slower: gtk::Button,
    pub faster: gtk::Button,
    pub fail: gtk::Button,
}

impl View {
    pub fn new(window: &LessonWindow) -> Self {
        let progress =
            gtk::ProgressBar::builder().show_text(true).text(NO_JOB).build();
        let state = gtk::Label::new(None);
        let waiting = |what| format!("{what}: ticks while a job runs");
        let worker_ticks = gtk::Label::new(Some(&waiting(WORKER_CONTEXT)));
        let timeout_add_ticks = gtk::Label::new(Some(&waiting(TIMEOUT_ADD)));
        window.add(&progress);
        window.add(&state);
        window.add(&worker_ticks);
        window.add(&timeout_add_ticks);
        Self {
            window: window.clone(),
            progress,
            state,
            worker_ticks,
            timeout_add_ticks,
            start: window.add_button("Start"),
            pause: window.add_button("Pause"),
            cancel: window.add_button("Cancel"),
            slower: window.add_button("Slower"),
            faster: window.add_button("Faster"),
            fail: window.add_button("Fail"),
        }
    }

    // ANCHOR: show
    /// Shows the mirror: the progress bar, the worker's state, and which
    /// buttons make sense.
    pub fn show(&self, mirror: &Mirror) {
        if mirror.ended {
            self.progress.set_fraction(0.0);
            self.progress.set_text(Some("No worker"));
            self.state.set_label("Worker: its thread has ended");
            for button in self.buttons() {
                button.set_sensitive(false);
            }
            return;
        }
        let step = mirror.step_applied.as_millis();
        let (fraction, text, state) = match mirror.job {
            Some(JobView { done, total, paused }) => (
                f64::from(done) / f64::from(total),
                format!("{done} of {total} steps"),
                if paused {
                    format!("Worker: paused, {step} ms a step")
                } else {
                    let took = mirror.last_step.as_secs_f64() * 1000.0;
                    format!(
                        "Worker: working, {step} ms a step \
                         (the last took {took:.0} ms)"
                    )
                },
            ),
            None => {
                (0.0, NO_JOB.into(), format!("Worker: idle, {step} ms a step"))
            }
        };
        self.progress.set_fraction(fraction);
        self.progress.set_text(Some(&text));
        self.state.set_label(&state);
        let paused = mirror.job.is_some_and(|job| job.paused);
        self.pause.set_label(if paused { "Resume" } else { "Pause" });
        let busy = mirror.job.is_some();
        self.start.set_sensitive(!busy);
        self.pause.set_sensitive(busy);
        self.cancel.set_sensitive(busy);
        self.fail.set_sensitive(busy);
    }
    // ANCHOR_END: show

    /// Shows one tick on its timer's line, with the thread it ran on.
    pub fn show_tick(&self, tick: &Tick) {
        let (label, what) = match tick.timer {
            Timer::WorkerContext => (&self.worker_ticks, WORKER_CONTEXT),
            Timer::TimeoutAdd => (&self.timeout_add_ticks, TIMEOUT_ADD),
        };
        let (n, thread) = (tick.n, &tick.thread);
        label.set_label(&format!("{what}: tick {n}, on thread '{thread}'"));
    }

    fn buttons(&self) -> [&gtk::Button; 6] {
        [
            &self.start,
            &self.pause,
            &self.cancel,
            &self.slower,
            &self.faster,
            &self.fail,
        ]
    }
}
