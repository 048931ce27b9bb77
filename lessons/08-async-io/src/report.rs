//! What lesson 08's autopilot reports besides the common fields: one struct per thing it
//! measured, each field documented, so the JSON explains itself and the chapter can name them.

use crate::meter::Meter;
use crate::{MIB, ReadRecord};
use lesson_kit::{HeartbeatStats, ms};
use serde::Serialize;
use std::time::Duration;

/// What lesson 08 reports besides the common fields. `work.wall_ms` is the whole read at the slow
/// disk's pace; the common heartbeat covers everything from that read to the checksum's end.
#[derive(Serialize)]
pub struct Details {
    /// The file the lesson wrote, in a temporary directory of its own that shutdown removes.
    pub file: FileFigures,
    /// Writing the file at start-up, with gio's async writes from a future on the main loop.
    pub generate: TaskFigures,
    /// The whole file, read at the slow disk's pace: `--work-ms` for all its chunks.
    pub read: ReadFigures,
    /// The whole file again, read as fast as gio delivers it.
    pub full_speed_read: ReadFigures,
    /// The second slow read ended as cancelled (not failed) after Cancel was pressed.
    pub second_read_cancelled: bool,
    /// How that read ended: "cancelled".
    pub second_read_outcome: &'static str,
    /// The bytes it had delivered when Cancel was pressed.
    pub second_read_bytes_at_cancel: u64,
    /// The bytes it delivered after Cancel was pressed: none.
    pub second_read_bytes_after_cancel: u64,
    /// From pressing Cancel to the read's future having ended.
    pub cancel_to_finished_ms: f64,
    /// The Sleep button's timer future.
    pub timer: TimerFigures,
    /// The Checksum button's blocking job on gio's pool.
    pub spawn_blocking: JobFigures,
    /// The same job once more, with Cancel pressed right after Checksum.
    pub cancelled_job: CancelledJobFigures,
    /// A third read was running when the scenario ended and the kit closed the window.
    pub read_running_at_close: bool,
}

#[derive(Serialize)]
pub struct FileFigures {
    /// Where the file was: the directory must be gone once the lesson has exited.
    pub path: String,
    /// The file's size.
    pub bytes: u64,
    /// How much each read or write asks for: the file is this many `chunks`.
    pub chunk_bytes: usize,
    /// How many chunks make the file.
    pub chunks: u32,
    /// Whether gio can poll the file's stream from the main loop. A regular file's cannot, so gio
    /// runs each async read on its own thread pool.
    pub pollable: bool,
}

/// How a task on the main loop spent its time.
#[derive(Serialize)]
pub struct TaskFigures {
    /// From its start to its end.
    pub wall_ms: f64,
    /// How many times the main loop polled it.
    pub polls: u32,
    /// The main loop's time inside it, all polls together.
    pub main_loop_busy_ms: f64,
    /// The longest the task held the main loop in one go.
    pub longest_poll_ms: f64,
}

impl TaskFigures {
    pub fn new(wall: Duration, meter: Meter) -> Self {
        Self {
            wall_ms: ms(wall),
            polls: meter.polls,
            main_loop_busy_ms: ms(meter.busy),
            longest_poll_ms: ms(meter.longest),
        }
    }
}

#[derive(Serialize)]
pub struct ReadFigures {
    /// How the read ended.
    pub outcome: &'static str,
    /// The bytes it delivered.
    pub bytes: u64,
    /// The chunks it delivered.
    pub chunks: u32,
    /// Bytes per second, in MiB.
    pub mib_per_s: f64,
    /// The longest main-loop stall from the press to the read's end.
    pub heartbeat_max_gap_ms: f64,
    /// The 99th percentile of the stalls over the same time.
    heartbeat_p99_gap_ms: f64,
    /// The read's future on the main loop: wall time, polls and the main loop's time in it.
    pub task: TaskFigures,
}

impl ReadFigures {
    pub fn new(record: &ReadRecord, wall: Duration, heartbeat: &HeartbeatStats) -> Self {
        Self {
            outcome: record.outcome.name(),
            bytes: record.done.bytes,
            chunks: record.done.chunks,
            mib_per_s: (record.done.bytes as f64 / MIB / wall.as_secs_f64() * 10.0).round() / 10.0,
            heartbeat_max_gap_ms: heartbeat.max_gap_ms,
            heartbeat_p99_gap_ms: heartbeat.p99_gap_ms,
            task: TaskFigures::new(wall, record.meter),
        }
    }
}

#[derive(Serialize)]
pub struct TimerFigures {
    /// How long the timer future was asked to wait: `--work-ms`.
    pub asked_ms: f64,
    /// How long it took, from its first poll to its end.
    pub took_ms: f64,
    /// The longest main-loop stall while it waited.
    pub heartbeat_max_gap_ms: f64,
}

#[derive(Serialize)]
pub struct JobFigures {
    /// From pressing Checksum to the result reaching the main loop.
    pub took_ms: f64,
    /// The bytes the job hashed: the whole file.
    pub bytes: u64,
    /// The file's FNV-1a hash, in hex.
    pub fnv1a: String,
    /// Whether the job ran on the thread that owns the main loop: it did not.
    pub ran_on_main_thread: bool,
    /// The longest main-loop stall while the job ran.
    pub heartbeat_max_gap_ms: f64,
}

#[derive(Serialize)]
pub struct CancelledJobFigures {
    /// How the job ended: "cancelled", the `IOErrorEnum::Cancelled` it returned taken as such.
    pub outcome: &'static str,
    /// From pressing Cancel to the job's answer reaching the main loop.
    pub cancel_to_finished_ms: f64,
}
