//! What lesson 08 reports besides the common fields: one struct per thing
//! the scenario looked at, each field documented, so that the JSON explains
//! itself and the chapter can name its fields.

use super::run::{JobRun, ReadRun};
use super::watch::Cost;
use crate::view::MIB;
use lesson_kit::{Pilot, Span, ms};
use serde::Serialize;

/// What lesson 08 reports besides the common fields. `work.wall_ms` is the
/// whole read at the slow disk's pace; the common heartbeat and frames
/// cover everything from that read to the cancelled checksum's end.
#[derive(Serialize)]
pub struct Details {
    /// The file Write made, in a temporary directory of the lesson's own
    /// that shutdown removes.
    pub file: FileFigures,
    /// From pressing Write to the file line saying it was written.
    pub write: Stretch,
    /// The whole file, read at the slow disk's pace: `--work-ms` in all.
    pub read: ReadFigures,
    /// The whole file again, read as fast as gio delivers it.
    pub full_speed_read: ReadFigures,
    /// A third read, cancelled a third of the way in.
    pub cancelled_read: CancelledRead,
    /// Sleep's timer future.
    pub timer: TimerFigures,
    /// Checksum: the blocking job on gio's pool, its answer awaited.
    pub checksum: JobFigures,
    /// What the main thread used while it waited for the job's answer, two
    /// ways, and over as long with nothing to wait for.
    pub waiting: Waiting,
    /// The job once more, with Cancel pressed while it ran.
    pub cancelled_checksum: CancelledJob,
    /// A last slow read was running when the scenario ended and the kit
    /// closed the window.
    pub read_running_at_close: bool,
}

#[derive(Serialize)]
pub struct FileFigures {
    /// Where the file was, as the file line showed it: the directory must
    /// be gone once the lesson has exited.
    pub path: String,
    /// Its size on disk.
    pub bytes: u64,
    /// How many chunks make the file.
    pub chunks: u32,
    /// Whether gio can poll the file's stream from the main loop. A
    /// regular file's cannot, so gio runs each async read on its pool.
    pub pollable: bool,
}

/// What the main loop and the screen did over one stretch of the run.
#[derive(Serialize)]
pub struct Stretch {
    /// How long the stretch lasted.
    pub wall_ms: f64,
    /// The longest the main loop left its heartbeat waiting.
    pub heartbeat_max_gap_ms: f64,
    /// The 99th percentile of the same.
    pub heartbeat_p99_gap_ms: f64,
    /// Frames painted.
    pub frames: usize,
    /// The same, per second: a free window paints about 60.
    pub frames_per_s: f64,
    /// The longest time between two frames.
    pub frame_max_interval_ms: f64,
}

impl Stretch {
    pub fn of(pilot: &Pilot, span: Span) -> Self {
        let measured = pilot.measure(span);
        Self {
            wall_ms: ms(span.to - span.from),
            heartbeat_max_gap_ms: measured.heartbeat.max_gap_ms,
            heartbeat_p99_gap_ms: measured.heartbeat.p99_gap_ms,
            frames: measured.frames.count,
            frames_per_s: measured.frames.per_s,
            frame_max_interval_ms: measured.frames.max_interval_ms,
        }
    }
}

#[derive(Serialize)]
pub struct ReadFigures {
    /// The read line at the end ("Read all ...").
    pub outcome: String,
    /// The chunks the progress bar counted.
    pub chunks: u32,
    /// The progress bar's fraction at the end: 1 for the whole file.
    pub fraction: f64,
    /// The file's size over the read's time, in MiB per second.
    pub mib_per_s: f64,
    /// The main thread's CPU time over the read, all of it: the read's
    /// share, the painting and everything else the main loop did.
    pub main_thread_cpu_ms: f64,
    /// From the read line saying it started to it saying it ended.
    pub stretch: Stretch,
}

impl ReadFigures {
    pub fn of(pilot: &Pilot, read: &ReadRun, bytes: u64) -> Self {
        let seconds = (read.span.to - read.span.from).as_secs_f64();
        let rate = bytes as f64 / MIB / seconds.max(1e-9);
        Self {
            outcome: read.text.clone(),
            chunks: read.chunks,
            fraction: read.fraction,
            mib_per_s: (rate * 10.0).round() / 10.0,
            main_thread_cpu_ms: ms(read.cost.cpu),
            stretch: Stretch::of(pilot, read.span),
        }
    }
}

#[derive(Serialize)]
pub struct CancelledRead {
    /// The read line once the read had ended: "Cancelled after ...".
    pub outcome: String,
    /// The chunks the progress bar showed when Cancel's handler returned.
    pub chunks_at_cancel: u32,
    /// The chunks it showed once the read had ended: the same.
    pub chunks_at_end: u32,
    /// How many times the progress bar changed after Cancel: never.
    pub progress_changes_after_cancel: usize,
    /// From GTK dispatching the click on Cancel to the read line saying
    /// the read ended.
    pub cancel_to_end_ms: f64,
}

#[derive(Serialize)]
pub struct TimerFigures {
    /// How long the timer future was asked to wait: `--work-ms`.
    pub asked_ms: f64,
    /// From Sleep's click handler returning to the timer line saying
    /// "done".
    pub took_ms: f64,
    /// The main loop and the screen meanwhile.
    pub stretch: Stretch,
}

#[derive(Serialize)]
pub struct JobFigures {
    /// The checksum line at the end.
    pub outcome: String,
    /// The bytes the job hashed, as the line said.
    pub bytes: u64,
    /// From the line saying "hashing" to it showing the answer.
    pub took_ms: f64,
    /// The main loop and the screen meanwhile.
    pub stretch: Stretch,
}

impl JobFigures {
    pub fn of(pilot: &Pilot, job: &JobRun) -> Self {
        let bytes = job.text.split_once(" over ").and_then(|(_, rest)| {
            rest.split_once(" bytes").and_then(|(n, _)| n.parse().ok())
        });
        Self {
            outcome: job.text.clone(),
            bytes: bytes.unwrap_or(0),
            took_ms: ms(job.span.to - job.span.from),
            stretch: Stretch::of(pilot, job.span),
        }
    }
}

/// The same job three more times, with the window hidden meanwhile so that
/// no painting blurs what the waiting itself costs.
#[derive(Serialize)]
pub struct Waiting {
    /// Checksum: the answer awaited (`.await` on the job's handle).
    pub awaiting: Used,
    /// Checksum, polling: a timer looked for the answer every millisecond.
    pub polling: Used,
    /// No job, as long as the awaited one: what the main thread does with
    /// nothing to wait for (the kit's heartbeat, ticking every 10 ms).
    pub idle: Used,
    /// The checksum line at the end of the awaited job.
    pub awaited: String,
    /// The checksum line at the end of the polled one, with how many
    /// times the timer looked.
    pub polled: String,
}

#[derive(Serialize)]
pub struct Used {
    /// From the window being hidden to the answer (or the same time idle).
    pub wall_ms: f64,
    /// The main thread's CPU time, user and system.
    pub cpu_ms: f64,
    /// How many times the main thread went to sleep and was woken up
    /// (voluntary context switches).
    pub wakeups: i64,
}

impl From<Cost> for Used {
    fn from(cost: Cost) -> Self {
        Self {
            wall_ms: ms(cost.wall),
            cpu_ms: ms(cost.cpu),
            wakeups: cost.wakeups,
        }
    }
}

#[derive(Serialize)]
pub struct CancelledJob {
    /// The checksum line once the job had ended: "Checksum: cancelled.".
    pub outcome: String,
    /// From GTK dispatching the click on Cancel to that line.
    pub cancel_to_end_ms: f64,
}
