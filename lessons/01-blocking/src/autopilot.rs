//! Lesson 01's scenario: a real click on Click me is sent from outside 400
//! ms after DANGER is pressed, in the middle of the freeze; the probes say
//! what the main loop and the screen did meanwhile.

use crate::pattern::Blocking;
use gtk::prelude::*;
use lesson_kit::{
    Autopilot, Findings, HEARTBEAT_INTERVAL, Pilot, ScenarioError, Span, ms,
};
use serde::Serialize;
use std::rc::Rc;
use std::time::Duration;

// ANCHOR: scenario
impl Autopilot for Blocking {
    type Details = Details;

    async fn scenario(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        // Scheduled first, sent from another thread while the loop is stuck.
        let click =
            pilot.press_later(&self.click_me, Duration::from_millis(400))?;
        let danger = pilot.press(&self.danger).await?;
        let click = click.await?;
        let work = Span { from: danger.dispatched, to: danger.handled };
        let during = pilot.measure(work);
        pilot.sleep(Duration::from_millis(500)).await;
        let after = pilot.measure(pilot.span_since(danger.handled));
        pilot.screenshot().await;

        Ok(Findings {
            span: pilot.span_since(danger.sent),
            work_wall: danger.handler(),
            details: Details {
                heartbeat_ticks_during_work: during.heartbeat.ticks,
                heartbeat_ticks_expected: work_ticks(danger.handler()),
                frames_painted_during_work: during.frames.count,
                frames_painted_after_work: after.frames.count,
                click_sent_during_work: click.sent > work.from
                    && click.sent < work.to,
                click_sent_after_ms: ms(click.sent - danger.dispatched),
                click_waited_ms: ms(click.waited()),
                click_label: self.click_me.label().unwrap_or_default().into(),
            },
        })
    }
}
// ANCHOR_END: scenario

fn work_ticks(work: Duration) -> u128 {
    work.as_millis() / HEARTBEAT_INTERVAL.as_millis()
}

// ANCHOR: details
/// What lesson 01 reports besides the common fields.
#[derive(Serialize)]
pub struct Details {
    /// Heartbeat ticks while the work ran: 0, the loop could run nothing.
    heartbeat_ticks_during_work: usize,
    /// How many a free main loop would have run meanwhile: one per 10 ms.
    heartbeat_ticks_expected: u128,
    /// Frames painted while the work ran: 0, the screen could not change.
    frames_painted_during_work: usize,
    /// Frames painted in the half second after it.
    frames_painted_after_work: usize,
    /// The real click on Click me was sent while DANGER's handler ran.
    click_sent_during_work: bool,
    /// When it was sent, counted from DANGER's dispatch.
    click_sent_after_ms: f64,
    /// How long that click waited before GTK could dispatch it.
    click_waited_ms: f64,
    /// Click me's label afterwards: the click was handled, late.
    click_label: String,
}
// ANCHOR_END: details
