//! Painted frames: what a person at the window sees change. The kit notes,
//! for each cycle of the window's frame clock, when it started and how long it
//! took to lay out and paint; this is the maths over one window of time, the
//! same window as the heartbeat's.

use crate::heartbeat::percentile;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Frames over one window of time.
///
/// An *interval* is the time between the starts of two frames (and, at the
/// edges, between the window's start and the first frame, and the last frame
/// and the window's end): how long the window waited for its next chance to
/// change on the screen. The kit keeps the window's frame clock running while
/// it measures, so a free window paints about 60 frames a second (intervals of
/// 16.7 ms); a frame interval of five seconds means five seconds in which
/// nothing on the screen could change. How long each frame then took to update,
/// lay out and paint is `took_*`: the window's own cost, beside the wait.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameStats {
    pub count: usize,
    pub per_s: f64,
    pub max_interval_ms: f64,
    pub p99_interval_ms: f64,
    /// How long a frame took, from its start to the end of its painting
    /// (99th percentile, nearest rank, and longest).
    pub took_p99_ms: f64,
    pub took_max_ms: f64,
    /// `[offset_ms, interval_ms]` for each interval, ending at `offset_ms`
    /// after the window's start: the series the book's charts draw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<[f64; 2]>,
}

/// One cycle of the frame clock: when it started, as an offset from the start
/// of the window of time, and how long it took until its painting ended.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Frame {
    pub start: Duration,
    pub took: Duration,
}

impl FrameStats {
    /// Statistics for a window of length `window` in which the given frames
    /// started. Frames starting outside the window are ignored; order does not
    /// matter.
    pub fn from_frames(window: Duration, frames: &[Frame]) -> Self {
        let mut inside: Vec<Frame> =
            frames.iter().copied().filter(|f| f.start <= window).collect();
        inside.sort_unstable_by_key(|f| f.start);
        let mut timeline = Vec::with_capacity(inside.len() + 1);
        let mut previous = Duration::ZERO;
        let starts = inside.iter().map(|f| f.start);
        for start in starts.chain(std::iter::once(window)) {
            timeline.push([crate::ms(start), crate::ms(start - previous)]);
            previous = start;
        }
        let intervals: Vec<f64> =
            timeline.iter().map(|[_, interval]| *interval).collect();
        let took: Vec<f64> = inside.iter().map(|f| crate::ms(f.took)).collect();
        let seconds = window.as_secs_f64();
        Self {
            count: inside.len(),
            per_s: if seconds > 0.0 {
                round1(inside.len() as f64 / seconds)
            } else {
                0.0
            },
            max_interval_ms: intervals.iter().copied().fold(0.0, f64::max),
            p99_interval_ms: percentile(&intervals, 99.0),
            took_p99_ms: percentile(&took, 99.0),
            took_max_ms: took.iter().copied().fold(0.0, f64::max),
            timeline,
        }
    }
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(n: u64) -> Duration {
        Duration::from_millis(n)
    }

    /// Frames starting at `starts`, each taking `took`.
    fn frames(
        starts: impl IntoIterator<Item = Duration>,
        took: Duration,
    ) -> Vec<Frame> {
        starts.into_iter().map(|start| Frame { start, took }).collect()
    }

    #[test]
    fn a_free_window_paints_sixty_frames_a_second() {
        let starts = (1..=60).map(|i| Duration::from_micros(16_660 * i));
        let stats = FrameStats::from_frames(ms(1000), &frames(starts, ms(1)));
        assert_eq!(stats.count, 60);
        assert_eq!(stats.per_s, 60.0);
        assert!(stats.max_interval_ms < 16.8, "{}", stats.max_interval_ms);
    }

    #[test]
    fn a_freeze_is_one_long_interval() {
        let mut starts: Vec<Duration> = (1..=10).map(|i| ms(17 * i)).collect();
        starts.extend((0..10).map(|i| ms(2170 + 17 * i)));
        let stats = FrameStats::from_frames(ms(2400), &frames(starts, ms(1)));
        assert_eq!(stats.max_interval_ms, 2000.0);
        assert_eq!(stats.count, 20);
    }

    #[test]
    fn no_frame_at_all_is_one_interval_as_long_as_the_window() {
        let stats = FrameStats::from_frames(ms(1500), &[]);
        assert_eq!((stats.count, stats.per_s), (0, 0.0));
        assert_eq!(stats.max_interval_ms, 1500.0);
        assert_eq!((stats.took_p99_ms, stats.took_max_ms), (0.0, 0.0));
    }

    /// A frame that paints for 10 ms inside its 16.7 ms slot does not move the
    /// next frame's start: the intervals stay one period, and the cost shows
    /// in `took_*` instead.
    #[test]
    fn a_slow_paint_within_its_slot_is_its_cost_not_a_wait() {
        let mut all =
            frames((1..=60).map(|i| Duration::from_micros(16_660 * i)), ms(1));
        all[30].took = ms(10);
        let stats = FrameStats::from_frames(ms(1000), &all);
        assert!(stats.max_interval_ms < 16.8, "{}", stats.max_interval_ms);
        assert_eq!((stats.took_max_ms, stats.took_p99_ms), (10.0, 10.0));
    }
}
