//! The CPU batch's table, read row by row as the runs fill it, with what
//! the system says of the batch's threads and of the idle time meanwhile.

use super::{POLL, press};
use crate::batch::NICE;
use crate::bench::BenchRow;
use crate::pattern::ThreadPoolLesson;
use lesson_kit::{FrameStats, Pilot, Pressed, ScenarioError, Span, ms};
use serde::Serialize;
use std::time::{Duration, Instant};

/// How long into a run of the batch DANGER is clicked.
const CLICK_INTO_BATCH: Duration = Duration::from_millis(50);

impl ThreadPoolLesson {
    /// Presses CPU batch and follows its table row by row, each run's span
    /// from the moment its row says "running" to the moment it shows its
    /// time. DANGER is clicked a moment into each run after the first, so
    /// that every way to use the cores is judged with a click in it.
    pub(super) async fn watch_the_batch(
        &self,
        pilot: &Pilot,
        patience: Duration,
    ) -> Result<Vec<RunSeen>, ScenarioError> {
        let rows = &self.bench.rows;
        let mut current: Option<RunStart> = None;
        let mut runs = Vec::new();
        let pressed = press(pilot, &self.batch).await?;
        while runs.len() < rows.len() {
            let (now, row) = (Instant::now(), &rows[runs.len()]);
            let time = row.time.label();
            if time == "failed" {
                return Err(self.window.status().into());
            }
            let started = row.is_running() || time.ends_with(" ms");
            if started && current.is_none() {
                current = Some(RunStart::now(now));
            }
            if let Some(time) = parse(&time, " ms")
                && let Some(start) = current.take()
            {
                runs.push(RunSeen::read(row, start, now, time));
                continue;
            }
            if let Some(run) = &mut current {
                // Only while the row says "running": once it shows its
                // time, the next run's threads may have started.
                run.niced = run.niced.max(niced_pool_threads());
                let due = now - run.from >= CLICK_INTO_BATCH;
                if !runs.is_empty() && run.click.is_none() && due {
                    let pressed = press(pilot, &self.danger).await?;
                    let while_running = row.is_running();
                    run.click = Some(ClickSeen { pressed, while_running });
                }
            }
            if pressed.sent.elapsed() > patience {
                return Err("timed out waiting for the CPU batch".into());
            }
            pilot.sleep(POLL).await;
        }
        Ok(runs)
    }
}

impl BenchRow {
    pub(super) fn is_running(&self) -> bool {
        self.time.label() == "running"
    }
}

/// A run of the batch from the moment its row said "running".
struct RunStart {
    from: Instant,
    idle: Option<Duration>,
    /// The most of the lesson's pool threads seen at nice 10 or lower
    /// priority meanwhile.
    niced: u32,
    click: Option<ClickSeen>,
}

impl RunStart {
    fn now(from: Instant) -> Self {
        Self { from, idle: machine_idle(), niced: 0, click: None }
    }
}

/// One run of the batch: its row once filled, and when it ran.
pub(super) struct RunSeen {
    threads: u32,
    nice: Option<i32>,
    pub(super) span: Span,
    wall_ms: f64,
    speedup: f64,
    cpu_per_wall: f64,
    same_answer: bool,
    /// CPU time the whole machine left idle meanwhile.
    idle: Option<Duration>,
    niced: u32,
    click: Option<ClickSeen>,
}

impl RunSeen {
    fn read(
        row: &BenchRow,
        start: RunStart,
        to: Instant,
        wall_ms: f64,
    ) -> Self {
        let answer = row.answer.label();
        let idle = machine_idle().zip(start.idle);
        Self {
            threads: row.variant.threads,
            nice: row.variant.nice,
            span: Span { from: start.from, to },
            wall_ms,
            speedup: parse(&row.speedup.label(), "x").unwrap_or(0.0),
            cpu_per_wall: parse(&row.cpu.label(), "").unwrap_or(0.0),
            same_answer: answer == "same" || answer == "reference",
            idle: idle.map(|(after, before)| after.saturating_sub(before)),
            niced: start.niced,
            click: start.click,
        }
    }

    fn idle_per_wall(&self) -> Option<f64> {
        let wall = self.span.to - self.span.from;
        self.idle.map(|idle| round2(idle.as_secs_f64() / wall.as_secs_f64()))
    }

    pub(super) fn variant(
        &self,
        pilot: &Pilot,
        reference: &RunSeen,
    ) -> VariantSeen {
        let measured = pilot.measure(self.span);
        VariantSeen {
            threads: self.threads,
            nice: self.nice,
            wall_ms: self.wall_ms,
            speedup: self.speedup,
            cpu_per_wall: self.cpu_per_wall,
            idle_per_wall: self.idle_per_wall(),
            same_answer: self.same_answer && reference.same_answer,
            threads_seen_niced: self.niced,
            click: self.click.as_ref().map(|click| click.seen(pilot)),
            frames: Frames::of(&measured.frames),
            heartbeat_max_gap_ms: measured.heartbeat.max_gap_ms,
        }
    }
}

/// The time every core of the machine has spent idle so far, all together,
/// from the first line of `/proc/stat` (idle and iowait, in clock ticks);
/// `None` where the system does not say.
fn machine_idle() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().next().filter(|line| line.starts_with("cpu "))?;
    let ticks: Vec<u64> =
        line.split_whitespace().skip(1).map_while(|n| n.parse().ok()).collect();
    let idle = ticks.get(3)? + ticks.get(4)?;
    let per_s = rustix::param::clock_ticks_per_second() as f64;
    Some(Duration::from_secs_f64(idle as f64 / per_s))
}

/// This process's pool threads (glib names them `pool-<program>`) whose
/// nice value is `NICE` or more, from `/proc/self/task/*/stat`.
pub(super) fn niced_pool_threads() -> u32 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else { return 0 };
    let niced = tasks.filter_map(Result::ok).filter(|task| {
        let stat = std::fs::read_to_string(task.path().join("stat"));
        let stat = stat.unwrap_or_default();
        // "tid (comm) state ...": the nice value is the 19th field, the
        // 17th after the command's closing parenthesis.
        let Some((head, tail)) = stat.rsplit_once(") ") else { return false };
        let nice = tail.split_whitespace().nth(16);
        let nice = nice.and_then(|n| n.parse::<i32>().ok());
        head.contains("(pool") && nice.is_some_and(|n| n >= NICE)
    });
    u32::try_from(niced.count()).unwrap_or(u32::MAX)
}

/// The number in a table cell, without its unit.
fn parse(cell: &str, unit: &str) -> Option<f64> {
    cell.strip_suffix(unit)?.trim().parse().ok()
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// DANGER, clicked while a run of the batch computed.
struct ClickSeen {
    pressed: Pressed,
    while_running: bool,
}

impl ClickSeen {
    fn seen(&self, pilot: &Pilot) -> ClickDuringBatch {
        ClickDuringBatch {
            while_batch_ran: self.while_running,
            to_handler_ms: ms(self.pressed.waited()),
            // The first frame painted once the handler had returned: the row
            // the click added was on screen.
            to_paint_ms: pilot.to_paint_ms(&self.pressed),
        }
    }
}

#[derive(Serialize)]
pub(super) struct CpuBatch {
    /// Threads of the recommended run: one per core.
    threads: u32,
    pieces: u64,
    one_thread_ms: f64,
    all_threads_ms: f64,
    /// `one_thread_ms / all_threads_ms`, as the table shows it.
    speedup: f64,
    /// The CPU time the pieces took, all threads together, over the run's
    /// wall time: above 1 only if pieces ran at the same time on different
    /// cores.
    cpu_per_wall: f64,
    /// The CPU time the machine left idle meanwhile, all cores together,
    /// over the same wall time: with `cpu_per_wall`, what the rest of the
    /// machine left to the batch.
    idle_per_wall: Option<f64>,
    /// The same as `cpu_per_wall` for the one-thread run: never above 1,
    /// the check that the measure is sound.
    one_thread_cpu_per_wall: f64,
    /// Both runs computed the same answer.
    results_agree: bool,
}

impl CpuBatch {
    pub(super) fn of(runs: &[RunSeen]) -> Self {
        let (one, all) = (&runs[0], &runs[runs.len() - 1]);
        Self {
            threads: all.threads,
            pieces: crate::batch::PIECES,
            one_thread_ms: one.wall_ms,
            all_threads_ms: all.wall_ms,
            speedup: all.speedup,
            cpu_per_wall: all.cpu_per_wall,
            idle_per_wall: all.idle_per_wall(),
            one_thread_cpu_per_wall: one.cpu_per_wall,
            results_agree: one.same_answer && all.same_answer,
        }
    }
}

#[derive(Serialize)]
pub(super) struct BatchVariants {
    /// One thread per core, at the window's priority.
    pub(super) all_cores: VariantSeen,
    /// One core left to the window (on two cores: one thread).
    pub(super) all_cores_but_one: VariantSeen,
    /// One thread per core at nice 10: the recommended way.
    pub(super) all_cores_nice: VariantSeen,
}

#[derive(Serialize)]
pub(super) struct VariantSeen {
    threads: u32,
    /// The nice value its threads took; `None`: the window's own.
    nice: Option<i32>,
    wall_ms: f64,
    /// The one-thread run's time over this one's.
    speedup: f64,
    /// CPU time of its pieces per second of wall time.
    cpu_per_wall: f64,
    /// CPU time the machine left idle, per second of wall time.
    idle_per_wall: Option<f64>,
    /// It computed the one-thread run's answer.
    same_answer: bool,
    /// The most of the lesson's pool threads seen at nice 10 or more while
    /// it ran, from `/proc/self/task`: what `ps -L` would show.
    threads_seen_niced: u32,
    /// DANGER, clicked a moment into the run.
    click: Option<ClickDuringBatch>,
    /// The frames the window painted while it ran, the click's included.
    frames: Frames,
    /// The longest the main loop went without running its heartbeat then.
    heartbeat_max_gap_ms: f64,
}

/// Painted frames over one run, without their timeline.
#[derive(Serialize)]
struct Frames {
    count: usize,
    per_s: f64,
    max_interval_ms: f64,
    p99_interval_ms: f64,
}

impl Frames {
    fn of(frames: &FrameStats) -> Self {
        Self {
            count: frames.count,
            per_s: frames.per_s,
            max_interval_ms: frames.max_interval_ms,
            p99_interval_ms: frames.p99_interval_ms,
        }
    }
}

#[derive(Serialize)]
struct ClickDuringBatch {
    /// The batch's row still said "running" once the click was handled.
    while_batch_ran: bool,
    /// From the real click to GTK dispatching it.
    to_handler_ms: f64,
    /// From the real click to the end of the first frame painted after its
    /// handler returned: the new job's row on screen.
    to_paint_ms: Option<f64>,
}
