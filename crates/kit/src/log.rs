//! The instants a probe noted, oldest first, kept for as long as someone may
//! ask about them.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How far back a probe always remembers: what the window's readout and graph
/// show.
pub(crate) const RECENT: Duration = Duration::from_secs(5);

/// The instants a probe noted, oldest first. A window left open for a day must
/// not keep a day of ticks (a hundred a second) nor scan them every second: the
/// log forgets what is older than `recent`, unless an autopilot asked it to
/// keep everything from some instant on.
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
        self.kept_from =
            Some(self.kept_from.map_or(from, |kept| kept.min(from)));
    }

    #[cfg(test)]
    fn len(&self) -> usize {
        self.ticks.len()
    }

    /// The instants in `from..=to`, as offsets from `from`.
    pub(crate) fn offsets_between(
        &self,
        from: Instant,
        to: Instant,
    ) -> Vec<Duration> {
        let inside = self.ticks.iter().filter(|t| **t >= from && **t <= to);
        inside.map(|t| t.duration_since(from)).collect()
    }

    /// The first instant at or after `at`, if there is one yet.
    pub(crate) fn first_from(&self, at: Instant) -> Option<Instant> {
        self.ticks.iter().find(|t| **t >= at).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::HEARTBEAT_INTERVAL;

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
        // What the stall readout scans each second stays the same size all hour
        // long.
        let bound =
            (RECENT.as_millis() / HEARTBEAT_INTERVAL.as_millis()) as usize + 1;
        assert!(most <= bound, "the log held {most} ticks, more than {bound}");
        let last = start + HEARTBEAT_INTERVAL * (HOUR - 1);
        assert_eq!(log.offsets_between(last - RECENT, last).len(), bound);
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
        let end = start + HEARTBEAT_INTERVAL * 5000;
        assert_eq!(
            log.offsets_between(span, end).len(),
            4000,
            "a tick of the span was lost"
        );
        assert_eq!(
            log.len(),
            4000,
            "ticks before the span and the recent window were kept"
        );
    }
}
