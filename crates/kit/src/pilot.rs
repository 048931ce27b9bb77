//! The autopilot's toolbox. A lesson's scenario is an ordinary async function on the main loop:
//! it presses the lesson's own buttons (`emit_clicked` runs the handler exactly as a click
//! would), waits with main-loop timers, reads the lesson's labels and returns its findings.

use crate::frames::FrameProbe;
use crate::heartbeat::HeartbeatProbe;
use crate::screenshot;
use gtk::prelude::*;
use lesson_report::HeartbeatStats;
use serde::Serialize;
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// What a scenario found: the heartbeat over the part of the run that shows the pattern, how long
/// the work took, and the lesson's own fields.
pub struct Findings<D: Serialize> {
    pub heartbeat: HeartbeatStats,
    pub work_wall: Duration,
    pub details: D,
}

/// One press of a button by the autopilot.
pub struct Pressed<T> {
    /// What the observer read right before the click handler ran.
    pub before: T,
    /// What it read right after the handler returned.
    pub after: T,
    pub started: Instant,
    /// How long the click handler ran, nested loops included.
    pub handler: Duration,
}

/// A scenario that could not prove what it set out to: the run fails with this message.
#[derive(Debug)]
pub struct ScenarioError(pub String);

impl<T: Into<String>> From<T> for ScenarioError {
    fn from(message: T) -> Self {
        Self(message.into())
    }
}

pub struct Pilot {
    probe: Rc<HeartbeatProbe>,
    frames: FrameProbe,
    window: gtk::ApplicationWindow,
    screenshot: Option<PathBuf>,
    /// `None` until the scenario reaches its screenshot moment.
    screenshot_taken: RefCell<Option<Result<(), String>>>,
}

impl Pilot {
    pub(crate) fn new(
        probe: Rc<HeartbeatProbe>,
        frames: FrameProbe,
        window: gtk::ApplicationWindow,
        screenshot: Option<PathBuf>,
    ) -> Self {
        let now = Instant::now();
        probe.keep_from(now);
        frames.keep_from(now);
        Self { probe, frames, window, screenshot, screenshot_taken: RefCell::new(None) }
    }

    /// Waits without blocking: the main loop keeps running while the scenario sleeps.
    pub async fn sleep(&self, duration: Duration) {
        glib::timeout_future(duration).await;
    }

    /// Presses `button` the way a user's click arrives: from a main-loop source of its own, never
    /// from inside this scenario's future. (A handler that re-enters the main loop, as lesson 02's
    /// does, would otherwise poll futures from inside a future's poll, and glib refuses that by
    /// aborting.) Returns once the click handler has returned.
    pub async fn press(&self, button: &gtk::Button) -> Pressed<()> {
        self.press_and_observe(button, || ()).await
    }

    // ANCHOR: press
    /// Like [`Pilot::press`], and reads `observe()` right before and right after the handler
    /// runs, in the same main-loop dispatch, so nothing else can run between reading and clicking.
    pub async fn press_and_observe<T: 'static>(
        &self,
        button: &gtk::Button,
        observe: impl Fn() -> T + 'static,
    ) -> Pressed<T> {
        let (done, finished) = async_channel::bounded(1);
        // A zero timeout, not an idle: it runs at the default priority, as input events do.
        glib::timeout_add_local_once(
            Duration::ZERO,
            glib::clone!(
                #[strong]
                button,
                move || {
                    let before = observe();
                    let started = Instant::now();
                    button.emit_clicked();
                    let handler = started.elapsed();
                    let _ = done.try_send(Pressed { before, after: observe(), started, handler });
                }
            ),
        );
        finished.recv().await.expect("the main loop runs the press before dropping its source")
    }
    // ANCHOR_END: press

    /// Waits until `done()` holds, checking every few milliseconds, or fails after `timeout`.
    pub async fn wait_until(
        &self,
        what: &str,
        timeout: Duration,
        done: impl Fn() -> bool,
    ) -> Result<(), ScenarioError> {
        let deadline = Instant::now() + timeout;
        while !done() {
            if Instant::now() > deadline {
                return Err(format!("timed out after {timeout:?} waiting for {what}").into());
            }
            self.sleep(Duration::from_millis(5)).await;
        }
        Ok(())
    }

    /// Heartbeat statistics from `from` until now.
    pub fn heartbeat_since(&self, from: Instant) -> HeartbeatStats {
        self.probe.stats_between(from, Instant::now())
    }

    /// Heartbeat statistics over `from..to`.
    pub fn heartbeat_between(&self, from: Instant, to: Instant) -> HeartbeatStats {
        self.probe.stats_between(from, to)
    }

    /// How many frames the window painted over `from..=to`.
    pub fn frames_painted_between(&self, from: Instant, to: Instant) -> usize {
        self.frames.painted_between(from, to)
    }

    /// The telling moment: saves the window as a PNG if `--screenshot` asked for one. The picture
    /// is rendered right after the window's next paint, when its layout is known to be complete
    /// (a label changed a moment ago may still be waiting for its new size). The last call wins.
    pub async fn screenshot(&self) {
        let Some(path) = self.screenshot.clone() else { return };
        let Some(clock) = self.window.frame_clock() else {
            *self.screenshot_taken.borrow_mut() = Some(Err("the window has no frame clock".into()));
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
        let outcome =
            rendered.recv().await.unwrap_or(Err("the window closed before it painted".into()));
        *self.screenshot_taken.borrow_mut() = Some(outcome);
    }

    /// Whether the screenshot asked for on the command line was written.
    pub(crate) fn check_screenshot(&self) -> Result<(), String> {
        match (&self.screenshot, self.screenshot_taken.take()) {
            (None, _) | (Some(_), Some(Ok(()))) => Ok(()),
            (Some(_), Some(Err(e))) => Err(e),
            (Some(_), None) => Err("the scenario never reached its screenshot moment".into()),
        }
    }
}
