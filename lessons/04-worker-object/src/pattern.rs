//! Lesson 04 put together: the worker thread (`worker.rs`), the window's
//! controller (`controller.rs`) and its widgets (`view.rs`), the channel
//! between them, and the buttons.

use crate::controller::Controller;
use crate::messages::Command;
use crate::view::View;
use crate::worker::{DEFAULT_STEP, Worker};
use gtk::prelude::*;
use lesson_kit::{About, Lesson, Stage};
use std::rc::Rc;
use std::time::Duration;

/// A job has at least this many steps, however short `--work-ms` is, so
/// that there is time to pause, resume and cancel in the middle of one.
const MIN_STEPS: u32 = 50;

pub struct WorkerObject {
    controller: Rc<Controller>,
    /// The widgets, as anyone looking at the window sees them.
    pub view: View,
}

impl Lesson for WorkerObject {
    const ABOUT: About = About {
        id: env!("CARGO_PKG_NAME"),
        title: env!("CARGO_PKG_DESCRIPTION"),
        summary: "A long-lived worker thread runs a main loop of its own. The \
                  window sends it commands (start, pause, resume, cancel, \
                  slower, faster) and shows the events it sends back. Two \
                  timers, which tick while a job runs, show which thread a \
                  glib timer really runs on. Fail gives the job a step with \
                  a bug: the worker panics, and the window says so.",
        default_work: Duration::from_secs(5),
    };

    // ANCHOR: build
    fn build(stage: &Stage) -> Self {
        let step = DEFAULT_STEP.as_millis();
        let steps = u32::try_from(stage.options.work.as_millis() / step)
            .unwrap_or(u32::MAX)
            .max(MIN_STEPS);
        let view = View::new(&stage.window);
        let (worker, events) = Worker::spawn().expect("cannot start a thread");
        let controller = Rc::new(Controller::new(worker, view.clone()));

        // The events arrive here, on the main loop, one at a time. The loop
        // ends when the worker and its job's timers are gone, since they
        // hold the only senders.
        glib::spawn_future_local(glib::clone!(
            #[strong]
            controller,
            async move {
                while let Ok(event) = events.recv().await {
                    controller.receive(event);
                }
                controller.worker_ended();
            }
        ));
        connect_buttons(&controller, steps);
        Self { controller, view }
    }
    // ANCHOR_END: build

    // ANCHOR: shutdown
    fn shutdown(&self) -> Result<(), String> {
        self.controller.quit_and_join()
    }
    // ANCHOR_END: shutdown
}

// ANCHOR: buttons
/// The buttons only send commands. They hold the controller weakly: the
/// window holds the buttons, and must not be held by them in turn.
fn connect_buttons(controller: &Rc<Controller>, steps: u32) {
    let view = &controller.view;
    view.start.connect_clicked(glib::clone!(
        #[weak]
        controller,
        move |_| controller.send(Command::Start { steps })
    ));
    view.pause.connect_clicked(glib::clone!(
        #[weak]
        controller,
        move |_| controller.pause_or_resume()
    ));
    view.cancel.connect_clicked(glib::clone!(
        #[weak]
        controller,
        move |_| controller.send(Command::Cancel)
    ));
    view.slower.connect_clicked(glib::clone!(
        #[weak]
        controller,
        move |_| controller.change_step(2.0)
    ));
    view.faster.connect_clicked(glib::clone!(
        #[weak]
        controller,
        move |_| controller.change_step(0.5)
    ));
    view.fail.connect_clicked(glib::clone!(
        #[weak]
        controller,
        move |_| controller.send(Command::Fail)
    ));
}
// ANCHOR_END: buttons
