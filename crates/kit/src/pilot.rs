//! The autopilot's toolbox. A lesson's scenario is an ordinary async function
//! on the main loop: it presses the lesson's buttons as a person would (real
//! clicks, see `input.rs`), waits with main-loop timers, reads the lesson's
//! labels, and asks the probes what the main loop and the screen did meanwhile.

use crate::frames::FrameProbe;
use crate::heartbeat::HeartbeatProbe;
use crate::input::{Clicked, Hand};
use crate::screenshot;
use gtk::prelude::*;
use lesson_report::{FrameStats, HeartbeatStats, InputStats};
use serde::Serialize;
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// A stretch of the run, from one instant to another.
#[derive(Debug, Clone, Copy)]
pub struct Span {
    pub from: Instant,
    pub to: Instant,
}

/// What the probes saw over one span.
#[derive(Debug, Clone)]
pub struct Measured {
    /// How late a default-priority source ran.
    pub heartbeat: HeartbeatStats,
    /// The frames painted: what a person saw change.
    pub frames: FrameStats,
}

/// What a scenario found: the span that shows the pattern (the report's
/// `heartbeat` and `frames` cover it), how long the work took, and the lesson's
/// own fields.
pub struct Findings<D: Serialize> {
    pub span: Span,
    pub work_wall: Duration,
    pub details: D,
}

/// One click by the autopilot, and when each part of it happened.
#[derive(Debug, Clone, Copy)]
pub struct Pressed {
    /// The click existed: the X server had it (or `emit_clicked` was
    /// scheduled).
    pub sent: Instant,
    /// GTK dispatched it to the window.
    pub dispatched: Instant,
    /// Every `clicked` handler had returned.
    pub handled: Instant,
}

impl Pressed {
    /// How long the click's handlers ran, nested main loops included.
    pub fn handler(&self) -> Duration {
        self.handled.saturating_duration_since(self.dispatched)
    }

    /// How long the click waited before GTK dispatched it.
    pub fn waited(&self) -> Duration {
        self.dispatched.saturating_duration_since(self.sent)
    }
}

impl From<Clicked> for Pressed {
    fn from(sent: Clicked) -> Self {
        Self {
            sent: sent.sent,
            dispatched: sent.dispatched,
            handled: sent.handled,
        }
    }
}

/// A scenario that could not prove what it set out to: the run fails with this
/// message.
#[derive(Debug)]
pub struct ScenarioError(pub String);

impl<T: Into<String>> From<T> for ScenarioError {
    fn from(message: T) -> Self {
        Self(message.into())
    }
}

pub struct Pilot {
    heartbeat: Rc<HeartbeatProbe>,
    frames: FrameProbe,
    hand: Hand,
    window: gtk::ApplicationWindow,
    screenshot: Option<PathBuf>,
    /// `None` until the scenario reaches its screenshot moment.
    screenshot_taken: RefCell<Option<Result<(), String>>>,
}

impl Pilot {
    pub(crate) fn new(
        heartbeat: Rc<HeartbeatProbe>,
        frames: FrameProbe,
        window: gtk::ApplicationWindow,
        screenshot: Option<PathBuf>,
    ) -> Self {
        let now = Instant::now();
        heartbeat.keep_from(now);
        frames.keep_from(now);
        crate::marks::start_recording();
        let hand = Hand::new(&window);
        Self {
            heartbeat,
            frames,
            hand,
            window,
            screenshot,
            screenshot_taken: RefCell::new(None),
        }
    }

    /// Waits without blocking: the main loop keeps running while the scenario
    /// sleeps.
    pub async fn sleep(&self, duration: Duration) {
        glib::timeout_future(duration).await;
    }

    /// Clicks `button` as a person does and returns once its handlers have
    /// returned. Refuses a button that is greyed out: a person could not press
    /// it either.
    pub async fn press(
        &self,
        button: &gtk::Button,
    ) -> Result<Pressed, ScenarioError> {
        self.hand.press(button).await.map(Pressed::from)
    }

    /// Clicks `button` after `delay`, from outside the main loop, so that the
    /// click happens even if the loop is blocked by then. The future resolves
    /// once the click has been handled.
    pub fn press_later(
        &self,
        button: &gtk::Button,
        delay: Duration,
    ) -> Result<
        impl Future<Output = Result<Pressed, ScenarioError>> + use<'_>,
        ScenarioError,
    > {
        let later = self.hand.press_later(button, delay)?;
        Ok(async move { later.await.map(Pressed::from) })
    }

    /// Waits until `done()` holds, checking every few milliseconds, or fails
    /// after `timeout`.
    pub async fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        done: impl Fn() -> bool,
    ) -> Result<(), ScenarioError> {
        let deadline = Instant::now() + timeout;
        while !done() {
            if Instant::now() > deadline {
                return Err(format!(
                    "timed out after {timeout:?} waiting for {what}"
                )
                .into());
            }
            self.sleep(Duration::from_millis(5)).await;
        }
        Ok(())
    }

    /// The span from `from` until now.
    pub fn span_since(&self, from: Instant) -> Span {
        Span { from, to: Instant::now() }
    }

    /// What the heartbeat and the frame probe saw over `span`.
    pub fn measure(&self, span: Span) -> Measured {
        Measured {
            heartbeat: self.heartbeat.stats_between(span.from, span.to),
            frames: self.frames.stats_between(span.from, span.to),
        }
    }

    /// From `pressed`'s click to the end of the first frame painted after its
    /// handlers returned, in milliseconds, as the report's `input` counts it.
    /// `None` while no such frame has been painted.
    pub fn to_paint_ms(&self, pressed: &Pressed) -> Option<f64> {
        self.frames.to_paint(pressed.sent, pressed.handled).map(crate::ms)
    }

    /// The marks pattern code left with `lesson_kit::mark` since `from`, oldest
    /// first.
    pub fn marks_since(&self, from: Instant) -> Vec<(Instant, String)> {
        crate::marks::all().into_iter().filter(|(at, _)| *at >= from).collect()
    }

    /// The lesson's window, for scenarios that hide it or read its state.
    pub fn window(&self) -> &gtk::ApplicationWindow {
        &self.window
    }

    /// The telling moment: saves the window as a PNG if `--screenshot` asked
    /// for one. The picture is rendered right after the window's next paint,
    /// when its layout is known to be complete (a label changed a moment ago
    /// may still be waiting for its new size). The last call wins.
    pub async fn screenshot(&self) {
        let Some(path) = self.screenshot.clone() else { return };
        let Some(clock) = self.window.frame_clock() else {
            *self.screenshot_taken.borrow_mut() =
                Some(Err("the window has no frame clock".into()));
            return;
        };
        let (done, rendered) = async_channel::bounded(1);
        let handler: Rc<RefCell<Option<glib::SignalHandlerId>>> = Rc::default();
        let id = clock.connect_after_paint(glib::clone!(
            #[strong]
            handler,
            #[weak(rename_to = window)]
            self.window,
            move |clock| {
                let _ = done.try_send(screenshot::save_png(&window, &path));
                if let Some(id) = handler.borrow_mut().take() {
                    clock.disconnect(id);
                }
            }
        ));
        *handler.borrow_mut() = Some(id);
        self.window.queue_draw();
        let outcome = rendered
            .recv()
            .await
            .unwrap_or(Err("the window closed before it painted".into()));
        *self.screenshot_taken.borrow_mut() = Some(outcome);
    }

    /// Whether the screenshot asked for on the command line was written.
    pub(crate) fn check_screenshot(&self) -> Result<(), String> {
        match (&self.screenshot, self.screenshot_taken.take()) {
            (None, _) | (Some(_), Some(Ok(()))) => Ok(()),
            (Some(_), Some(Err(e))) => Err(e),
            (Some(_), None) => {
                Err("the scenario never reached its screenshot moment".into())
            }
        }
    }

    /// Every click of the run so far.
    pub(crate) fn input(&self) -> InputStats {
        self.hand.stats(&self.frames, ..)
    }

    /// The clicks sent during `span`, for a lesson whose report covers
    /// clicks that are not its pattern's (a blocking demonstration after it).
    pub fn input_during(&self, span: Span) -> InputStats {
        self.hand.stats(&self.frames, span.from..=span.to)
    }

    /// Closes the window as a person does: through the window manager where
    /// there is one.
    pub(crate) fn close_window(&self) {
        self.hand.close();
    }
}
