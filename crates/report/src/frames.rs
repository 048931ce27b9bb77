//! Painted frames: what a person at the window sees change. The kit notes the
//! moment each frame finished painting; this is the maths over one window of
//! time, the same window as the heartbeat's.

use crate::heartbeat::percentile;
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// Frames painted over one window of time.
///
/// An *interval* is the time between two painted frames (and, at the edges,
/// between the window's start and the first frame, and the last frame and the
/// window's end). The kit keeps the window's frame clock running while it
/// measures, so a free window paints about 60 frames a second (intervals of
/// 16.7 ms); a frame interval of five seconds means five seconds in which
/// nothing on the screen could change.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FrameStats {
    pub count: usize,
    pub per_s: f64,
    pub max_interval_ms: f64,
    pub p99_interval_ms: f64,
    /// `[offset_ms, interval_ms]` for each interval, ending at `offset_ms`
    /// after the window's start: the series the book's charts draw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub timeline: Vec<[f64; 2]>,
}

impl FrameStats {
    /// Statistics for a window of length `window` in which frames finished
    /// painting at the given offsets from its start. Offsets outside the window
    /// are ignored; order does not matter.
    pub fn from_paints(window: Duration, paints: &[Duration]) -> Self {
        let mut inside: Vec<Duration> =
            paints.iter().copied().filter(|t| *t <= window).collect();
        inside.sort_unstable();
        let mut timeline = Vec::with_capacity(inside.len() + 1);
        let mut previous = Duration::ZERO;
        for &paint in inside.iter().chain(std::iter::once(&window)) {
            timeline.push([crate::ms(paint), crate::ms(paint - previous)]);
            previous = paint;
        }
        let intervals: Vec<f64> =
            timeline.iter().map(|[_, interval]| *interval).collect();
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

    #[test]
    fn a_free_window_paints_sixty_frames_a_second() {
        let paints: Vec<Duration> =
            (1..=60).map(|i| Duration::from_micros(16_660 * i)).collect();
        let stats = FrameStats::from_paints(ms(1000), &paints);
        assert_eq!(stats.count, 60);
        assert_eq!(stats.per_s, 60.0);
        assert!(stats.max_interval_ms < 16.8, "{}", stats.max_interval_ms);
    }

    #[test]
    fn a_freeze_is_one_long_interval() {
        let mut paints: Vec<Duration> = (1..=10).map(|i| ms(17 * i)).collect();
        paints.extend((0..10).map(|i| ms(2170 + 17 * i)));
        let stats = FrameStats::from_paints(ms(2400), &paints);
        assert_eq!(stats.max_interval_ms, 2000.0);
        assert_eq!(stats.count, 20);
    }

    #[test]
    fn no_frame_at_all_is_one_interval_as_long_as_the_window() {
        let stats = FrameStats::from_paints(ms(1500), &[]);
        assert_eq!((stats.count, stats.per_s), (0, 0.0));
        assert_eq!(stats.max_interval_ms, 1500.0);
    }
}
