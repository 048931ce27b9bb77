//! The heartbeat probe: a short main-loop timer that notes when it actually ran. A free main
//! loop runs it every `interval`; a blocked one cannot, and the gap between two ticks is exactly
//! how long nothing else (no redraw, no click, no timer) could run either.

use lesson_report::HeartbeatStats;
use std::cell::RefCell;
use std::collections::VecDeque;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How often the probe asks to run. Short enough to resolve a 20 ms chunk of work, long enough
/// that its own cost does not show.
pub const HEARTBEAT_INTERVAL: Duration = Duration::from_millis(10);

/// How far back the probe always remembers: what the window's stall readout looks at.
pub(crate) const RECENT: Duration = Duration::from_secs(5);

pub struct HeartbeatProbe {
    interval: Duration,
    started: Instant,
    log: Rc<RefCell<TickLog>>,
    source: RefCell<Option<glib::SourceId>>,
}

impl HeartbeatProbe {
    // ANCHOR: probe
    /// Starts sampling the thread-default main context (the main loop, on the main thread).
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
        Self { interval, started: Instant::now(), log, source: RefCell::new(Some(source)) }
    }
    // ANCHOR_END: probe

    /// How long the probe has been running.
    pub fn age(&self) -> Duration {
        self.started.elapsed()
    }

    /// Keeps every tick from `from` on, not only the recent ones: an autopilot measures spans
    /// that start long before they end. It is bounded too, since every autopilot run is.
    pub(crate) fn keep_from(&self, from: Instant) {
        self.log.borrow_mut().keep_from(from);
    }

    /// Statistics over `from..to`, counting a stall that is still open at `to`. Only the ticks
    /// the probe kept count: the last [`RECENT`], and all of them since [`Self::keep_from`].
    pub fn stats_between(&self, from: Instant, to: Instant) -> HeartbeatStats {
        let offsets = self.log.borrow().offsets_since(from);
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

/// The instants the probe ran at, oldest first. A window left open for a day must not keep a
/// day of ticks (a hundred a second) nor scan them every second: the log forgets what is older
/// than `recent`, unless an autopilot asked it to keep everything from some instant on.
pub(crate) struct TickLog {
    ticks: VecDeque<Instant>,
    recent: Duration,
    kept_from: Option<Instant>,
}

impl TickLog {
    pub(crate) fn new(recent: Duration) -> Self {
        Self { ticks: VecDeque::with_capacity(1024), recent, kept_from: None }
    }

    pub(crate) fn push(&mut self, at: Instant) {
        self.ticks.push_back(at);
        let recent = at.checked_sub(self.recent).unwrap_or(at);
        let horizon = self.kept_from.map_or(recent, |kept| kept.min(recent));
        while self.ticks.front().is_some_and(|oldest| *oldest < horizon) {
            self.ticks.pop_front();
        }
    }

    pub(crate) fn keep_from(&mut self, from: Instant) {
        self.kept_from = Some(self.kept_from.map_or(from, |kept| kept.min(from)));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.ticks.len()
    }

    pub(crate) fn offsets_since(&self, from: Instant) -> Vec<Duration> {
        self.ticks.iter().filter(|t| **t >= from).map(|t| t.duration_since(from)).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOUR: u32 = 360_000; // ticks of 10 ms

    #[test]
    fn a_window_left_open_for_an_hour_keeps_only_the_recent_ticks() {
        let start = Instant::now();
        let mut log = TickLog::new(RECENT);
        let mut most = 0;
        for n in 0..HOUR {
            log.push(start + HEARTBEAT_INTERVAL * n);
            most = most.max(log.len());
        }
        // What the stall readout scans each second stays the same size all hour long.
        let bound = (RECENT.as_millis() / HEARTBEAT_INTERVAL.as_millis()) as usize + 1;
        assert!(most <= bound, "the log held {most} ticks, more than {bound}");
        let last = start + HEARTBEAT_INTERVAL * (HOUR - 1);
        assert_eq!(log.offsets_since(last - RECENT).len(), bound);
    }

    #[test]
    fn an_autopilot_span_keeps_every_tick_from_its_start() {
        let start = Instant::now();
        let mut log = TickLog::new(RECENT);
        for n in 0..1000 {
            log.push(start + HEARTBEAT_INTERVAL * n);
        }
        let span = start + HEARTBEAT_INTERVAL * 1000;
        log.keep_from(span);
        for n in 1000..5000 {
            log.push(start + HEARTBEAT_INTERVAL * n);
        }
        assert_eq!(log.offsets_since(span).len(), 4000, "a tick of the span was forgotten");
        assert_eq!(log.len(), 4000, "ticks before the span and the recent window were kept");
    }
}
