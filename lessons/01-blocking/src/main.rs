//! Lesson 01: the frozen window.
//!
//! The DANGER button does its work inside the click handler. While the handler runs, the main
//! loop cannot: the counter stops, the window does not redraw, and clicks wait in a queue until
//! the work is over. The autopilot measures all three.

use gtk::prelude::*;
use lesson_kit::{About, Findings, HEARTBEAT_INTERVAL, Lesson, Pilot, ScenarioError, Stage};
use serde::Serialize;
use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

fn main() -> std::process::ExitCode {
    lesson_kit::run::<Blocking>()
}

struct Blocking {
    danger: gtk::Button,
    click_me: gtk::Button,
    clicks: Rc<Cell<u32>>,
}

// ANCHOR: the_work
/// The long-running work: the tutorial's `time.sleep(5)`. Any work that does not return to the
/// main loop (a big computation, a blocking read, waiting for a lock) has the same effect.
fn do_the_work(work: Duration) {
    #[expect(
        clippy::disallowed_methods,
        reason = "lesson 01 blocks the main loop on purpose: this freeze is what it shows"
    )]
    std::thread::sleep(work);
}
// ANCHOR_END: the_work

impl Lesson for Blocking {
    const ABOUT: About = About {
        id: "lesson-01-blocking",
        title: "Lesson 01: the frozen window",
        summary: "DANGER runs the work inside the click handler, on the main loop. The counter \
                  stops, the window stops redrawing, and clicks queue up until the work is done.",
        default_work: Duration::from_secs(5),
    };
    type Details = Details;

    fn build(stage: &Stage) -> Self {
        let window = stage.window.clone();
        let work = stage.options.work;
        let danger = window.add_button("DANGER!");
        let click_me = window.add_button("Click me");
        let clicks = Rc::new(Cell::new(0));

        // ANCHOR: handler
        danger.connect_clicked(glib::clone!(
            #[weak]
            window,
            move |_| {
                // This label change will not be seen: drawing it needs the main loop,
                // and the main loop is stuck right here until the work returns.
                window.set_status("Working...");
                let started = Instant::now();
                do_the_work(work);
                window.set_status(&format!(
                    "Done after {:.1} s. The counter stood still the whole time.",
                    started.elapsed().as_secs_f64()
                ));
            }
        ));
        // ANCHOR_END: handler

        click_me.connect_clicked(glib::clone!(
            #[strong]
            clicks,
            move |button| {
                clicks.set(clicks.get() + 1);
                button.set_label(&format!("Clicked {}", clicks.get()));
            }
        ));

        Self { danger, click_me, clicks }
    }

    // ANCHOR: autopilot
    async fn autopilot(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        // A main-loop timer due 100 ms into the work stands in for a click then: like a click,
        // it is an event the loop must dispatch, so it waits for the loop to be free.
        let click_due = Instant::now() + Duration::from_millis(100);
        let click_handled: Rc<Cell<Option<Instant>>> = Rc::default();
        glib::timeout_add_local_once(
            Duration::from_millis(100),
            glib::clone!(
                #[strong(rename_to = lesson)]
                self,
                #[strong]
                click_handled,
                move || {
                    lesson.click_me.emit_clicked();
                    click_handled.set(Some(Instant::now()));
                }
            ),
        );

        let press = pilot.press(&self.danger).await;
        let work_wall = press.handler;
        let work_ended = press.started + work_wall;

        pilot
            .wait_until("the queued click", Duration::from_secs(5), || self.clicks.get() == 1)
            .await?;
        let click_waited =
            click_handled.get().expect("handled").saturating_duration_since(click_due);
        pilot.screenshot().await;
        pilot.sleep(Duration::from_millis(500)).await;
        let after = work_ended + Duration::from_millis(500);

        Ok(Findings {
            heartbeat: pilot.heartbeat_since(press.started),
            work_wall,
            details: Details {
                heartbeat_ticks_during_work: pilot
                    .heartbeat_between(press.started, work_ended)
                    .ticks,
                heartbeat_ticks_expected: work_wall.as_millis() / HEARTBEAT_INTERVAL.as_millis(),
                frames_painted_during_work: pilot.frames_painted_between(press.started, work_ended),
                frames_painted_after_work: pilot.frames_painted_between(work_ended, after),
                queued_click_waited_ms: lesson_kit::ms(click_waited),
            },
        })
    }
    // ANCHOR_END: autopilot
}

/// What lesson 01 reports besides the common fields.
#[derive(Serialize)]
struct Details {
    /// Heartbeat ticks while the work ran: 0, the main loop could run nothing.
    heartbeat_ticks_during_work: usize,
    /// How many a free main loop would have run meanwhile: one every 10 ms.
    heartbeat_ticks_expected: u128,
    /// Frames the window painted while the work ran: 0, nothing on screen could change.
    frames_painted_during_work: usize,
    /// Frames painted in the half second after it: the window comes back at once.
    frames_painted_after_work: usize,
    /// How long an event due 100 ms into the work (a main-loop timer that clicks "Click me")
    /// waited to be handled.
    queued_click_waited_ms: f64,
}
