//! What lesson 07's autopilot reports besides the common fields: the run's settings and one
//! set of figures per strategy, each field documented, so the JSON explains itself.

use crate::RunResult;
use lesson_kit::ms;
use serde::Serialize;

/// What lesson 07 reports besides the common fields. The common `heartbeat` and `work.wall_ms`
/// cover the three runs back to back, from the first press to the end of the last run.
#[derive(Serialize)]
pub struct Details {
    /// Events each run makes: 200 per millisecond of `--work-ms`, from 50 000 to 1 000 000.
    pub events: u64,
    /// The bounded channel's capacity.
    pub bounded_capacity: usize,
    /// Every event through an unbounded channel, each one shown.
    pub naive: RunFindings,
    /// Every event through a bounded channel, each one shown.
    pub bounded: RunFindings,
    /// The latest value in a slot, shown at most once per frame.
    pub coalesced: RunFindings,
    /// A coalesced run started and finished while the window was hidden (unmapped, as when
    /// minimised), when its frame clock does not tick.
    pub coalesced_finished_while_hidden: bool,
    /// A last run (bounded) was still going when the scenario ended and the kit closed the
    /// window.
    pub run_in_progress_at_close: bool,
}

/// One strategy's run, from its press to the moment both the worker and the window were done.
#[derive(Serialize)]
pub struct RunFindings {
    /// Events the worker made and handed over.
    pub events_sent: u64,
    /// Events the window showed (one label and one progress-bar update each).
    pub ui_updates: u64,
    /// The most events waiting for the window at once, read by the worker after each hand-over.
    pub max_queue_depth: usize,
    /// Peak minus starting resident memory (VmRSS, sampled by the worker every 1024 events and
    /// at its end), in MiB.
    pub memory_growth_mib: Option<f64>,
    /// The main loop's longest stall during the run, from the heartbeat probe.
    pub heartbeat_max_gap_ms: f64,
    pub heartbeat_p99_gap_ms: f64,
    /// From the worker's first event to its last hand-over.
    pub worker_wall_ms: f64,
    /// From the worker's last hand-over to the window showing its last update.
    pub drain_ms: f64,
    /// The oldest an event was when the window showed it.
    pub max_lag_ms: f64,
    /// Time the main loop spent in the updates themselves.
    pub ui_busy_ms: f64,
    /// From the press to the end of the run.
    pub run_wall_ms: f64,
    /// Frames the window's frame clock ran during the run: the only moments a user could see
    /// anything change.
    pub frames: u64,
}

impl RunFindings {
    pub fn new(result: &RunResult, heartbeat: &lesson_kit::HeartbeatStats) -> Self {
        Self {
            events_sent: result.events_sent,
            ui_updates: result.ui_updates,
            max_queue_depth: result.max_queue_depth,
            memory_growth_mib: result
                .memory_growth_kib
                .map(|kib| (kib as f64 / 1024.0 * 10.0).round() / 10.0),
            heartbeat_max_gap_ms: heartbeat.max_gap_ms,
            heartbeat_p99_gap_ms: heartbeat.p99_gap_ms,
            worker_wall_ms: ms(result.worker_wall),
            drain_ms: ms(result.drain),
            max_lag_ms: ms(result.max_lag),
            ui_busy_ms: ms(result.ui_busy),
            run_wall_ms: ms(result.run_wall),
            frames: result.frames,
        }
    }
}
