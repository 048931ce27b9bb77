//! The steps the scenario repeats: press a button, then wait for the window
//! to show the outcome, without looking every few milliseconds.

use super::watch::{Cost, Seen, Shown, Usage, Watch, chunks};
use crate::view::View;
use gtk::prelude::*;
use lesson_kit::{Pilot, ScenarioError, Span};
use std::time::{Duration, Instant};

/// The scenario's hand: it presses buttons and waits for the window to
/// show the outcome.
pub struct Run<'a> {
    pub pilot: &'a Pilot,
    pub view: &'a View,
    pub seen: &'a Seen,
    pub patience: Duration,
}

/// A whole read, as the window showed it.
pub struct ReadRun {
    /// From the read line saying it started to it saying it ended.
    pub span: Span,
    pub text: String,
    pub chunks: u32,
    pub fraction: f64,
    pub cost: Cost,
}

/// A checksum job waited for with the window hidden.
pub struct Waited {
    pub cost: Cost,
    /// The checksum line at the end.
    pub text: String,
}

/// A checksum job, as the window showed it.
pub struct JobRun {
    /// From the line saying "hashing" to it showing the answer.
    pub span: Span,
    pub text: String,
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
                    "waited {:?}, the line still says {last:?}",
                    self.patience
                );
                return Err(why.into());
            }
        }
    }

    /// Presses a Read button and waits for the read to end, which must be
    /// with the whole file.
    pub async fn read_whole(
        &self,
        button: &gtk::Button,
    ) -> Result<ReadRun, ScenarioError> {
        let read = &self.seen.read;
        let press = self.pilot.press(button).await?;
        let started = |t: &str| t.starts_with("Reading");
        let started = self.until(read, press.sent, started).await?;
        let over = |t: &str| !t.starts_with("Reading");
        let ended = self.until(read, started.at, over).await?;
        if !ended.text.starts_with("Read all") {
            return Err(format!("a whole read ended: {}", ended.text).into());
        }
        let progress = &self.seen.progress;
        Ok(ReadRun {
            span: Span { from: started.at, to: ended.at },
            chunks: chunks(&progress.at(ended.at).text),
            fraction: self.view.progress.fraction(),
            cost: ended.usage.since(started.usage),
            text: ended.text,
        })
    }

    /// Presses a Checksum button and waits for the job's answer.
    pub async fn checksum(
        &self,
        button: &gtk::Button,
    ) -> Result<JobRun, ScenarioError> {
        let line = &self.seen.checksum;
        let press = self.pilot.press(button).await?;
        let hashing = |t: &str| t.contains("hashing");
        let started = self.until(line, press.sent, hashing).await?;
        let ended = self.until(line, started.at, |t| !hashing(t)).await?;
        Ok(JobRun {
            span: Span { from: started.at, to: ended.at },
            text: ended.text,
        })
    }
    /// Presses a Checksum button, hides the window, and notes what the
    /// main thread used until the answer showed, and the answer.
    pub async fn hidden_job(
        &self,
        button: &gtk::Button,
    ) -> Result<Waited, ScenarioError> {
        let pressed = self.pilot.press(button).await?;
        // The click's effect on screen first: the report times every click
        // to its paint.
        self.painted().await?;
        let from = self.hide();
        let line = &self.seen.checksum;
        let over = |t: &str| !t.contains("hashing");
        let ended = self.until(line, pressed.handled, over).await?;
        self.show().await?;
        Ok(Waited { cost: ended.usage.since(from), text: ended.text })
    }

    /// Hides the window for `time`, and notes what the main thread used.
    pub async fn hidden_idle(
        &self,
        time: Duration,
    ) -> Result<Cost, ScenarioError> {
        let from = self.hide();
        // A timer, unless the window closes first.
        let closing = self.seen.closing.recv();
        if glib::future_with_timeout(time, closing).await.is_ok() {
            return Err("the window was closed".into());
        }
        let used = Usage::now().since(from);
        self.show().await?;
        Ok(used)
    }

    /// Waits for the window's next frame.
    async fn painted(&self) -> Result<(), ScenarioError> {
        let window = self.pilot.window();
        let Some(clock) = window.frame_clock() else { return Ok(()) };
        let (done, painted) = async_channel::bounded(1);
        let on_close = done.clone();
        let id = clock.connect_after_paint(move |_| {
            let _ = done.try_send(());
        });
        let close = window.connect_close_request(move |_| {
            let _ = on_close.try_send(());
            glib::Propagation::Proceed
        });
        let waited = glib::future_with_timeout(self.patience, painted.recv());
        let waited = waited.await;
        clock.disconnect(id);
        window.disconnect(close);
        match waited {
            _ if self.seen.closed.get() => Err("the window was closed".into()),
            Ok(_) => Ok(()),
            Err(_) => Err("the window painted nothing".into()),
        }
    }

    /// Hides the window: nothing is painted until it shows again.
    fn hide(&self) -> Usage {
        self.pilot.window().set_visible(false);
        Usage::now()
    }

    /// Shows the window again, and waits until it has painted.
    async fn show(&self) -> Result<(), ScenarioError> {
        self.pilot.window().set_visible(true);
        self.painted().await
    }
}
