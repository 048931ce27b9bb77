//! What lesson 09 reports besides the common fields: one struct per thing
//! the scenario looked at, each field documented, so that the JSON explains
//! itself and the chapter can name its fields.

use super::run::Fetch;
use super::watch::{Seen, Threads, number_before, word_after};
use crate::protocol::{Fnv1a, PAYLOAD_BYTES, payload};
use lesson_kit::{Pilot, Span, ms};
use serde::Serialize;

/// What lesson 09 reports besides the common fields. `work.wall_ms` is the
/// first fetch on the main loop; the common heartbeat and frames cover
/// everything from it to the end of the fetch on a thread: all but the
/// blocking fetch.
#[derive(Serialize)]
pub struct Details {
    /// The lesson's server, as the window described it.
    pub server: String,
    /// Whether gio can poll the stream of a socket connected the way Fetch
    /// connects: then it waits for the socket on the main loop, with no
    /// thread.
    pub pollable: bool,
    /// How long a fetch waits for the next bytes before it times out.
    pub timeout_ms: f64,
    /// Fetch: gio on the main loop, the server answering.
    pub fetch: Variant,
    /// Fetch again, with Cancel pressed a third of the way in.
    pub cancelled: Cancelled,
    /// Fetch, the server told to stall after a quarter of the payload.
    pub timed_out: Interrupted,
    /// Fetch, the server told to drop the connection half way.
    pub dropped: Interrupted,
    /// Fetch on a thread: std::net on a worker thread, the server
    /// answering.
    pub on_thread: Variant,
    /// Fetch on a thread again, with Cancel pressed a third of the way in:
    /// the main thread shuts the worker's socket down.
    pub cancelled_on_thread: Cancelled,
    /// Fetch, blocking: std::net in the click handler.
    pub blocking: Variant,
    /// A last fetch was running when the scenario ended and the kit closed
    /// the window.
    pub fetch_running_at_close: bool,
}

/// One whole fetch. Its `heartbeat`, `frames`, `input` and `work` have the
/// same shape as the report's own, for the book's summary.
#[derive(Serialize)]
pub struct Variant {
    /// The outcome line at the end.
    pub outcome: String,
    /// The bytes the outcome line says arrived.
    pub bytes: usize,
    /// All of the payload arrived, and the checksum the window computed
    /// over it is the payload's own (computed here, from the same
    /// generator), which is also the one the server sent.
    pub intact: bool,
    /// How many times the progress bar changed: the pieces as they came.
    pub progress_changes: usize,
    /// The process's threads just before the click.
    pub threads_before: usize,
    /// Threads seen at some change of the progress bar that were not there
    /// before the click: the threads the fetch started.
    pub threads_started: usize,
    /// Of those, the ones still there when the outcome showed.
    pub threads_left: usize,
    pub heartbeat: Gaps,
    pub frames: Frames,
    pub input: Input,
    pub work: Wall,
}

/// How late the main loop's heartbeat ran during the fetch.
#[derive(Serialize)]
pub struct Gaps {
    pub max_gap_ms: f64,
    pub p99_gap_ms: f64,
}

/// The frames painted during the fetch.
#[derive(Serialize)]
pub struct Frames {
    pub count: usize,
    pub per_s: f64,
    pub max_interval_ms: f64,
    pub p99_interval_ms: f64,
}

/// The click that started the fetch.
#[derive(Serialize)]
pub struct Input {
    /// From the click to its handler, and to the first frame painted after
    /// the handler returned (one click: its own figure, as `max`).
    pub to_handler_ms: Max,
    pub to_paint_ms: Max,
}

/// One click's figure, named as the report's figures over many clicks.
#[derive(Serialize)]
pub struct Max {
    /// `null` if no frame came.
    pub max: Option<f64>,
}

#[derive(Serialize)]
pub struct Wall {
    /// From GTK dispatching the click to the outcome line's verdict.
    pub wall_ms: f64,
}

impl Variant {
    pub fn of(pilot: &Pilot, seen: &Seen, fetch: &Fetch) -> Self {
        let span = Span { from: fetch.pressed.dispatched, to: fetch.ended.at };
        let changes = seen.progress.between(fetch.pressed.sent, span.to);
        let before = &fetch.threads_before;
        let new = |threads: &Threads| threads.difference(before).count();
        let started: Threads = changes
            .iter()
            .flat_map(|shown| shown.threads.difference(before).copied())
            .collect();
        let text = &fetch.ended.text;
        let bytes = number_before(text, "bytes").unwrap_or(0);
        let sum = word_after(text, "FNV-1a");
        let expected = format!("{:016x}", Fnv1a::of(&payload()).0);
        let measured = pilot.measure(span);
        Self {
            outcome: text.clone(),
            bytes,
            intact: bytes == PAYLOAD_BYTES
                && sum == Some(expected.as_str())
                && text.ends_with("intact."),
            progress_changes: changes.len(),
            threads_before: before.len(),
            threads_started: started.len(),
            threads_left: new(&fetch.ended.threads),
            heartbeat: Gaps {
                max_gap_ms: measured.heartbeat.max_gap_ms,
                p99_gap_ms: measured.heartbeat.p99_gap_ms,
            },
            frames: Frames {
                count: measured.frames.count,
                per_s: measured.frames.per_s,
                max_interval_ms: measured.frames.max_interval_ms,
                p99_interval_ms: measured.frames.p99_interval_ms,
            },
            input: Input {
                to_handler_ms: Max { max: Some(ms(fetch.pressed.waited())) },
                to_paint_ms: Max { max: pilot.to_paint_ms(&fetch.pressed) },
            },
            work: Wall { wall_ms: ms(span.to - span.from) },
        }
    }
}

/// A fetch cancelled part way.
#[derive(Serialize)]
pub struct Cancelled {
    /// The outcome line once the fetch had ended: "Cancelled after ...".
    pub outcome: String,
    /// The bytes the progress bar showed when Cancel's handler returned.
    pub received_at_cancel: usize,
    /// The bytes it showed once the fetch had ended: the same.
    pub received_at_end: usize,
    /// How many times the progress bar changed after Cancel: never for a
    /// future on the main loop; a worker's message already on its way may
    /// still show.
    pub progress_changes_after_cancel: usize,
    /// From GTK dispatching the click on Cancel to the outcome line.
    pub cancel_to_end_ms: f64,
}

/// A fetch the server cut short, by stalling or by dropping the
/// connection.
#[derive(Serialize)]
pub struct Interrupted {
    /// The outcome line at the end: the error the window showed.
    pub outcome: String,
    /// The bytes the progress bar showed last.
    pub received: usize,
    /// From the last change of the progress bar to the outcome line.
    pub silence_ms: f64,
    /// The main loop and the screen over the whole fetch.
    pub heartbeat_max_gap_ms: f64,
    pub frames_per_s: f64,
    pub frames_max_interval_ms: f64,
}

impl Interrupted {
    pub fn of(pilot: &Pilot, seen: &Seen, fetch: &Fetch) -> Self {
        let ended = &fetch.ended;
        let last = seen.progress.at(ended.at);
        let from = last.at.max(fetch.pressed.handled);
        let whole = pilot
            .measure(Span { from: fetch.pressed.dispatched, to: ended.at });
        Self {
            outcome: ended.text.clone(),
            received: super::watch::received(&last.text),
            silence_ms: ms(ended.at - from),
            heartbeat_max_gap_ms: whole.heartbeat.max_gap_ms,
            frames_per_s: whole.frames.per_s,
            frames_max_interval_ms: whole.frames.max_interval_ms,
        }
    }
}
