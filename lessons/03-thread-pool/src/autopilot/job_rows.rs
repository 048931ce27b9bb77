//! The job rows, read as a user reads them: each row's state after the
//! job's name, and its progress bar.

use crate::jobs::MAX_THREADS;
use crate::pattern::ThreadPoolLesson;
use gtk::prelude::*;
use lesson_kit::{Pilot, ScenarioError};
use serde::Serialize;
use std::time::Duration;

impl ThreadPoolLesson {
    /// Every job's row, oldest first.
    pub(super) fn rows(&self) -> Vec<JobRow> {
        let mut rows = Vec::new();
        let mut row = self.jobs.rows.first_child();
        while let Some(widget) = row {
            // A row is its line (the label, then the bar), and under it a
            // backtrace once its job panicked.
            let Some(line) = widget.first_child() else { break };
            let label = line.first_child().and_downcast::<gtk::Label>();
            let bar = line.last_child().and_downcast::<gtk::ProgressBar>();
            if let (Some(label), Some(bar)) = (label, bar) {
                let text = label.label();
                let state = text.split_once(": ").map_or("", |(_, s)| s);
                let backtrace = line
                    .next_sibling()
                    .and_downcast::<gtk::Expander>()
                    .map(|expander| BacktraceSeen::of(&expander));
                let (state, bar) = (state.into(), bar.fraction());
                rows.push(JobRow { state, bar, backtrace });
            }
            row = widget.next_sibling();
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
    pub(super) backtrace: Option<BacktraceSeen>,
}

/// A panicked job's backtrace, as its row shows it.
#[derive(Clone, Serialize)]
pub(super) struct BacktraceSeen {
    /// The expander's title.
    title: String,
    /// It was open when read: it opens only when asked.
    expanded: bool,
    /// Its text can be selected and copied.
    selectable: bool,
    /// The frames it lists.
    frames: usize,
    /// The innermost frame of the lesson's own code, with the line under it
    /// that says where: the job's function, where it panicked.
    first_lesson_frame: Option<String>,
}

impl BacktraceSeen {
    fn of(expander: &gtk::Expander) -> Self {
        let text = expander.child().and_then(|child| label_under(&child));
        let (text, selectable) = text.map_or((String::new(), false), |l| {
            (l.label().into(), l.is_selectable())
        });
        let lines: Vec<&str> = text.lines().collect();
        let first_lesson_frame = lines.iter().position(|line| {
            is_frame(line) && line.contains("lesson_03_thread_pool::")
        });
        // A frame's "at file:line" follows it on a line of its own.
        let first_lesson_frame = first_lesson_frame.map(|at| {
            let next = lines.get(at + 1).filter(|line| !is_frame(line));
            let frame = lines[at].trim();
            next.map_or(frame.to_owned(), |at| format!("{frame} {}", at.trim()))
        });
        Self {
            title: expander.label().map(Into::into).unwrap_or_default(),
            expanded: expander.is_expanded(),
            selectable,
            frames: lines.iter().filter(|line| is_frame(line)).count(),
            first_lesson_frame,
        }
    }
}

/// "  12: module::function": a frame of a Rust backtrace.
fn is_frame(line: &str) -> bool {
    let number = line.trim_start().split_once(": ").map(|(n, _)| n);
    number
        .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// The first label inside `widget`, depth first: the text a scrolled
/// window holds, whatever GTK put around it (a viewport).
fn label_under(widget: &gtk::Widget) -> Option<gtk::Label> {
    let mut child = widget.first_child();
    while let Some(widget) = child {
        let found = widget.clone().downcast::<gtk::Label>().ok();
        if let Some(label) = found.or_else(|| label_under(&widget)) {
            return Some(label);
        }
        child = widget.next_sibling();
    }
    None
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
