//! The report's own fields: what the scenario found of each run, named and
//! shaped so that a run's `heartbeat`, `frames`, `input` and `work` read as
//! the report's common fields do, for that run alone.

use lesson_kit::{FrameStats, HeartbeatStats, Measured, Pressed, ms};
use serde::Serialize;
use std::time::{Duration, Instant};

/// What lesson 07 reports besides the common fields. The common `heartbeat`
/// and `frames` cover the four runs back to back, from the first click to
/// the end of the fourth run.
#[derive(Serialize)]
pub struct Details {
    /// Events each run makes: 200 per millisecond of `--work-ms`, from
    /// 50 000 to 1 000 000.
    pub events: u64,
    /// The capacity of the bounded and per-frame ways' channel.
    pub capacity: usize,
    /// Every event through an unbounded channel, each shown as it comes.
    pub naive: RunFindings,
    /// Every event through a bounded channel, each shown as it comes, with
    /// a turn of the main loop after each.
    pub bounded: RunFindings,
    /// The latest value in a slot, shown at most once per frame.
    pub coalesced: RunFindings,
    /// Every event through a bounded channel, applied in one batch per
    /// frame.
    pub per_frame: RunFindings,
    /// A coalesced run was still going when the window was hidden (unmapped,
    /// as when minimised, so that it paints no frame), and ended before it
    /// was shown again.
    pub coalesced_finished_while_hidden: bool,
    /// A last run (per frame) was still going when the scenario ended and
    /// the kit closed the window.
    pub run_in_progress_at_close: bool,
}

/// One run, from its click until the buttons came back.
#[derive(Serialize)]
pub struct RunFindings {
    /// Events the worker handed over: the table's "events".
    pub events_sent: u64,
    /// Events the window showed: the table's "shown".
    pub events_shown: u64,
    /// The most events waiting for the window, sampled every millisecond.
    pub max_queue_depth: usize,
    /// The peak of the process's resident memory (`VmRSS`) during the run,
    /// sampled every millisecond, less its value before the click, in MiB.
    pub memory_growth_mib: Option<f64>,
    /// From the click to the worker's last event.
    pub worker_ms: f64,
    /// From the worker's last event to the first frame that showed it.
    pub drain_ms: f64,
    /// The oldest event a painted frame showed, its age then: how far
    /// behind the worker the screen was at worst.
    pub max_lag_ms: f64,
    /// CPU time the main thread used during the run: the window's work.
    pub main_thread_cpu_ms: f64,
    /// The most heartbeat ticks between two painted frames: how many times
    /// in a row the main loop ran its default-priority timer while no frame
    /// was painted. A free window paints a frame every tick or two (a tick
    /// every 10 ms, a frame every 16.7 ms); a held main loop runs neither.
    pub most_ticks_between_frames: usize,
    /// The heartbeat over the run: how late a default-priority source ran.
    pub heartbeat: Gaps,
    /// The frames painted during the run.
    pub frames: Frames,
    /// The run's click: how long GTK took to dispatch it, and to paint its
    /// effect (the buttons greyed out).
    pub input: Input,
    /// How long the run took.
    pub work: Work,
}

/// The heartbeat over one run, as the report's common `heartbeat` sums it
/// up over the four.
#[derive(Serialize)]
pub struct Gaps {
    /// How many times the 10 ms timer ran.
    pub ticks: usize,
    /// The longest time between two ticks (or a tick and an end of the run).
    pub max_gap_ms: f64,
    pub p99_gap_ms: f64,
}

impl From<&HeartbeatStats> for Gaps {
    fn from(s: &HeartbeatStats) -> Self {
        let (ticks, max_gap_ms, p99_gap_ms) =
            (s.ticks, s.max_gap_ms, s.p99_gap_ms);
        Self { ticks, max_gap_ms, p99_gap_ms }
    }
}

/// The frames painted during one run, as the report's common `frames` sums
/// them up over the four.
#[derive(Serialize)]
pub struct Frames {
    pub count: usize,
    pub per_s: f64,
    /// The longest time between two frames (or a frame and an end of the
    /// run): the longest the screen stood still.
    pub max_interval_ms: f64,
    pub p99_interval_ms: f64,
}

impl From<&FrameStats> for Frames {
    fn from(s: &FrameStats) -> Self {
        let (count, per_s) = (s.count, s.per_s);
        let (max_interval_ms, p99_interval_ms) =
            (s.max_interval_ms, s.p99_interval_ms);
        Self { count, per_s, max_interval_ms, p99_interval_ms }
    }
}

/// One click, as the report's common `input` sums up many.
#[derive(Serialize)]
pub struct Input {
    /// Always 1: the click that started the run.
    pub clicks: usize,
    /// From the click to GTK dispatching it.
    pub to_handler_ms: Latency,
    /// From the click to the end of the first frame painted after its
    /// handler: `null` if none was.
    pub to_paint_ms: Latency,
}

/// The median and the worst, as in the common `input`: of one click, both
/// the same.
#[derive(Serialize)]
pub struct Latency {
    pub p50: Option<f64>,
    pub max: Option<f64>,
}

impl Input {
    /// `pressed`, whose effect was first painted at `painted`.
    pub fn of(pressed: &Pressed, painted: Option<Instant>) -> Self {
        let one = |value: Option<Duration>| {
            let value = value.map(ms);
            Latency { p50: value, max: value }
        };
        let to_paint =
            painted.map(|at| at.saturating_duration_since(pressed.sent));
        Self {
            clicks: 1,
            to_handler_ms: one(Some(pressed.waited())),
            to_paint_ms: one(to_paint),
        }
    }
}

/// The run's wall-clock time, as the common `work` gives the four runs'.
#[derive(Serialize)]
pub struct Work {
    /// From the click to the buttons coming back.
    pub wall_ms: f64,
}

/// The most heartbeat ticks between two consecutive frames of `measured`
/// (the span's start and end count as frames).
pub fn most_ticks_between_frames(measured: &Measured) -> usize {
    // Each timeline has one entry per tick or frame, then the span's end.
    let offsets = |timeline: &[[f64; 2]]| -> Vec<f64> {
        timeline.iter().map(|[offset, _]| *offset).collect()
    };
    let ticks = offsets(&measured.heartbeat.timeline);
    let ticks = &ticks[..ticks.len().saturating_sub(1)];
    let mut edges = vec![0.0];
    edges.extend(offsets(&measured.frames.timeline));
    let between = edges.windows(2).map(|pair| {
        let inside = |tick: &&f64| pair[0] < **tick && **tick <= pair[1];
        ticks.iter().filter(inside).count()
    });
    between.max().unwrap_or(0)
}
