//! The job rows, read as a user reads them: each row's state after the
//! job's name, and its progress bar.

use crate::jobs::MAX_THREADS;
use crate::pattern::ThreadPoolLesson;
use gtk::prelude::*;
use lesson_kit::{Pilot, ScenarioError};
use std::time::Duration;

impl ThreadPoolLesson {
    /// Every job's row, oldest first.
    pub(super) fn rows(&self) -> Vec<JobRow> {
        let mut rows = Vec::new();
        let mut line = self.jobs.rows.first_child();
        while let Some(widget) = line {
            let label = widget.first_child().and_downcast::<gtk::Label>();
            let bar = widget.last_child().and_downcast::<gtk::ProgressBar>();
            if let (Some(label), Some(bar)) = (label, bar) {
                let text = label.label();
                let state = text.split_once(": ").map_or("", |(_, s)| s);
                rows.push(JobRow { state: state.into(), bar: bar.fraction() });
            }
            line = widget.next_sibling();
        }
        rows
    }

    /// Waits until job row `index` says its job is over, and returns what
    /// it says.
    pub(super) async fn until_over(
        &self,
        pilot: &Pilot,
        index: usize,
        patience: Duration,
    ) -> Result<String, ScenarioError> {
        let over = || self.rows().get(index).is_some_and(JobRow::is_over);
        pilot.wait_until(&format!("job row {index}"), patience, over).await?;
        Ok(self.rows()[index].state.clone())
    }
}

/// One job's row as the window shows it.
#[derive(Clone)]
pub(super) struct JobRow {
    pub(super) state: String,
    bar: f64,
}

impl JobRow {
    pub(super) fn is_over(&self) -> bool {
        !matches!(self.state.as_str(), "queued" | "running")
    }
}

pub(super) fn count(rows: &[JobRow], state: &str) -> u32 {
    let n = rows.iter().filter(|row| row.state == state).count();
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// What the rows of a run of DANGER presses showed, poll after poll.
pub(super) struct QueueWatch {
    first: usize,
    pub(super) max_running: u32,
    pub(super) max_queued: u32,
    /// Per job: seen queued; and when first seen started, whether another
    /// job's row already said it was over.
    queued: Vec<bool>,
    after_a_finish: Vec<Option<bool>>,
    last: Vec<JobRow>,
}

impl QueueWatch {
    pub(super) fn new(first: usize, jobs: usize) -> Self {
        Self {
            first,
            max_running: 0,
            max_queued: 0,
            queued: vec![false; jobs],
            after_a_finish: vec![None; jobs],
            last: Vec::new(),
        }
    }

    pub(super) fn len(&self) -> usize {
        self.queued.len()
    }

    /// Takes one look at the rows and the pool's queue; true once every
    /// job is over.
    pub(super) fn look(
        &mut self,
        rows: &[JobRow],
        queued_in_pool: u32,
    ) -> bool {
        let Some(ours) = rows.get(self.first..self.first + self.len()) else {
            return false;
        };
        self.max_running = self.max_running.max(count(ours, "running"));
        self.max_queued = self.max_queued.max(queued_in_pool);
        for (i, row) in ours.iter().enumerate() {
            if row.state == "queued" {
                self.queued[i] = true;
            } else if self.after_a_finish[i].is_none() {
                let other_over =
                    ours.iter().enumerate().any(|(j, o)| j != i && o.is_over());
                self.after_a_finish[i] = Some(other_over);
            }
        }
        self.last = ours.to_vec();
        ours.iter().all(JobRow::is_over)
    }

    /// Every job beyond the pool's size was seen queued, then started only
    /// once another job was over; the others started at once.
    pub(super) fn queued_waited(&self) -> bool {
        let pool = MAX_THREADS as usize;
        (0..self.len()).all(|i| {
            let waited = self.queued[i] && self.after_a_finish[i] == Some(true);
            if i < pool {
                self.after_a_finish[i] == Some(false)
            } else {
                waited
            }
        })
    }

    pub(super) fn results(&self) -> u32 {
        let done =
            self.last.iter().filter(|r| r.state.starts_with("done after"));
        u32::try_from(done.count()).unwrap_or(u32::MAX)
    }

    pub(super) fn full_bars(&self) -> u32 {
        let full = self.last.iter().filter(|r| r.bar >= 1.0);
        u32::try_from(full.count()).unwrap_or(u32::MAX)
    }
}
