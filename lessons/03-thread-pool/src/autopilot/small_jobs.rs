//! The 10,000 jobs table, read once every way has filled its row, with what
//! the main loop did meanwhile.

use super::{POLL, press};
use crate::pattern::ThreadPoolLesson;
use crate::reuse::{JOBS, ReuseRow, Way};
use gtk::prelude::*;
use lesson_kit::{Pilot, ScenarioError, Span};
use serde::Serialize;
use std::time::{Duration, Instant};

impl ThreadPoolLesson {
    /// Presses 10,000 jobs and follows its table until every way has shown
    /// its figure and the button can be pressed again. A way runs from the
    /// moment the row above it shows its figure (the first, from the press)
    /// to the moment its own row shows one.
    pub(super) async fn watch_small_jobs(
        &self,
        pilot: &Pilot,
        patience: Duration,
    ) -> Result<SmallJobs, ScenarioError> {
        let rows = &self.reuse.rows;
        let pressed = press(pilot, &self.small_jobs).await?;
        let mut ends = vec![None; rows.len()];
        loop {
            let now = Instant::now();
            for (row, end) in rows.iter().zip(&mut ends) {
                if end.is_none() && row.figures().0.is_some() {
                    *end = Some(now);
                }
            }
            // The handler greys the button out, and the comparison's end
            // makes it sensitive again, failed or not.
            let over = self.small_jobs.is_sensitive()
                && rows.iter().all(|row| row.per_job.label() != "-");
            if over {
                break;
            }
            if pressed.sent.elapsed() > patience {
                return Err("timed out waiting for the 10,000 jobs".into());
            }
            pilot.sleep(POLL).await;
        }
        let mut from = pressed.sent;
        let seen: Vec<_> = rows
            .iter()
            .zip(ends)
            .map(|(row, end)| {
                let (us_per_job, ran_once) = row.figures();
                let gap = end.map(|to| {
                    let from = std::mem::replace(&mut from, to);
                    pilot.measure(Span { from, to }).heartbeat.max_gap_ms
                });
                (row.way, (us_per_job, ran_once, gap))
            })
            .collect();
        let way = |way: Way| {
            let found = seen.iter().find(|(seen, _)| *seen == way);
            found.map_or((None, 0, None), |(_, figures)| *figures)
        };
        let (thread, glib_pool, spawn_blocking) = (
            way(Way::ThreadPerJob),
            way(Way::GlibPool),
            way(Way::SpawnBlocking),
        );
        let span = pilot.span_since(pressed.sent);
        // The first frame painted once the click's handler had returned: the
        // button greyed out, while the comparison started its first threads.
        let click_to_paint_ms = pilot.to_paint_ms(&pressed);
        Ok(SmallJobs {
            jobs: JOBS,
            thread_us_per_job: thread.0,
            glib_pool_us_per_job: glib_pool.0,
            spawn_blocking_us_per_job: spawn_blocking.0,
            thread_ran_once: thread.1,
            glib_pool_ran_once: glib_pool.1,
            spawn_blocking_ran_once: spawn_blocking.1,
            click_to_paint_ms,
            wall_ms: lesson_kit::ms(span.to - span.from),
            heartbeat_max_gap_ms: pilot.measure(span).heartbeat.max_gap_ms,
            thread_heartbeat_max_gap_ms: thread.2,
            glib_pool_heartbeat_max_gap_ms: glib_pool.2,
            spawn_blocking_heartbeat_max_gap_ms: spawn_blocking.2,
        })
    }
}

impl ReuseRow {
    /// The row's microseconds per job, if it shows a number, and how many
    /// jobs it says ran exactly once.
    fn figures(&self) -> (Option<f64>, usize) {
        let per_job = self.per_job.label().parse().ok();
        (per_job, self.ran_once.label().parse().unwrap_or(0))
    }
}

/// The 10,000 jobs table, as the window showed it once full. Each way ran
/// the same number of trivial jobs, one way after the other, on a thread of
/// the comparison's own.
#[derive(Serialize)]
pub(super) struct SmallJobs {
    /// Jobs each way ran.
    jobs: usize,
    /// Microseconds per job with a thread started and joined for each
    /// (`None`: the row said "failed").
    thread_us_per_job: Option<f64>,
    /// Microseconds per job pushed on a `glib::ThreadPool` of one thread per
    /// core, with nothing kept of each push.
    glib_pool_us_per_job: Option<f64>,
    /// Microseconds per job queued with `gio::spawn_blocking`, each answer
    /// awaited.
    spawn_blocking_us_per_job: Option<f64>,
    /// Jobs that ran exactly once, each way: all of them.
    thread_ran_once: usize,
    glib_pool_ran_once: usize,
    spawn_blocking_ran_once: usize,
    /// From the real click on 10,000 jobs to the end of the first frame
    /// painted after its handler returned.
    click_to_paint_ms: Option<f64>,
    /// From the press to the last row filled.
    wall_ms: f64,
    /// The longest the main loop went without its heartbeat meanwhile: the
    /// jobs never run on it.
    heartbeat_max_gap_ms: f64,
    /// The same while each way ran (`None`: it never showed a figure).
    thread_heartbeat_max_gap_ms: Option<f64>,
    glib_pool_heartbeat_max_gap_ms: Option<f64>,
    spawn_blocking_heartbeat_max_gap_ms: Option<f64>,
}
