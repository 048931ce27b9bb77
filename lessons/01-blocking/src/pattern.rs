//! The DANGER button does its work inside the click handler. While the
//! handler runs, the main loop cannot: the counter stops, the window paints
//! nothing, and clicks wait in a queue until the work is over.

use gtk::prelude::*;
use lesson_kit::{About, Lesson, Stage};
use std::cell::Cell;
use std::rc::Rc;
use std::time::{Duration, Instant};

pub struct Blocking {
    pub danger: gtk::Button,
    pub click_me: gtk::Button,
}

// ANCHOR: the_work
/// The long-running work: the tutorial's `time.sleep(5)`. Any work that
/// does not return to the main loop (a big computation, a blocking read,
/// waiting for a lock) has the same effect.
fn do_the_work(work: Duration) {
    #[expect(
        clippy::disallowed_methods,
        reason = "lesson 01 blocks the main loop on purpose: the freeze is \
                  what it shows"
    )]
    std::thread::sleep(work);
}
// ANCHOR_END: the_work

impl Lesson for Blocking {
    const ABOUT: About = About {
        id: env!("CARGO_PKG_NAME"),
        title: env!("CARGO_PKG_DESCRIPTION"),
        summary: "DANGER runs the work inside the click handler, on the main \
                  loop. The counter stops, the window paints nothing, and \
                  clicks queue up until the work is done.",
        default_work: Duration::from_secs(5),
    };

    // ANCHOR: build
    fn build(stage: &Stage) -> Self {
        let window = stage.window.clone();
        let work = stage.options.work;
        let danger = window.add_button("DANGER!");
        let click_me = window.add_button("Click me");

        danger.connect_clicked(glib::clone!(
            #[weak]
            window,
            move |_| {
                // Never seen: drawing it needs the main loop, and the main
                // loop is stuck right here until the work returns.
                window.set_status("Working...");
                let started = Instant::now();
                do_the_work(work);
                let took = started.elapsed().as_secs_f64();
                window.set_status(&format!("Done after {took:.1} s."));
            }
        ));

        let clicks = Rc::new(Cell::new(0));
        click_me.connect_clicked(move |button| {
            clicks.set(clicks.get() + 1);
            button.set_label(&format!("Clicked {}", clicks.get()));
        });
        Self { danger, click_me }
    }
    // ANCHOR_END: build
}
