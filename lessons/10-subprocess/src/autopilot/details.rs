//! What lesson 10 reports besides the common fields, each field documented
//! where it is declared.

use lesson_kit::{
    FrameStats, HeartbeatStats, InputStats, Measured, Pilot, Span, Work, ms,
};
use serde::Serialize;
use std::time::Duration;

/// What lesson 10 reports besides the common fields.
#[derive(Serialize)]
pub struct Details {
    /// What every child was asked to do.
    pub child: Settings,
    /// A run to its end, its lines streamed into the window.
    pub streamed: Streamed,
    /// A run stopped by Stop: SIGTERM, and the child ends.
    pub polite_stop: Stopped,
    /// A stubborn run stopped by Stop: the child ignores SIGTERM, and
    /// SIGKILL follows after the grace period.
    pub forced_stop: Stopped,
    /// A child that aborts, and a run after it.
    pub crash: Crash,
    /// The same child run with `Command::output()` in the click handler.
    pub blocking: Blocking,
    /// gio can poll the child's stdout pipe: it reads it on the main loop,
    /// with no thread (a pipe of the scenario's own child, asked directly).
    pub stdout_pollable: bool,
    /// A stubborn child was running when the scenario ended, so that the
    /// window closed with it alive.
    pub running_at_close: bool,
    /// The process id of every child the window named, for the tests to
    /// check that none is left once the lesson has exited.
    pub child_pids: Vec<u32>,
    /// The report's common fields again, over the same span, with only the
    /// clicks made in it: the book's summary reads the lesson's row here.
    pub pattern: Pattern,
}

/// Steps 1 to 4, the report's span, in the shape of the report's common
/// fields. The report's own `input` also counts Run blocking!'s click (step
/// 6), which freezes the window on purpose; this one does not.
#[derive(Serialize)]
pub struct Pattern {
    pub heartbeat: HeartbeatStats,
    pub frames: FrameStats,
    pub input: InputStats,
    pub work: Work,
}

impl Pattern {
    pub fn of(pilot: &Pilot, span: Span, work_wall: Duration) -> Self {
        let Measured { mut heartbeat, mut frames } = pilot.measure(span);
        // The report's own carry the timelines the charts draw.
        heartbeat.timeline.clear();
        frames.timeline.clear();
        let input = pilot.input_during(span);
        Self { heartbeat, frames, input, work: Work { wall_ms: ms(work_wall) } }
    }
}

/// What every child was asked to do.
#[derive(Serialize)]
pub struct Settings {
    /// Lines in a whole run.
    pub lines: u32,
    /// One line every `pace_ms`: the whole run takes `--work-ms`.
    pub pace_ms: f64,
    /// How long Stop leaves a child after SIGTERM before SIGKILL.
    pub grace_ms: f64,
    /// Run crashing's child aborts after this line.
    pub crash_after: u32,
}

/// The main loop and the frames over a stretch of the run.
#[derive(Serialize)]
pub struct Stretch {
    /// The longest the main loop went without running its heartbeat.
    pub heartbeat_max_gap_ms: f64,
    /// Frames painted.
    pub frames: usize,
    pub frames_per_s: f64,
}

impl Stretch {
    pub fn of(pilot: &Pilot, span: Span) -> Self {
        let measured = pilot.measure(span);
        Self {
            heartbeat_max_gap_ms: measured.heartbeat.max_gap_ms,
            frames: measured.frames.count,
            frames_per_s: measured.frames.per_s,
        }
    }
}

/// A run to its end, as the window showed it.
#[derive(Serialize)]
pub struct Streamed {
    /// The lines the window counted at the end.
    pub lines: u32,
    /// How many different counts of lines the window showed while the
    /// child ran: one per line, if each came in as the child printed it.
    pub counts_shown: usize,
    /// How long Run's click handler ran, most of it starting the child:
    /// gio returns only once the child has started the new program.
    pub start_ms: f64,
    /// From Run's click to the window showing the first line.
    pub first_line_ms: f64,
    /// The lines the window showed half way from Run's click to the end.
    pub lines_at_half: u32,
    /// From Run's click to the window showing the exit status.
    pub took_ms: f64,
    /// The last line of the child's output the window showed.
    pub last_line: String,
    /// The line about the child at the end.
    pub outcome: String,
    /// From Run's click to the end.
    pub stretch: Stretch,
}

/// A run stopped by Stop, as the window showed it.
#[derive(Serialize)]
pub struct Stopped {
    /// The lines the window counted when Stop's handler returned.
    pub lines_at_stop: u32,
    /// The lines it counted at the end, the child's answer to SIGTERM
    /// included.
    pub lines_at_end: u32,
    /// The child's line that answered SIGTERM.
    pub answer: String,
    /// From Stop's click to the window saying that the child was gone.
    pub stop_to_end_ms: f64,
    /// The line about the child at the end.
    pub outcome: String,
    /// From Stop's click to the end.
    pub stretch: Stretch,
}

/// A child that aborted, and what the application did next.
#[derive(Serialize)]
pub struct Crash {
    /// The line about the child once it had crashed.
    pub outcome: String,
    /// That line was styled as an error.
    pub shown_as_error: bool,
    /// The lines the window counted before the crash.
    pub lines: u32,
    /// The line about the child after a whole run started after the crash.
    pub next_run: String,
    /// From the crash shown to the end of that next run.
    pub after: Stretch,
}

/// The same child, run with `Command::output()` in the click handler.
#[derive(Serialize)]
pub struct Blocking {
    /// How long the click handler ran: the child's whole run.
    pub handler_ms: f64,
    /// The longest the main loop went without running its heartbeat,
    /// meanwhile: all of it.
    pub heartbeat_max_gap_ms: f64,
    /// Heartbeat ticks meanwhile: none.
    pub heartbeat_ticks: usize,
    /// Frames painted meanwhile: none, so no line could show.
    pub frames_painted: usize,
    /// The lines the window counted at the end, shown all at once.
    pub lines: u32,
    /// The line about the child at the end.
    pub outcome: String,
}
