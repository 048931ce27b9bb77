//! DANGER and Fail queue jobs on a pool of three threads, the Rust form of
//! `QThreadPool` + `QRunnable`. Each job gets a row in the window, and a
//! future on the main loop turns the job's events into that row.

use crate::pattern::StatusLine;
use gtk::prelude::*;
use lesson_kit::LessonWindow;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};
use worker::{
    Cancelled, Canceller, Ending, Event, Job, JobError, JobPool, Progress,
    Reporter,
};

/// The pool's size, Qt's `maxThreadCount`. Small on purpose, so that
/// queueing is easy to see.
pub const MAX_THREADS: u32 = 3;
/// Each job does its work in this many steps, telling its progress and
/// looking for a cancel.
const STEPS: u32 = 50;

// ANCHOR: job
/// The same five seconds of work as lesson 01, now on a pool thread.
/// Blocking here blocks one pool thread and nothing else.
pub fn simulated_work(
    work: Duration,
    reporter: &Reporter,
) -> Result<Duration, Cancelled> {
    let started = Instant::now();
    for step in 1..=STEPS {
        reporter.check_cancelled()?;
        #[expect(
            clippy::disallowed_methods,
            reason = "runs on a pool thread, never the main loop"
        )]
        std::thread::sleep(work / STEPS);
        let fraction = f64::from(step) / f64::from(STEPS);
        reporter.progress_with_message(fraction, format!("step {step}"));
    }
    Ok(started.elapsed())
}

/// What the Fail button queues: a job with a bug in it.
pub fn buggy_work(reporter: &Reporter) -> Result<Duration, Cancelled> {
    reporter.progress(0.3);
    let answer: u32 = "forty-two".parse().expect("the input is a number");
    Ok(Duration::from_millis(u64::from(answer)))
}
// ANCHOR_END: job

type WorkJob = Job<Duration, Cancelled>;

/// The pool, the jobs on it, and the rows that show them. Main thread only.
pub struct Jobs {
    pool: JobPool,
    status: Rc<StatusLine>,
    /// One line per job, oldest first: its name and state, and its progress.
    pub rows: gtk::Box,
    pool_line: gtk::Label,
    next_id: Cell<u32>,
    running: Cell<u32>,
    /// Jobs not yet finished, so that Cancel all can reach them.
    live: RefCell<Vec<(u32, Canceller)>>,
}

impl Jobs {
    pub fn new(
        window: &LessonWindow,
        status: Rc<StatusLine>,
    ) -> Result<Rc<Self>, glib::Error> {
        // ANCHOR: pool
        // Three threads of our own, in a `glib::ThreadPool` that the worker
        // crate's `JobPool` wraps so that shutdown can stop every job. Jobs
        // beyond three wait in the queue.
        let pool = JobPool::exclusive(MAX_THREADS)?;
        // ANCHOR_END: pool
        let pool_line = gtk::Label::new(None);
        let rows = gtk::Box::new(gtk::Orientation::Vertical, 6);
        let scroller = gtk::ScrolledWindow::builder()
            .child(&rows)
            .min_content_height(160)
            .hscrollbar_policy(gtk::PolicyType::Never)
            .build();
        window.add(&pool_line);
        window.add(&scroller);
        let jobs = Rc::new(Self {
            pool,
            status,
            rows,
            pool_line,
            next_id: Cell::new(0),
            running: Cell::new(0),
            live: RefCell::default(),
        });
        jobs.refresh();
        Ok(jobs)
    }

    /// Jobs waiting for a free thread, as the pool counts them.
    pub fn queued(&self) -> u32 {
        self.pool.queued()
    }

    // ANCHOR: queue
    /// DANGER's handler: queue a job and return at once. The job runs
    /// whenever a pool thread is free; `follow` shows its events as they
    /// come.
    pub fn queue<F>(self: &Rc<Self>, name: &str, work: F)
    where
        F: FnOnce(&Reporter) -> Result<Duration, Cancelled> + Send + 'static,
    {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        let row = JobRow::new(&self.rows, &format!("{name} #{id}"));
        match self.pool.spawn(work) {
            Ok(job) => {
                self.live.borrow_mut().push((id, job.canceller()));
                self.refresh();
                glib::spawn_future_local(self.clone().follow(id, job, row));
            }
            Err(message) => row.show_state(&format!("not queued: {message}")),
        }
    }
    // ANCHOR_END: queue

    // ANCHOR: follow
    /// The job's events, in order, turned into its row and the status line.
    async fn follow(self: Rc<Self>, id: u32, mut job: WorkJob, row: JobRow) {
        let mut started = false;
        while let Some(event) = job.next().await {
            match event {
                Event::Started => {
                    started = true;
                    self.running.set(self.running.get() + 1);
                    row.show_state("running");
                    row.progress.set_text(Some("started"));
                }
                Event::Progress(progress) => row.show_progress(progress),
                Event::Result(ran) => {
                    let took = ran.as_secs_f64();
                    row.show_state(&format!("done after {took:.1} s"));
                }
                Event::Error(error) => {
                    let message = match error {
                        JobError::Panicked(panic) => {
                            row.show_backtrace(&panic.backtrace);
                            format!("panicked: {panic}")
                        }
                        JobError::Failed(cancelled) => cancelled.to_string(),
                    };
                    row.show_state(&message);
                    let notice = format!("Job #{id} {message}.");
                    self.status.tell(&format!("{notice} The app carries on."));
                }
                Event::Finished(ending) => {
                    if started {
                        self.running.set(self.running.get() - 1);
                    }
                    if ending == Ending::Cancelled {
                        row.show_state("cancelled");
                    }
                    self.live.borrow_mut().retain(|(live, _)| *live != id);
                }
            }
            self.refresh();
        }
    }
    // ANCHOR_END: follow

    /// Cancel all's handler: a running job stops at its next step, a queued
    /// one never starts.
    pub fn cancel_all(&self) {
        for (_, canceller) in self.live.borrow().iter() {
            canceller.cancel();
        }
    }

    /// For shutdown: cancels every job, running or queued, waits for them
    /// up to `patience`, and frees the pool.
    pub fn shutdown(&self, patience: Duration) -> Result<(), String> {
        self.pool.shutdown(patience)
    }

    /// Shows the pool's state on the pool line and the status line.
    fn refresh(&self) {
        let (running, queued) = (self.running.get(), self.pool.queued());
        self.pool_line.set_label(&format!(
            "Pool: {running} running, {queued} queued, \
             at most {MAX_THREADS} threads"
        ));
        let mut now = Vec::new();
        if running > 0 {
            now.push(format!("{} running", n_jobs(running)));
        }
        if queued > 0 {
            now.push(format!("{} waiting for a free thread", n_jobs(queued)));
        }
        self.status.set_jobs(now.join(", "));
    }
}

/// "1 job", "3 jobs".
fn n_jobs(n: u32) -> String {
    format!("{n} job{}", if n == 1 { "" } else { "s" })
}

/// One job's line in the window: its name and state, and its progress bar;
/// under it, once the job has panicked, where it happened.
struct JobRow {
    name: String,
    row: gtk::Box,
    label: gtk::Label,
    progress: gtk::ProgressBar,
}

impl JobRow {
    fn new(rows: &gtk::Box, name: &str) -> Self {
        let label = gtk::Label::builder()
            .label(format!("{name}: queued"))
            .xalign(0.0)
            .width_chars(24)
            .build();
        let progress = gtk::ProgressBar::builder()
            .show_text(true)
            .text("waiting for a thread")
            .hexpand(true)
            .build();
        let line = gtk::Box::new(gtk::Orientation::Horizontal, 12);
        line.append(&label);
        line.append(&progress);
        let row = gtk::Box::new(gtk::Orientation::Vertical, 2);
        row.append(&line);
        rows.append(&row);
        Self { name: name.to_owned(), row, label, progress }
    }

    fn show_state(&self, state: &str) {
        self.label.set_label(&format!("{}: {state}", self.name));
    }

    fn show_progress(&self, progress: Progress) {
        self.progress.set_fraction(progress.fraction);
        self.progress.set_text(progress.message.as_deref());
    }

    // ANCHOR: backtrace
    /// The pool thread's stack when the job panicked, the Qt worker's
    /// traceback. Closed until asked for: the message above says what went
    /// wrong, the frames say where, for whoever fixes it.
    fn show_backtrace(&self, backtrace: &str) {
        if backtrace.is_empty() {
            return; // no panic hook saw it: `resume_unwind` skips them
        }
        let frames = gtk::Label::builder()
            .label(backtrace)
            .selectable(true)
            .xalign(0.0)
            .yalign(0.0)
            .build();
        frames.add_css_class("monospace");
        let scroller = gtk::ScrolledWindow::builder()
            .child(&frames)
            .min_content_height(160)
            .build();
        let expander = gtk::Expander::builder()
            .label("Backtrace")
            .child(&scroller)
            .build();
        self.row.append(&expander);
    }
    // ANCHOR_END: backtrace
}
