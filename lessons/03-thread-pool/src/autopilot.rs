//! Lesson 03's scenario. It reads the window as a user would, every few
//! milliseconds: each job's row (queued, running, done, panicked,
//! cancelled), its progress bar and its backtrace, the pool line's queue
//! (`JobPool::queued`), the status line, the CPU batch's table and the
//! 10,000 jobs table. The probes say what the main loop and the screen did
//! meanwhile.

mod batch_runs;
mod job_rows;
mod small_jobs;

use crate::bench::BenchRow;
use crate::jobs::MAX_THREADS;
use crate::pattern::ThreadPoolLesson;
use batch_runs::{BatchVariants, CpuBatch, RunSeen};
use job_rows::{BacktraceSeen, JobRow, QueueWatch, count};
use lesson_kit::{Autopilot, Findings, Pilot, Pressed, ScenarioError};
use serde::Serialize;
use small_jobs::SmallJobs;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How often the scenario reads the window.
const POLL: Duration = Duration::from_millis(5);

impl Autopilot for ThreadPoolLesson {
    type Details = Details;

    async fn scenario(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let patience = self.work * 10 + Duration::from_secs(10);

        // 1. The CPU batch, every way, the recommended one last; DANGER is
        //    clicked during each run on every core. Then one more job, and
        //    Cancel all once it runs.
        let runs = self.watch_the_batch(&pilot, patience).await?;
        let span_from = runs[runs.len() - 1].span.from;
        press(&pilot, &self.danger).await?;
        let last = self.rows().len() - 1;
        let running = || self.rows()[last].state == "running";
        pilot.wait_until("the job to run", patience, running).await?;
        press(&pilot, &self.cancel).await?;
        let cancelled_row = self.until_over(&pilot, last, patience).await?;
        let all_over = || self.rows().iter().all(JobRow::is_over);
        pilot.wait_until("the jobs to stop", patience, all_over).await?;

        // 2. More DANGER presses than threads: three run, two queue, all
        //    five come back.
        let first = self.rows().len();
        let presses = MAX_THREADS + 2;
        let started = Instant::now();
        for _ in 0..presses {
            press(&pilot, &self.danger).await?;
        }
        let mut watch = QueueWatch::new(first, presses as usize);
        let mut status_while_working = None;
        while !watch.look(&self.rows(), self.jobs.queued()) {
            if started.elapsed() > patience {
                return Err("timed out waiting for the five jobs".into());
            }
            if status_while_working.is_none()
                && started.elapsed() >= self.work / 4
            {
                status_while_working = Some(self.window.status());
                pilot.screenshot().await;
            }
            pilot.sleep(POLL).await;
        }
        let work_wall = started.elapsed();

        // 3. A job that panics: its error shows, with its backtrace behind
        //    an expander, and the pool goes on.
        press(&pilot, &self.fail).await?;
        let failed = first + watch.len();
        let error_row = self.until_over(&pilot, failed, patience).await?;
        let error_shown = self.window.status();
        let error_backtrace = self.rows()[failed].backtrace.clone();
        press(&pilot, &self.danger).await?;
        let after = self.until_over(&pilot, first + watch.len() + 1, patience);
        let pool_survived_panic = after.await?.starts_with("done after");
        let span = pilot.span_since(span_from);

        // 4. Many small jobs, three ways, after the span: for a second or
        //    so their threads take every core at the window's priority.
        let reuse = self.watch_small_jobs(&pilot, patience).await?;

        // 5. Two jobs and a batch left running: the kit closes the window
        //    on them, and shutdown must stop them all.
        press(&pilot, &self.danger).await?;
        press(&pilot, &self.danger).await?;
        let two_running = || count(&self.rows(), "running") == 2;
        pilot.wait_until("two jobs to run", patience, two_running).await?;
        press(&pilot, &self.batch).await?;
        let batch_runs = || self.bench.rows.iter().any(BenchRow::is_running);
        pilot.wait_until("a batch to run", patience, batch_runs).await?;
        pilot.sleep(self.work / 10).await;
        let threads_niced_at_close = batch_runs::niced_pool_threads();

        let reference = &runs[0];
        let variant = |run: &RunSeen| run.variant(&pilot, reference);
        Ok(Findings {
            span,
            work_wall,
            details: Details {
                max_threads: MAX_THREADS,
                jobs_queued: presses,
                max_running: watch.max_running,
                max_queued: watch.max_queued,
                queued_jobs_waited_for_a_finish: watch.queued_waited(),
                results_collected: watch.results(),
                progress_bars_full: watch.full_bars(),
                status_while_working: status_while_working.unwrap_or_default(),
                error_row,
                error_shown,
                error_backtrace,
                pool_survived_panic,
                cancelled_row,
                reuse,
                cpu_batch: CpuBatch::of(&runs),
                batch_variants: BatchVariants {
                    all_cores: variant(&runs[1]),
                    all_cores_but_one: variant(&runs[2]),
                    all_cores_nice: variant(&runs[3]),
                },
                running_at_close: count(&self.rows(), "running"),
                batch_running_at_close: batch_runs(),
                threads_niced_at_close,
            },
        })
    }
}

/// Presses `button` once the window has painted three frames from now. A
/// label changed a moment ago may still move the buttons (the window grows
/// when the status line wraps, or the batch's table widens), and a click
/// aimed at where a button was lands on nothing.
async fn press(
    pilot: &Pilot,
    button: &gtk::Button,
) -> Result<Pressed, ScenarioError> {
    let now = Instant::now();
    let painted = || pilot.measure(pilot.span_since(now)).frames.count >= 3;
    let patience = Duration::from_secs(5);
    pilot.wait_until("the window to paint", patience, painted).await?;
    pilot.press(button).await
}

/// What lesson 03 reports besides the common fields. The common `heartbeat`
/// and `frames` cover the recommended batch run and the jobs after it, to
/// the job queued after the panic; `work.wall_ms` is the five jobs queued
/// at once, from the first press to the last row saying it was over.
#[derive(Serialize)]
pub struct Details {
    /// The pool's size.
    max_threads: u32,
    /// DANGER presses in a row, two more than the pool has threads.
    jobs_queued: u32,
    /// The most of their rows that said "running" at once.
    max_running: u32,
    /// The most jobs the pool held in its queue at once, as the pool line
    /// shows it (`JobPool::queued`).
    max_queued: u32,
    /// The first three jobs started at once; each job beyond the pool's
    /// size was seen queued, and seen running only once another job's row
    /// said it was over.
    queued_jobs_waited_for_a_finish: bool,
    /// Rows of those jobs that ended saying "done after ...".
    results_collected: u32,
    /// Rows of those jobs whose progress bar ended full.
    progress_bars_full: u32,
    /// The status line a quarter of a job into them, as the window showed
    /// it, with three jobs running and two waiting.
    status_while_working: String,
    /// The Fail job's row once it was over.
    error_row: String,
    /// The status line then.
    error_shown: String,
    /// The backtrace under the Fail job's row then, if the row had one.
    error_backtrace: Option<BacktraceSeen>,
    /// A DANGER job queued after the panic ran, and its row said so.
    pool_survived_panic: bool,
    /// The row of a running job after Cancel all.
    cancelled_row: String,
    /// 10,000 trivial jobs, three ways: what starting a thread costs next to
    /// reusing one.
    reuse: SmallJobs,
    /// The recommended run (every core, at lower priority) against the
    /// one-thread run, from the batch's table.
    cpu_batch: CpuBatch,
    /// Every way to use all cores, each with what the window did meanwhile.
    batch_variants: BatchVariants,
    /// Job rows that said "running" when the scenario ended and the kit
    /// closed the window.
    running_at_close: u32,
    /// A row of the batch's table said "running" then.
    batch_running_at_close: bool,
    /// The lesson's pool threads at nice 10 or more then, while that batch
    /// ran its first runs at the window's priority: the threads the first
    /// batch's nice run freed were not kept for them.
    threads_niced_at_close: u32,
}
