//! The frame probe: for each cycle of the window's frame clock, the moment it
//! started (`before-paint`) and the moment it finished painting
//! (`after-paint`). In each cycle GTK updates, lays out and paints whatever
//! changed, so a cycle is a moment a person at the window could see something
//! change; none starts while the main loop is held, and none while the frame
//! clock's source (at `GDK_PRIORITY_REDRAW`) is starved by busier ones. The
//! live graph's tick callback keeps the clock running every frame, so a free
//! window completes about 60 a second and a long interval is a stall a person
//! would see.
//!
//! Intervals run from start to start. Where a frame *ends* within its slot
//! depends on how much it had to paint (a frame that repainted a changed label
//! ends a few milliseconds later than one that painted nothing); a composited
//! screen shows either at its next refresh, so end-to-end intervals would count
//! that difference as a wait no one sees. A cycle that overruns its slot
//! delays the next start, so start-to-start intervals still show every stall,
//! and how long each frame took is reported beside them.

use crate::log::{RECENT, TickLog};
use gtk::prelude::*;
use lesson_report::{Frame, FrameStats};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

#[derive(Clone)]
pub struct FrameProbe {
    starts: Rc<RefCell<TickLog>>,
    ends: Rc<RefCell<TickLog>>,
}

impl FrameProbe {
    /// Notes the frames `window` paints from the moment it is realized.
    pub fn attach(window: &gtk::ApplicationWindow) -> Self {
        let log = || Rc::new(RefCell::new(TickLog::new(RECENT)));
        let probe = Self { starts: log(), ends: log() };
        let on_realize = glib::clone!(
            #[strong]
            probe,
            move |window: &gtk::ApplicationWindow| {
                let Some(clock) = window.frame_clock() else { return };
                let note = |log: &Rc<RefCell<TickLog>>| {
                    let log = log.clone();
                    move |_: &gtk::gdk::FrameClock| {
                        log.borrow_mut().push(Instant::now());
                    }
                };
                clock.connect_before_paint(note(&probe.starts));
                clock.connect_after_paint(note(&probe.ends));
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
        self.starts.borrow_mut().keep_from(from);
        self.ends.borrow_mut().keep_from(from);
    }

    /// Statistics over the frames that started in `from..to`.
    pub fn stats_between(&self, from: Instant, to: Instant) -> FrameStats {
        let starts = self.starts.borrow().offsets_between(from, to);
        let ends = self.ends.borrow().offsets_between(from, Instant::now());
        let frames = paired(&starts, &ends);
        FrameStats::from_frames(to.saturating_duration_since(from), &frames)
    }

    /// From a click sent at `sent` to the end of the first frame painted
    /// once its handlers had returned at `handled`: when the person who
    /// clicked could see something happen. `None` while no such frame has
    /// been painted.
    pub(crate) fn to_paint(
        &self,
        sent: Instant,
        handled: Instant,
    ) -> Option<Duration> {
        let painted = self.ends.borrow().first_from(handled)?;
        Some(painted.saturating_duration_since(sent))
    }

    /// The intervals between the frames of the last `RECENT`, as `(end,
    /// interval)`.
    pub(crate) fn recent_intervals(
        &self,
        now: Instant,
    ) -> Vec<(Instant, Duration)> {
        let from = now.checked_sub(RECENT).unwrap_or(now);
        intervals(&self.starts.borrow().offsets_between(from, now), from)
    }
}

/// Each start with the first end at or after it, both sorted offsets: a cycle
/// ends before the next one starts. A frame not ended yet (when asked from
/// inside a frame) counts as having taken nothing so far.
fn paired(starts: &[Duration], ends: &[Duration]) -> Vec<Frame> {
    let mut ends = ends.iter().peekable();
    starts
        .iter()
        .map(|&start| {
            while ends.next_if(|end| **end < start).is_some() {}
            let end = ends.peek().map_or(start, |end| **end);
            Frame { start, took: end - start }
        })
        .collect()
}

/// `(end, length)` of each interval between consecutive instants given as
/// offsets from `from`.
pub(crate) fn intervals(
    offsets: &[Duration],
    from: Instant,
) -> Vec<(Instant, Duration)> {
    offsets.windows(2).map(|pair| (from + pair[1], pair[1] - pair[0])).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn each_start_ends_at_the_first_paint_after_it() {
        let frames = paired(&[ms(0), ms(17), ms(34)], &[ms(3), ms(27)]);
        let took: Vec<Duration> = frames.iter().map(|f| f.took).collect();
        assert_eq!(took, [ms(3), ms(10), ms(0)]);
    }
}
