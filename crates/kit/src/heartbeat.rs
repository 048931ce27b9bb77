//! The heartbeat probe: a short main-loop timer that notes when it actually ran. A free main
//! loop runs it every `interval`; a blocked one cannot, and the gap between two ticks is exactly
//! how long nothing else (no redraw, no click, no timer) could run either.

use lesson_report::HeartbeatStats;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How often the probe asks to run. Short enough to resolve a 20 ms chunk of work, long enough
/// that its own cost does not show.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_millis(10);

pub struct HeartbeatProbe {
    interval: Duration,
    started: Instant,
    ticks: Rc<RefCell<Vec<Instant>>>,
    source: RefCell<Option<glib::SourceId>>,
}

impl HeartbeatProbe {
    // ANCHOR: probe
    /// Starts sampling the thread-default main context (the main loop, on the main thread).
    pub fn start(interval: Duration) -> Self {
        let ticks = Rc::new(RefCell::new(Vec::with_capacity(4096)));
        let source = glib::timeout_add_local(
            interval,
            glib::clone!(
                #[strong]
                ticks,
                move || {
                    ticks.borrow_mut().push(Instant::now());
                    glib::ControlFlow::Continue
                }
            ),
        );
        Self { interval, started: Instant::now(), ticks, source: RefCell::new(Some(source)) }
    }
    // ANCHOR_END: probe

    /// How long the probe has been running.
    pub fn age(&self) -> Duration {
        self.started.elapsed()
    }

    /// Statistics over `from..to`, counting a stall that is still open at `to`.
    pub fn stats_between(&self, from: Instant, to: Instant) -> HeartbeatStats {
        let offsets: Vec<Duration> = self
            .ticks
            .borrow()
            .iter()
            .filter(|t| **t >= from)
            .map(|t| t.duration_since(from))
            .collect();
        HeartbeatStats::from_ticks(self.interval, to.saturating_duration_since(from), &offsets)
    }
}

impl Drop for HeartbeatProbe {
    fn drop(&mut self) {
        if let Some(source) = self.source.take() {
            source.remove();
        }
    }
}
