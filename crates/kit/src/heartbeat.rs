//! The heartbeat probe: a short main-loop timer at the default priority that
//! notes when it actually ran. A free main loop runs it every `interval`; a gap
//! between two ticks is how late a default-priority source ran. When the loop
//! is blocked, nothing at all runs, and the gap is the whole stall. It is not
//! the whole story: GTK paints at `GDK_PRIORITY_REDRAW` (120), below the
//! default priority (0), so while default-priority work stays ready the
//! heartbeat may go on ticking and no frame is painted. The frame probe
//! measures that.

use crate::log::{RECENT, TickLog};
use lesson_report::HeartbeatStats;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How often the probe asks to run. Short enough to resolve a 20 ms chunk of
/// work, long enough that its own cost does not show.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_millis(10);

pub struct HeartbeatProbe {
    interval: Duration,
    started: Instant,
    log: Rc<RefCell<TickLog>>,
    source: RefCell<Option<glib::SourceId>>,
}

impl HeartbeatProbe {
    // ANCHOR: probe
    /// Starts sampling the thread-default main context (the main loop, on the
    /// main thread).
    pub fn start(interval: Duration) -> Self {
        let log = Rc::new(RefCell::new(TickLog::new(RECENT)));
        let source = glib::timeout_add_local(
            interval,
            glib::clone!(
                #[strong]
                log,
                move || {
                    log.borrow_mut().push(Instant::now());
                    glib::ControlFlow::Continue
                }
            ),
        );
        Self {
            interval,
            started: Instant::now(),
            log,
            source: RefCell::new(Some(source)),
        }
    }
    // ANCHOR_END: probe

    /// How long the probe has been running.
    pub fn age(&self) -> Duration {
        self.started.elapsed()
    }

    /// Keeps every tick from `from` on, not only the recent ones: an autopilot
    /// measures spans that start long before they end. It is bounded too, since
    /// every autopilot run is.
    pub(crate) fn keep_from(&self, from: Instant) {
        self.log.borrow_mut().keep_from(from);
    }

    /// The gaps between the ticks of the last `RECENT`, as `(end, gap)`.
    pub(crate) fn recent_gaps(&self, now: Instant) -> Vec<(Instant, Duration)> {
        let from = now.checked_sub(RECENT).unwrap_or(now);
        crate::frames::intervals(
            &self.log.borrow().offsets_between(from, now),
            from,
        )
    }

    /// Statistics over `from..to`, counting a stall that is still open at `to`.
    /// Only the ticks the probe kept count: the last [`RECENT`], and all of
    /// them since [`Self::keep_from`].
    pub fn stats_between(&self, from: Instant, to: Instant) -> HeartbeatStats {
        let offsets = self.log.borrow().offsets_between(from, to);
        HeartbeatStats::from_ticks(
            self.interval,
            to.saturating_duration_since(from),
            &offsets,
        )
    }
}

impl Drop for HeartbeatProbe {
    fn drop(&mut self) {
        if let Some(source) = self.source.take() {
            source.remove();
        }
    }
}
