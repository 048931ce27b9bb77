//! DANGER no longer runs the work in the click handler: it queues a job on
//! a `glib::ThreadPool` (`jobs.rs`), the Rust counterpart of Qt's
//! `QThreadPool` and `QRunnable`. The handler returns at once and the window
//! stays alive. CPU batch compares ways to run a computation on every core
//! (`bench.rs`, the batch of `batch.rs` on the worker of `plain_worker.rs`),
//! and 10,000 jobs ways to run many small jobs (`reuse.rs`).

use crate::bench::Bench;
use crate::jobs::{self, Jobs};
use crate::reuse::Reuse;
use gtk::prelude::*;
use lesson_kit::{About, Lesson, LessonWindow, Stage};
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Duration;

/// How long closing the window may wait for cancelled jobs to return.
const SHUTDOWN_PATIENCE: Duration = Duration::from_secs(2);

pub struct ThreadPoolLesson {
    pub window: LessonWindow,
    /// How long one job works.
    pub work: Duration,
    pub jobs: Rc<Jobs>,
    pub bench: Rc<Bench>,
    pub reuse: Rc<Reuse>,
    pub danger: gtk::Button,
    pub fail: gtk::Button,
    pub cancel: gtk::Button,
    pub batch: gtk::Button,
    pub small_jobs: gtk::Button,
}

impl Lesson for ThreadPoolLesson {
    const ABOUT: About = About {
        id: env!("CARGO_PKG_NAME"),
        title: env!("CARGO_PKG_DESCRIPTION"),
        summary: "DANGER queues the work on a glib::ThreadPool of three \
                  threads and returns at once. Press it more than three \
                  times and the extra jobs queue. Fail queues a job that \
                  panics: the error shows and the app carries on. CPU batch \
                  runs a computation on one thread, then three ways on every \
                  core. 10,000 jobs times many small jobs on a thread each, \
                  on a glib::ThreadPool and with gio::spawn_blocking.",
        default_work: Duration::from_secs(5),
    };

    fn build(stage: &Stage) -> Self {
        let window = stage.window.clone();
        let work = stage.options.work;
        let status = Rc::new(StatusLine::new(&window));
        let jobs = Jobs::new(&window, status.clone())
            .expect("glib can start the pool's threads");
        let bench = Bench::new(&window, work, status.clone());
        let reuse = Reuse::new(&window, status);
        let danger = window.add_button("DANGER!");
        let fail = window.add_button("Fail");
        let cancel = window.add_button("Cancel all");
        let batch = window.add_button("CPU batch");
        let small_jobs = window.add_button("10,000 jobs");

        // ANCHOR: buttons
        danger.connect_clicked(glib::clone!(
            #[weak]
            jobs,
            move |_| {
                jobs.queue("DANGER", move |reporter| {
                    jobs::simulated_work(work, reporter)
                });
            }
        ));
        fail.connect_clicked(glib::clone!(
            #[weak]
            jobs,
            move |_| jobs.queue("Fail", jobs::buggy_work)
        ));
        cancel.connect_clicked(glib::clone!(
            #[weak]
            jobs,
            move |_| jobs.cancel_all()
        ));
        // ANCHOR_END: buttons
        // ANCHOR: batch_button
        batch.connect_clicked(glib::clone!(
            #[weak]
            bench,
            move |button| {
                button.set_sensitive(false);
                glib::spawn_future_local(glib::clone!(
                    #[strong]
                    button,
                    async move {
                        bench.tell(bench.compare().await);
                        button.set_sensitive(true);
                    }
                ));
            }
        ));
        // ANCHOR_END: batch_button
        small_jobs.connect_clicked(glib::clone!(
            #[weak]
            reuse,
            move |button| {
                button.set_sensitive(false);
                glib::spawn_future_local(glib::clone!(
                    #[strong]
                    button,
                    async move {
                        reuse.tell(reuse.compare().await);
                        button.set_sensitive(true);
                    }
                ));
            }
        ));

        Self {
            window,
            work,
            jobs,
            bench,
            reuse,
            danger,
            fail,
            cancel,
            batch,
            small_jobs,
        }
    }

    fn shutdown(&self) -> Result<(), String> {
        // ANCHOR: shutdown
        // Halts a CPU batch if one runs (a running piece ends its piece, the
        // others never start), cancels every job (a running one returns
        // within one step, a queued one never starts), stops queueing small
        // jobs, waits for them all, and frees every pool: no work outlives
        // the window.
        self.bench.halt();
        let jobs = self.jobs.shutdown(SHUTDOWN_PATIENCE);
        let batches = self.bench.stop(SHUTDOWN_PATIENCE);
        let small_jobs = self.reuse.stop(SHUTDOWN_PATIENCE);
        jobs.and(batches).and(small_jobs)
        // ANCHOR_END: shutdown
    }
}

/// The window's status line: what is going on now, then the last thing
/// worth telling (a job's error, the end of a batch); "Ready." when there
/// is neither.
pub struct StatusLine {
    window: LessonWindow,
    jobs: RefCell<String>,
    batch: RefCell<String>,
    notice: RefCell<String>,
}

impl StatusLine {
    fn new(window: &LessonWindow) -> Self {
        Self {
            window: window.clone(),
            jobs: RefCell::default(),
            batch: RefCell::default(),
            notice: RefCell::default(),
        }
    }

    /// What the jobs are doing: "3 jobs running", or nothing.
    pub fn set_jobs(&self, now: String) {
        self.jobs.replace(now);
        self.show();
    }

    /// What the CPU batch is doing, or nothing.
    pub fn set_batch(&self, now: String) {
        self.batch.replace(now);
        self.show();
    }

    pub fn tell(&self, notice: &str) {
        self.notice.replace(notice.to_owned());
        self.show();
    }

    fn show(&self) {
        let (jobs, batch) = (self.jobs.borrow(), self.batch.borrow());
        let now: Vec<&str> = [jobs.as_str(), batch.as_str()]
            .into_iter()
            .filter(|part| !part.is_empty())
            .collect();
        let notice = self.notice.borrow();
        let text = match (now.is_empty(), notice.is_empty()) {
            (true, true) => "Ready.".to_owned(),
            (true, false) => notice.clone(),
            (false, _) => format!("Working: {}. {notice}", now.join(", ")),
        };
        self.window.set_status(text.trim_end());
    }
}
