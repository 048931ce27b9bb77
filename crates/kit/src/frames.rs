//! The frame probe: the moments the window's frame clock finished a frame, from
//! its `after-paint` signal. In each frame GTK lays out and paints whatever
//! changed, so a frame is a moment a person at the window could see something
//! change; none comes while the main loop is held, and none while the frame
//! clock's source (at `GDK_PRIORITY_REDRAW`) is starved by busier ones. The
//! live graph's tick callback keeps the clock running every frame, so a free
//! window completes about 60 a second and a long interval is a stall a person
//! would see.

use crate::log::{RECENT, TickLog};
use gtk::prelude::*;
use lesson_report::FrameStats;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct FrameProbe {
    log: Rc<RefCell<TickLog>>,
}

impl FrameProbe {
    /// Notes the frames `window` paints from the moment it is realized.
    pub fn attach(window: &gtk::ApplicationWindow) -> Self {
        let log = Rc::new(RefCell::new(TickLog::new(RECENT)));
        let probe = Self { log };
        let on_realize = glib::clone!(
            #[strong]
            probe,
            move |window: &gtk::ApplicationWindow| {
                if let Some(clock) = window.frame_clock() {
                    clock.connect_after_paint(glib::clone!(
                        #[strong]
                        probe,
                        move |_| probe.log.borrow_mut().push(Instant::now())
                    ));
                }
            }
        );
        if window.is_realized() {
            on_realize(window);
        } else {
            window.connect_realize(on_realize);
        }
        probe
    }

    /// Keeps every frame from `from` on, as the heartbeat probe keeps its
    /// ticks.
    pub(crate) fn keep_from(&self, from: Instant) {
        self.log.borrow_mut().keep_from(from);
    }

    /// Statistics over `from..to`.
    pub fn stats_between(&self, from: Instant, to: Instant) -> FrameStats {
        let paints = self.log.borrow().offsets_between(from, to);
        FrameStats::from_paints(to.saturating_duration_since(from), &paints)
    }

    /// When the first frame at or after `at` finished painting, if one has.
    pub(crate) fn first_paint_from(&self, at: Instant) -> Option<Instant> {
        self.log.borrow().first_from(at)
    }

    /// The intervals between the frames of the last `RECENT`, as `(end,
    /// interval)`.
    pub(crate) fn recent_intervals(
        &self,
        now: Instant,
    ) -> Vec<(Instant, Duration)> {
        let from = now.checked_sub(RECENT).unwrap_or(now);
        intervals(&self.log.borrow().offsets_between(from, now), from)
    }
}

/// `(end, length)` of each interval between consecutive instants given as
/// offsets from `from`.
pub(crate) fn intervals(
    offsets: &[Duration],
    from: Instant,
) -> Vec<(Instant, Duration)> {
    offsets.windows(2).map(|pair| (from + pair[1], pair[1] - pair[0])).collect()
}
