//! The frame probe: the moments the window finished painting a frame, from its frame clock's
//! `after-paint` signal. A frame is what a person at the window sees change; none is painted
//! while the main loop is held, and none while painting is starved by busier sources.

use crate::heartbeat::{RECENT, TickLog};
use gtk::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

pub struct FrameProbe {
    log: Rc<RefCell<TickLog>>,
}

impl FrameProbe {
    /// Starts noting the frames `window` paints. The window must be realized (presented).
    pub fn start(window: &gtk::ApplicationWindow) -> Self {
        let log = Rc::new(RefCell::new(TickLog::new(RECENT)));
        if let Some(clock) = window.frame_clock() {
            clock.connect_after_paint(glib::clone!(
                #[strong]
                log,
                move |_| log.borrow_mut().push(Instant::now())
            ));
        }
        Self { log }
    }

    /// Keeps every frame from `from` on, as [`crate::HeartbeatProbe`] keeps its ticks.
    pub(crate) fn keep_from(&self, from: Instant) {
        self.log.borrow_mut().keep_from(from);
    }

    /// How many frames were painted in `from..=to`.
    pub fn painted_between(&self, from: Instant, to: Instant) -> usize {
        self.log.borrow().offsets_since(from).iter().filter(|offset| from + **offset <= to).count()
    }
}
