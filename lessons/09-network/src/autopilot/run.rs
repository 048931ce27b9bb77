//! The steps the scenario repeats: press a button, then wait for the
//! window to show the outcome, without looking every few milliseconds.

use super::details::Cancelled;
use super::watch::{Seen, Shown, Threads, Watch, received, threads};
use crate::protocol::PAYLOAD_BYTES;
use crate::view::View;
use gtk::prelude::*;
use lesson_kit::{Pilot, Pressed, ScenarioError, ms};
use std::time::{Duration, Instant};

/// The scenario's hand.
pub struct Run<'a> {
    pub pilot: &'a Pilot,
    pub view: &'a View,
    pub seen: &'a Seen,
    pub patience: Duration,
}

/// One fetch, as the window showed it.
pub struct Fetch {
    pub pressed: Pressed,
    /// The process's threads just before the click.
    pub threads_before: Threads,
    /// The outcome line's verdict.
    pub ended: Shown,
}

/// Whether an outcome line says how a fetch ended.
pub fn is_verdict(text: &str) -> bool {
    ["Fetched", "Cancelled", "Timed out", "Failed"]
        .iter()
        .any(|verdict| text.starts_with(verdict))
}

impl Run<'_> {
    /// The first text `watch` showed after `after` that `is` accepts,
    /// waited for without waking the main loop until the widget changes.
    pub async fn until(
        &self,
        watch: &Watch,
        after: Instant,
        is: impl Fn(&str) -> bool,
    ) -> Result<Shown, ScenarioError> {
        let deadline = Instant::now() + self.patience;
        loop {
            if self.seen.closed.get() {
                return Err("the window was closed".into());
            }
            if let Some(shown) = watch.first(after, &is) {
                return Ok(shown);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            let change = glib::future_with_timeout(left, watch.changed.recv());
            if !matches!(change.await, Ok(Ok(()))) {
                let last = watch.at(Instant::now()).text;
                let why = format!(
                    "waited {:?}, the window still says {last:?}",
                    self.patience
                );
                return Err(why.into());
            }
        }
    }

    /// Presses a Fetch button and waits for the fetch's verdict.
    pub async fn fetch(
        &self,
        button: &gtk::Button,
    ) -> Result<Fetch, ScenarioError> {
        let threads_before = threads();
        let pressed = self.pilot.press(button).await?;
        let outcome = &self.seen.outcome;
        let ended = self.until(outcome, pressed.sent, is_verdict).await?;
        Ok(Fetch { pressed, threads_before, ended })
    }

    /// Presses `button`, then Cancel once a third of the payload has
    /// come, and waits for the fetch to end. With `picture`, the
    /// screenshot is taken just before Cancel.
    pub async fn cancel_a_third_in(
        &self,
        button: &gtk::Button,
        picture: bool,
    ) -> Result<Cancelled, ScenarioError> {
        let (pilot, seen) = (self.pilot, self.seen);
        let pressed = pilot.press(button).await?;
        let a_third = |t: &str| received(t) >= PAYLOAD_BYTES / 3;
        self.until(&seen.progress, pressed.sent, a_third).await?;
        if picture {
            pilot.screenshot().await;
        }
        let cancel = pilot.press(&self.view.cancel).await?;
        let is_over = |t: &str| t.starts_with("Cancelled");
        let over = self.until(&seen.outcome, cancel.sent, is_over).await?;
        let shown = |at| received(&seen.progress.at(at).text);
        Ok(Cancelled {
            outcome: over.text.clone(),
            received_at_cancel: shown(cancel.handled),
            received_at_end: shown(over.at),
            progress_changes_after_cancel: seen
                .progress
                .between(cancel.handled, over.at + Duration::from_millis(1))
                .len(),
            cancel_to_end_ms: ms(over.at - cancel.dispatched),
        })
    }

    /// Presses one of the toggle buttons that say how the server behaves.
    pub async fn ask(
        &self,
        toggle: &gtk::ToggleButton,
    ) -> Result<(), ScenarioError> {
        self.pilot.press(toggle.upcast_ref()).await?;
        if toggle.is_active() {
            Ok(())
        } else {
            let label = toggle.label().unwrap_or_default();
            Err(format!("'{label}' is not down after a click").into())
        }
    }
}
