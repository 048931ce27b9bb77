//! What a lesson implements, in two parts kept in two files: the pattern
//! (`Lesson`: its widgets, handlers and shutdown) and the scenario that proves
//! what the chapter claims (`Autopilot`).

use crate::pilot::{Findings, Pilot, ScenarioError};
use crate::{About, LessonWindow, Options};
use serde::Serialize;
use std::rc::Rc;

/// What a lesson is given to build itself into.
pub struct Stage {
    pub window: LessonWindow,
    pub options: Options,
}

/// One lesson's pattern: its widgets and handlers, and how it stops.
pub trait Lesson: Sized + 'static {
    const ABOUT: About;

    /// Adds the lesson's widgets to the stage and connects its handlers.
    fn build(stage: &Stage) -> Self;

    /// Called once when the application shuts down (the window was closed, the
    /// autopilot ended, or a signal stopped it): stop workers and join threads
    /// here, so nothing is lost and nothing hangs. An error says what could not
    /// be stopped.
    fn shutdown(&self) -> Result<(), String> {
        Ok(())
    }
}

// ANCHOR: autopilot
/// The scenario `--autopilot` plays on a lesson, and what it reports. It
/// observes what a user could: it presses buttons with real clicks, reads
/// labels, and measures the main loop and the painted frames through the
/// [`Pilot`].
pub trait Autopilot: Lesson {
    /// The lesson's own report fields, flattened next to the common ones.
    type Details: Serialize;

    /// Runs on the main loop once the window is up.
    fn scenario(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> impl Future<Output = Result<Findings<Self::Details>, ScenarioError>>;
}
// ANCHOR_END: autopilot
