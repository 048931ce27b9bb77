//! The maths behind the heartbeat probe: from the instants at which a periodic
//! main-loop timer actually ran, how long was the main loop unable to run
//! anything?

use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Heartbeat statistics over one window of time.
///
/// A *gap* is the time between two consecutive ticks (and, at the edges,
/// between the window's start and the first tick, and the last tick and the
/// window's end). While the main loop is free, gaps stay close to
/// `interval_ms`; a gap of five seconds means five seconds in which no timer,
/// no redraw and no click could be handled.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HeartbeatStats {
    pub interval_ms: f64,
    pub ticks: usize,
    pub max_gap_ms: f64,
    pub p99_gap_ms: f64,
    /// `[offset_ms, gap_ms]` for each gap, ending at `offset_ms` after the
    /// window's start: the series the book's charts draw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<[f64; 2]>,
}

impl HeartbeatStats {
    /// Statistics for a window of length `window` in which the timer ran at the
    /// given offsets from the window's start. Offsets outside the window are
    /// ignored; order does not matter.
    pub fn from_ticks(
        interval: Duration,
        window: Duration,
        ticks: &[Duration],
    ) -> Self {
        let mut inside: Vec<Duration> =
            ticks.iter().copied().filter(|t| *t <= window).collect();
        inside.sort_unstable();

        let mut timeline = Vec::with_capacity(inside.len() + 1);
        let mut previous = Duration::ZERO;
        for &tick in inside.iter().chain(std::iter::once(&window)) {
            timeline.push([crate::ms(tick), crate::ms(tick - previous)]);
            previous = tick;
        }
        let gaps: Vec<f64> = timeline.iter().map(|[_, gap]| *gap).collect();

        Self {
            interval_ms: crate::ms(interval),
            ticks: inside.len(),
            max_gap_ms: gaps.iter().copied().fold(0.0, f64::max),
            p99_gap_ms: percentile(&gaps, 99.0),
            timeline,
        }
    }

    /// Where the `n` longest gaps fell, longest first, each as "the gap in
    /// ms @ the offset in ms at which it began": for a failing test's
    /// message, which then says which step of the scenario stalled.
    pub fn longest(&self, n: usize) -> String {
        let mut gaps = self.timeline.clone();
        gaps.sort_unstable_by(|a, b| b[1].total_cmp(&a[1]));
        let shown: Vec<String> = gaps
            .iter()
            .take(n)
            .map(|[end, gap]| format!("{gap:.1} ms @ {:.0} ms", end - gap))
            .collect();
        shown.join(", ")
    }
}

/// The nearest-rank percentile (`pct` in 0..=100) of `values`: the smallest
/// value such that at least `pct` percent of the values are less than or equal
/// to it. Zero for no values.
pub fn percentile(values: &[f64], pct: f64) -> f64 {
    if values.is_empty() {
        return 0.0;
    }
    let mut sorted = values.to_vec();
    sorted.sort_unstable_by(f64::total_cmp);
    let rank = ((pct / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    #[test]
    fn steady_ticks_give_gaps_of_one_interval() {
        let ticks: Vec<Duration> = (1..=100).map(|i| ms(10 * i)).collect();
        let stats = HeartbeatStats::from_ticks(ms(10), ms(1000), &ticks);
        assert_eq!(stats.ticks, 100);
        assert_eq!(stats.interval_ms, 10.0);
        assert_eq!(stats.max_gap_ms, 10.0);
        assert_eq!(stats.p99_gap_ms, 10.0);
        // 100 gaps up to the last tick, plus the empty one from the last tick
        // to the window's end.
        assert_eq!(stats.timeline.len(), 101);
        assert_eq!(stats.timeline[0], [10.0, 10.0]);
    }

    #[test]
    fn one_stall_is_the_max_gap_but_not_the_p99() {
        // Ticks every 10 ms, except one stall of 500 ms between 300 and 800.
        let mut ticks: Vec<Duration> = (1..=30).map(|i| ms(10 * i)).collect();
        ticks.extend((80..=300).map(|i| ms(10 * i)));
        let stats = HeartbeatStats::from_ticks(ms(10), ms(3000), &ticks);
        assert_eq!(stats.max_gap_ms, 500.0);
        assert_eq!(
            stats.p99_gap_ms, 10.0,
            "one gap in ~250 is below the 99th percentile"
        );
    }

    #[test]
    fn a_stall_still_open_at_the_window_end_counts() {
        let ticks = [ms(10), ms(20)];
        let stats = HeartbeatStats::from_ticks(ms(10), ms(2020), &ticks);
        assert_eq!(stats.max_gap_ms, 2000.0);
        assert_eq!(stats.timeline.last(), Some(&[2020.0, 2000.0]));
    }

    #[test]
    fn the_longest_gaps_say_where_they_began() {
        let ticks = [ms(10), ms(20), ms(95), ms(105), ms(140)];
        let stats = HeartbeatStats::from_ticks(ms(10), ms(150), &ticks);
        assert_eq!(stats.longest(2), "75.0 ms @ 20 ms, 35.0 ms @ 105 ms");
        assert_eq!(stats.longest(0), "");
    }

    #[test]
    fn no_ticks_means_the_whole_window_was_one_gap() {
        let stats = HeartbeatStats::from_ticks(ms(10), ms(750), &[]);
        assert_eq!(stats.ticks, 0);
        assert_eq!(stats.max_gap_ms, 750.0);
        assert_eq!(stats.p99_gap_ms, 750.0);
    }

    #[test]
    fn ticks_are_sorted_and_clipped_to_the_window() {
        let ticks = [ms(30), ms(10), ms(20), ms(5000)];
        let stats = HeartbeatStats::from_ticks(ms(10), ms(40), &ticks);
        assert_eq!(stats.ticks, 3);
        assert_eq!(stats.max_gap_ms, 10.0);
    }

    #[test]
    fn percentile_uses_nearest_rank() {
        let values: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&values, 99.0), 99.0);
        assert_eq!(percentile(&values, 100.0), 100.0);
        assert_eq!(percentile(&values, 50.0), 50.0);
        assert_eq!(percentile(&values, 0.0), 1.0);
        assert_eq!(percentile(&[7.0], 99.0), 7.0);
        assert_eq!(percentile(&[], 99.0), 0.0);
        // Ten values: the 99th percentile is the largest, since 99% of 10
        // rounds up to all 10.
        let ten: Vec<f64> = (1..=10).map(f64::from).collect();
        assert_eq!(percentile(&ten, 99.0), 10.0);
    }
}
