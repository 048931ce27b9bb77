//! Waiting for the window's layout to settle before a click. A result may
//! change how many lines a label above the next button takes: the button
//! moves, the window may grow, and a click aimed at where the button was
//! would miss it.

use crate::pilot::{Pilot, ScenarioError};
use gtk::prelude::*;
use std::time::{Duration, Instant};

/// Frames in a row that must agree on the layout.
const STILL_FRAMES: u32 = 3;

impl Pilot {
    /// Waits until `widget` and the window kept their place and size over a
    /// few painted frames.
    pub async fn settled(
        &self,
        widget: &impl IsA<gtk::Widget>,
    ) -> Result<(), ScenarioError> {
        let window = self.window();
        let place = || {
            let origin = gtk::graphene::Point::zero();
            let at = widget.compute_point(window, &origin);
            let at = at.map(|point| (point.x(), point.y()));
            (window.width(), window.height(), at)
        };
        let deadline = Instant::now() + Duration::from_secs(10);
        let (mut last, mut still) = (place(), 0);
        while still < STILL_FRAMES {
            if Instant::now() > deadline {
                return Err("the window's layout never settled".into());
            }
            next_frame(window).await;
            let now = place();
            still = if now == last { still + 1 } else { 0 };
            last = now;
        }
        Ok(())
    }
}

/// Returns once the window has painted its next frame.
async fn next_frame(window: &gtk::ApplicationWindow) {
    let Some(clock) = window.frame_clock() else { return };
    let (painted, frame) = async_channel::bounded(1);
    let id = clock.connect_after_paint(move |_| {
        let _ = painted.try_send(());
    });
    let _ = frame.recv().await;
    clock.disconnect(id);
}
