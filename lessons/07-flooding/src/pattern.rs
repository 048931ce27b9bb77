//! Lesson 07 put together: a worker (`producer.rs`) floods the window
//! (`view.rs`) with progress events, and the window takes them in one of
//! four ways, one button each (`controller.rs`): every event as it comes,
//! through an unbounded channel (naive) or through a bounded one with a turn
//! of the main loop after each (bounded); only the latest, once per frame
//! (coalesced); every event, in one batch per frame (per frame).

use crate::controller::Controller;
use crate::producer::{self, CAPACITY};
use crate::view::View;
use gtk::prelude::*;
use lesson_kit::{About, Lesson, Stage};
use std::rc::Rc;
use std::time::Duration;
use worker::JobPool;

/// How long `shutdown` waits for a run's worker to notice it was stopped.
const STOP_PATIENCE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Naive,
    Bounded,
    Coalesced,
    PerFrame,
}

impl Strategy {
    pub const ALL: [Self; 4] =
        [Self::Naive, Self::Bounded, Self::Coalesced, Self::PerFrame];

    pub fn name(self) -> &'static str {
        ["naive", "bounded", "coalesced", "per frame"][self.index()]
    }

    pub fn button_label(self) -> String {
        match self {
            Self::Naive => "Naive".to_owned(),
            Self::Bounded => format!("Bounded ({CAPACITY})"),
            Self::Coalesced => "Coalesced".to_owned(),
            Self::PerFrame => format!("Per frame ({CAPACITY})"),
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

// The summary above names the capacity.
const _: () = assert!(CAPACITY == 2048);

pub struct Flooding {
    pub controller: Rc<Controller>,
}

impl Lesson for Flooding {
    const ABOUT: About = About {
        id: env!("CARGO_PKG_NAME"),
        title: env!("CARGO_PKG_DESCRIPTION"),
        summary: "A worker makes progress events as fast as it can (200 per \
                  millisecond of --work-ms, from 50000 to 1000000). Naive \
                  sends every one through an unbounded channel, which the \
                  window drains as it comes; Bounded through a channel of \
                  2048, giving the main loop a turn after each; Coalesced \
                  keeps only the latest, which the window reads once per \
                  frame; Per frame sends every one through a channel of \
                  2048 and applies them in one batch per frame. Compare the \
                  queue, the memory, the frames and the counter.",
        default_work: Duration::from_secs(5),
    };

    fn build(stage: &Stage) -> Self {
        let view = View::new(&stage.window);
        let pool = JobPool::exclusive(1).expect("the system starts a thread");
        let events = producer::events_for(stage.options.work);
        let controller = Rc::new(Controller::new(view, events, pool));
        let status = format!("Each run makes {events} events. Pick a way.");
        controller.view.window.set_status(&status);
        for (strategy, button) in
            Strategy::ALL.into_iter().zip(&controller.view.buttons)
        {
            button.connect_clicked(glib::clone!(
                #[weak]
                controller,
                move |_| controller.start(strategy)
            ));
        }
        // The live line, when the main loop lets its timer run.
        controller.view.set_live(None);
        glib::timeout_add_local(
            Duration::from_millis(100),
            glib::clone!(
                #[weak]
                controller,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move || {
                    let backlog = controller.backlog();
                    controller.view.set_live(backlog.as_deref());
                    glib::ControlFlow::Continue
                }
            ),
        );
        Self { controller }
    }

    fn shutdown(&self) -> Result<(), String> {
        self.controller.stop(STOP_PATIENCE)
    }
}
