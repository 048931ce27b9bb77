//! Lesson 03: the thread pool.
//!
//! DANGER no longer runs the work in the click handler: it queues a job on a `glib::ThreadPool`,
//! the Rust counterpart of `QThreadPool` + `QRunnable`. The handler returns at once, the window
//! stays alive, and the job reports back through the `worker` crate's events. Press it more
//! often than the pool has threads and the extra jobs wait in the pool's queue.

mod batch;
mod plain_worker;

use batch::Batch;
use gtk::prelude::*;
use lesson_kit::{About, Findings, Lesson, LessonWindow, Pilot, ScenarioError, Stage, ms};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::{Duration, Instant};
use worker::{Cancelled, Canceller, Ending, Event, Job, JobError, JobPool, Reporter};

fn main() -> std::process::ExitCode {
    lesson_kit::run::<ThreadPoolLesson>()
}

/// The pool's size, Qt's `maxThreadCount`. Small on purpose, so that queueing is easy to see.
const MAX_THREADS: u32 = 3;
/// Each job does its work in this many steps, reporting progress and looking for a cancel.
const STEPS: u32 = 50;
/// How long closing the window may wait for cancelled jobs to return.
const SHUTDOWN_PATIENCE: Duration = Duration::from_secs(2);

// ANCHOR: job
/// The same five seconds of work as lesson 01, now on a pool thread. Blocking here blocks one
/// pool thread and nothing else.
fn simulated_work(work: Duration, reporter: &Reporter) -> Result<Duration, Cancelled> {
    let started = Instant::now();
    for step in 1..=STEPS {
        reporter.check_cancelled()?;
        #[expect(
            clippy::disallowed_methods,
            reason = "runs on a pool thread, never the main loop"
        )]
        std::thread::sleep(work / STEPS);
        reporter.progress_with_message(f64::from(step) / f64::from(STEPS), format!("step {step}"));
    }
    Ok(started.elapsed())
}

/// What the Fail button queues: a job with a bug in it.
fn buggy_work(reporter: &Reporter) -> Result<Duration, Cancelled> {
    reporter.progress(0.3);
    let answer: u32 = "forty-two".parse().expect("the input is a number");
    Ok(Duration::from_millis(u64::from(answer)))
}
// ANCHOR_END: job

type WorkJob = Job<Duration, Cancelled>;

struct ThreadPoolLesson {
    window: LessonWindow,
    jobs: Rc<Jobs>,
    danger: gtk::Button,
    fail: gtk::Button,
    batch: gtk::Button,
}

/// The pool, the jobs on it, and the rows that show them. Main thread only.
struct Jobs {
    pool: JobPool,
    work: Duration,
    window: LessonWindow,
    rows: gtk::Box,
    pool_status: gtk::Label,
    next_id: Cell<u32>,
    running: Cell<u32>,
    finished: Cell<u32>,
    /// Jobs not yet finished, so that Cancel and shutdown can reach them.
    live: RefCell<Vec<(u32, Canceller)>>,
    /// Started and finished events in the order the main loop received them.
    timeline: RefCell<Vec<(u32, Milestone)>>,
    max_queued: Cell<u32>,
    max_running: Cell<u32>,
    /// CPU batches on pools of their own. Whoever runs one owns it; the window only looks, to
    /// show it and to stop it when it closes.
    batches: RefCell<Vec<Weak<Batch>>>,
    /// Set by shutdown: no batch may start after it.
    closing: Cell<bool>,
    /// The last thing worth telling that is not going on any more: an error, a batch's figures.
    notice: RefCell<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Milestone {
    Started,
    Finished(Ending),
    Result,
    Error(String),
}

/// One job's line in the window: its name and state, and its progress bar.
struct JobRow {
    name: String,
    label: gtk::Label,
    progress: gtk::ProgressBar,
}

impl Jobs {
    /// Shows the current state on the pool line and the status line.
    fn refresh(&self) {
        self.pool_status.set_label(&self.pool_status());
        self.window.set_status(&self.status());
    }

    fn tell(&self, notice: &str) {
        self.notice.replace(notice.to_owned());
        self.refresh();
    }

    /// What is going on now, then the last notice; "Ready." only when there is neither.
    fn status(&self) -> String {
        let mut now = Vec::new();
        let (running, queued) = (self.running.get(), self.pool.queued());
        if running > 0 {
            now.push(format!("{} running", n_jobs(running)));
        }
        if queued > 0 {
            now.push(format!("{} waiting for a free thread", n_jobs(queued)));
        }
        if let Some(batch) = self.running_batch() {
            let threads = batch.threads();
            now.push(format!(
                "a CPU batch on {threads} thread{}",
                if threads == 1 { "" } else { "s" }
            ));
        }
        let notice = self.notice.borrow();
        match (now.is_empty(), notice.is_empty()) {
            (true, true) => "Ready.".to_owned(),
            (true, false) => notice.clone(),
            (false, true) => format!("Working: {}.", now.join(", ")),
            (false, false) => format!("Working: {}. {notice}", now.join(", ")),
        }
    }

    fn pool_status(&self) -> String {
        let queued = self.pool.queued();
        self.max_queued.set(self.max_queued.get().max(queued));
        format!(
            "Pool: {} running, {queued} queued, at most {MAX_THREADS} threads; {} finished",
            self.running.get(),
            self.finished.get()
        )
    }

    // ANCHOR: queue
    /// DANGER's handler: queue a job and return at once. The job runs whenever a pool
    /// thread is free; `follow` shows its events as they come.
    fn queue(
        self: &Rc<Self>,
        name: &str,
        work: impl FnOnce(&Reporter) -> Result<Duration, Cancelled> + Send + 'static,
    ) {
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

    async fn follow(self: Rc<Self>, id: u32, mut job: WorkJob, row: JobRow) {
        while let Some(event) = job.next().await {
            match event {
                Event::Started => {
                    self.running.set(self.running.get() + 1);
                    self.max_running.set(self.max_running.get().max(self.running.get()));
                    row.show_state("running");
                    row.progress.set_text(Some("started"));
                    self.note(id, Milestone::Started);
                }
                Event::Progress(progress) => {
                    row.progress.set_fraction(progress.fraction);
                    row.progress.set_text(progress.message.as_deref());
                }
                Event::Result(ran) => {
                    row.show_state(&format!("done after {:.1} s", ran.as_secs_f64()));
                    self.note(id, Milestone::Result);
                }
                Event::Error(error) => {
                    let message = match error {
                        JobError::Panicked(message) => format!("panicked: {message}"),
                        JobError::Failed(cancelled) => cancelled.to_string(),
                    };
                    row.show_state(&message);
                    self.tell(&format!("Job #{id} {message}. The app carries on."));
                    self.note(id, Milestone::Error(message));
                }
                Event::Finished(ending) => {
                    if ending == Ending::Cancelled {
                        row.show_state("cancelled");
                    }
                    self.finish(id, ending);
                }
            }
        }
    }
    // ANCHOR_END: queue

    fn finish(&self, id: u32, ending: Ending) {
        let was_running = self.timeline.borrow().contains(&(id, Milestone::Started));
        if was_running {
            self.running.set(self.running.get() - 1);
        }
        self.finished.set(self.finished.get() + 1);
        self.live.borrow_mut().retain(|(live, _)| *live != id);
        self.note(id, Milestone::Finished(ending));
    }

    fn note(&self, id: u32, milestone: Milestone) {
        self.timeline.borrow_mut().push((id, milestone));
        self.refresh();
    }

    fn cancel_all(&self) {
        for (_, canceller) in self.live.borrow().iter() {
            canceller.cancel();
        }
    }

    fn count(&self, wanted: impl Fn(&Milestone) -> bool) -> usize {
        self.timeline.borrow().iter().filter(|(_, milestone)| wanted(milestone)).count()
    }

    /// A batch on a pool of `threads` threads of its own, which the window's shutdown can stop.
    fn start_batch(&self, threads: u32) -> Result<Rc<Batch>, String> {
        if self.closing.get() {
            return Err("the window is closing".to_owned());
        }
        let batch = Rc::new(Batch::new(threads)?);
        let mut batches = self.batches.borrow_mut();
        batches.retain(|batch| batch.strong_count() > 0);
        batches.push(Rc::downgrade(&batch));
        Ok(batch)
    }

    fn running_batch(&self) -> Option<Rc<Batch>> {
        self.batches.borrow().iter().filter_map(Weak::upgrade).find(|batch| batch.is_running())
    }

    /// For shutdown, first: no batch may start any more, and the running ones start no more
    /// pieces, while the jobs are being stopped.
    fn halt_batches(&self) {
        self.closing.set(true);
        for batch in self.batches.borrow().iter().filter_map(Weak::upgrade) {
            batch.halt();
        }
    }

    /// For shutdown, then: waits for every batch's running pieces, up to `patience` each, and
    /// frees their pools.
    fn stop_batches(&self, patience: Duration) -> Result<(), String> {
        let batches: Vec<_> = self.batches.take().iter().filter_map(Weak::upgrade).collect();
        let mut outcome = Ok(());
        for batch in batches {
            // Every batch is stopped, even after one failed to stop in time.
            let stopped = batch.stop(patience);
            outcome = outcome.and(stopped);
        }
        outcome
    }
}

/// "1 job", "3 jobs".
fn n_jobs(n: u32) -> String {
    format!("{n} job{}", if n == 1 { "" } else { "s" })
}

impl JobRow {
    fn new(rows: &gtk::Box, name: &str) -> Self {
        let label = gtk::Label::builder().label(format!("{name}: queued")).xalign(0.0).build();
        label.set_width_chars(24);
        let progress = gtk::ProgressBar::builder().show_text(true).hexpand(true).build();
        progress.set_text(Some("waiting for a thread"));
        let line = gtk::Box::new(gtk::Orientation::Horizontal, 12);
        line.append(&label);
        line.append(&progress);
        rows.append(&line);
        Self { name: name.to_owned(), label, progress }
    }

    fn show_state(&self, state: &str) {
        self.label.set_label(&format!("{}: {state}", self.name));
    }
}

impl Lesson for ThreadPoolLesson {
    const ABOUT: About = About {
        id: "lesson-03-thread-pool",
        title: "Lesson 03: the thread pool",
        summary: "DANGER queues the work on a glib::ThreadPool of three threads and returns at \
                  once. Press it more than three times and the extra jobs queue. Fail queues a \
                  job that panics: the error shows and the app carries on. CPU batch compares \
                  one thread with one per core.",
        default_work: Duration::from_secs(5),
    };
    type Details = Details;

    fn build(stage: &Stage) -> Self {
        let window = stage.window.clone();
        let pool_status = gtk::Label::new(None);
        let rows = gtk::Box::new(gtk::Orientation::Vertical, 6);
        let scroller = gtk::ScrolledWindow::builder()
            .child(&rows)
            .min_content_height(220)
            .hscrollbar_policy(gtk::PolicyType::Never)
            .build();
        window.add(&pool_status);
        window.add(&scroller);

        // ANCHOR: pool
        // Three threads of our own, in a `glib::ThreadPool` that the worker crate's `JobPool`
        // wraps so that shutdown can stop every job. Jobs beyond three wait in the queue.
        let pool = JobPool::exclusive(MAX_THREADS).expect("glib can start threads");
        // ANCHOR_END: pool
        let jobs = Rc::new(Jobs {
            pool,
            work: stage.options.work,
            window: window.clone(),
            rows,
            pool_status,
            next_id: Cell::new(0),
            running: Cell::new(0),
            finished: Cell::new(0),
            live: RefCell::default(),
            timeline: RefCell::default(),
            max_queued: Cell::new(0),
            max_running: Cell::new(0),
            batches: RefCell::default(),
            closing: Cell::new(false),
            notice: RefCell::default(),
        });
        jobs.refresh();
        // The queue length is the pool's own number, and a batch says nothing until it ends: a
        // main-loop timer keeps both lines fresh.
        glib::timeout_add_local(
            Duration::from_millis(50),
            glib::clone!(
                #[weak]
                jobs,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move || {
                    jobs.refresh();
                    glib::ControlFlow::Continue
                }
            ),
        );

        let danger = window.add_button("DANGER!");
        let fail = window.add_button("Fail");
        let cancel = window.add_button("Cancel all");
        let batch = window.add_button("CPU batch");

        // ANCHOR: buttons
        danger.connect_clicked(glib::clone!(
            #[weak]
            jobs,
            move |_| {
                let work = jobs.work;
                jobs.queue("DANGER", move |reporter| simulated_work(work, reporter));
            }
        ));
        fail.connect_clicked(glib::clone!(
            #[weak]
            jobs,
            move |_| jobs.queue("Fail", buggy_work)
        ));
        cancel.connect_clicked(glib::clone!(
            #[weak]
            jobs,
            move |_| jobs.cancel_all()
        ));
        // ANCHOR_END: buttons
        batch.connect_clicked(glib::clone!(
            #[weak]
            jobs,
            move |button| {
                button.set_sensitive(false);
                glib::spawn_future_local(glib::clone!(
                    #[strong]
                    button,
                    #[strong]
                    jobs,
                    async move {
                        let text = match compare_batches(&jobs, jobs.work / 2).await {
                            Ok(batch) => format!(
                                "CPU batch: {:.0} ms on 1 thread, {:.0} ms on {} threads: \
                                 {:.2}x, {:.2} s of CPU per second",
                                batch.one_thread_ms,
                                batch.all_threads_ms,
                                batch.threads,
                                batch.speedup,
                                batch.cpu_per_wall
                            ),
                            Err(message) => format!("CPU batch failed: {message}"),
                        };
                        jobs.tell(&text);
                        button.set_sensitive(true);
                    }
                ));
            }
        ));

        Self { window, jobs, danger, fail, batch }
    }

    // ANCHOR: autopilot
    async fn autopilot(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let jobs = &self.jobs;
        let patience = jobs.work * 10 + Duration::from_secs(10);
        let finished = |n: u32| move || jobs.finished.get() >= n;

        // 1. More DANGER presses than threads: three run, two queue, all five report back.
        let started = Instant::now();
        let presses = MAX_THREADS + 2;
        for _ in 0..presses {
            pilot.press(&self.danger).await;
        }
        pilot.sleep(jobs.work / 4).await;
        let status_while_working = self.window.status();
        pilot.screenshot().await;
        pilot.wait_until("the first five jobs", patience, finished(presses)).await?;
        let work_wall = started.elapsed();
        let results = jobs.count(|m| *m == Milestone::Result);

        // 2. A job that panics: its error shows in its row, and the pool keeps working.
        pilot.press(&self.fail).await;
        pilot.wait_until("the failing job", patience, finished(presses + 1)).await?;
        let error_shown = self.window.status();
        pilot.press(&self.danger).await;
        pilot.wait_until("a job after the panic", patience, finished(presses + 2)).await?;
        let after_panic = jobs.timeline.borrow().last().cloned();

        // 3. The CPU batch, on one thread and on one per core.
        let batch = compare_batches(jobs, jobs.work / 2).await?;
        let heartbeat = pilot.heartbeat_since(started);

        // 4. Leave two jobs and a CPU batch running: the kit closes the window on them, and
        //    shutdown must stop them all.
        pilot.press(&self.danger).await;
        pilot.press(&self.danger).await;
        pilot.wait_until("two jobs to start", patience, || jobs.running.get() == 2).await?;
        pilot.press(&self.batch).await;
        let batch_started = || jobs.running_batch().is_some();
        pilot.wait_until("the CPU batch to start", patience, batch_started).await?;
        pilot.sleep(jobs.work / 10).await;

        Ok(Findings {
            heartbeat,
            work_wall,
            details: Details {
                max_threads: MAX_THREADS,
                jobs_queued: presses,
                max_queued: jobs.max_queued.get(),
                max_running: jobs.max_running.get(),
                queued_jobs_waited_for_a_finish: queued_waited(&jobs.timeline.borrow(), presses),
                results_collected: u32::try_from(results).unwrap_or(u32::MAX),
                error_shown,
                pool_survived_panic: after_panic
                    == Some((presses + 2, Milestone::Finished(Ending::Succeeded))),
                cpu_batch: batch,
                running_at_close: jobs.running.get(),
                batch_running_at_close: jobs.running_batch().is_some(),
                status_while_working,
            },
        })
    }
    // ANCHOR_END: autopilot

    fn shutdown(&self) -> Result<(), String> {
        // ANCHOR: shutdown
        // Halts a CPU batch if one runs (a running piece ends its piece, the others never
        // start), cancels every job (a running one returns within one step, a queued one never
        // starts), waits for them all, and frees both pools: no work outlives the window.
        self.jobs.halt_batches();
        let jobs = self.jobs.pool.shutdown(SHUTDOWN_PATIENCE);
        let batches = self.jobs.stop_batches(SHUTDOWN_PATIENCE);
        jobs.and(batches)
        // ANCHOR_END: shutdown
    }
}

/// Whether every job beyond the pool's size started only after some job had finished.
fn queued_waited(timeline: &[(u32, Milestone)], presses: u32) -> bool {
    let first_finish = timeline.iter().position(|(_, m)| matches!(m, Milestone::Finished(_)));
    (MAX_THREADS + 1..=presses).all(|id| {
        let start = timeline.iter().position(|entry| *entry == (id, Milestone::Started));
        matches!((start, first_finish), (Some(start), Some(finish)) if start > finish)
    })
}

/// The batch, sized to take about `target` on one thread, run on one thread and on one per core.
async fn compare_batches(jobs: &Jobs, target: Duration) -> Result<BatchFigures, String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = u32::try_from(threads).unwrap_or(1);
    let single = jobs.start_batch(1)?;
    let rounds_per_ms = batch::rounds_per_ms(&single).await?;
    let rounds = (rounds_per_ms * target.as_secs_f64() * 1000.0 / batch::PIECES as f64) as u64;
    let one = batch::run(&single, rounds).await?;
    drop(single);
    let all = batch::run(&*jobs.start_batch(threads)?, rounds).await?;
    let ratio =
        |a: Duration, b: Duration| (a.as_secs_f64() / b.as_secs_f64() * 100.0).round() / 100.0;
    Ok(BatchFigures {
        threads,
        pieces: batch::PIECES,
        one_thread_ms: ms(one.wall),
        all_threads_ms: ms(all.wall),
        speedup: ratio(one.wall, all.wall),
        cpu_per_wall: ratio(all.cpu, all.wall),
        idle_per_wall: all.idle.map(|idle| ratio(idle, all.wall)),
        one_thread_cpu_per_wall: ratio(one.cpu, one.wall),
        results_agree: one.checksum == all.checksum,
    })
}

/// What lesson 03 reports besides the common fields. `work.wall_ms` is the first five jobs,
/// from the first press to the last result; the heartbeat covers everything up to the batch.
#[derive(Serialize)]
struct Details {
    /// The pool's size.
    max_threads: u32,
    /// DANGER presses in the first step, two more than the pool has threads.
    jobs_queued: u32,
    /// The most jobs the pool held in its queue at once (`ThreadPool::unprocessed`).
    max_queued: u32,
    /// The most jobs running at once, by their Started and Finished events.
    max_running: u32,
    /// Every job beyond the pool's size started only after another job had finished.
    queued_jobs_waited_for_a_finish: bool,
    /// Result events received for the first five jobs.
    results_collected: u32,
    /// The status line after the Fail job, as the window shows it.
    error_shown: String,
    /// A job queued after the panic ran and succeeded.
    pool_survived_panic: bool,
    cpu_batch: BatchFigures,
    /// Jobs still running when the autopilot closed the window.
    running_at_close: u32,
    /// A CPU batch was running too when it closed the window.
    batch_running_at_close: bool,
    /// The status line while three jobs ran and two waited, as the window showed it.
    status_while_working: String,
}

#[derive(Serialize)]
struct BatchFigures {
    /// Threads of the second run: one per core.
    threads: u32,
    pieces: u64,
    one_thread_ms: f64,
    all_threads_ms: f64,
    /// `one_thread_ms / all_threads_ms`.
    speedup: f64,
    /// The CPU time the pieces of the second run took, all threads together, over its wall
    /// time: above 1 only if pieces ran at the same time on different cores.
    cpu_per_wall: f64,
    /// The CPU time the machine left idle meanwhile, all cores together, over the same wall
    /// time: with `cpu_per_wall`, what the rest of the machine left to the batch.
    idle_per_wall: Option<f64>,
    /// The same for the run on one thread: never above 1, the check that the measure is sound.
    one_thread_cpu_per_wall: f64,
    /// Both runs computed the same result.
    results_agree: bool,
}
