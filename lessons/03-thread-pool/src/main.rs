//! Lesson 03: the thread pool.
//!
//! DANGER no longer runs the work in the click handler: it queues a job on a `glib::ThreadPool`,
//! the Rust counterpart of `QThreadPool` + `QRunnable`. The handler returns at once, the window
//! stays alive, and the job reports back through the `worker` crate's events. Press it more
//! often than the pool has threads and the extra jobs wait in the pool's queue.

mod batch;
mod plain_worker;

use gtk::prelude::*;
use lesson_kit::{About, Findings, Lesson, LessonWindow, Pilot, ScenarioError, Stage, ms};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
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
                self.pool_status.set_label(&self.pool_status());
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
                    self.window.set_status(&format!("Job #{id} {message}. The app carries on."));
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
        self.pool_status.set_label(&self.pool_status());
    }

    fn cancel_all(&self) {
        for (_, canceller) in self.live.borrow().iter() {
            canceller.cancel();
        }
    }

    fn count(&self, wanted: impl Fn(&Milestone) -> bool) -> usize {
        self.timeline.borrow().iter().filter(|(_, milestone)| wanted(milestone)).count()
    }
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
        });
        jobs.pool_status.set_label(&jobs.pool_status());
        // The queue length is the pool's own number; a main-loop timer keeps the line fresh.
        glib::timeout_add_local(
            Duration::from_millis(50),
            glib::clone!(
                #[weak]
                jobs,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move || {
                    jobs.pool_status.set_label(&jobs.pool_status());
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
            window,
            #[weak]
            jobs,
            move |button| {
                button.set_sensitive(false);
                glib::spawn_future_local(glib::clone!(
                    #[strong]
                    window,
                    #[strong]
                    button,
                    #[strong]
                    jobs,
                    async move {
                        window.set_status("CPU batch: running on 1 thread, then one per core...");
                        let text = match compare_batches(jobs.work / 2).await {
                            Ok(batch) => format!(
                                "CPU batch: {:.0} ms on 1 thread, {:.0} ms on {} threads: {:.2}x",
                                batch.one_thread_ms,
                                batch.all_threads_ms,
                                batch.threads,
                                batch.speedup
                            ),
                            Err(message) => format!("CPU batch failed: {message}"),
                        };
                        window.set_status(&text);
                        button.set_sensitive(true);
                    }
                ));
            }
        ));

        Self { window, jobs, danger, fail }
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
        let batch = compare_batches(jobs.work / 2).await?;
        let heartbeat = pilot.heartbeat_since(started);

        // 4. Leave two jobs running: the kit closes the window on them, and shutdown must
        //    cancel them and join the pool's threads.
        pilot.press(&self.danger).await;
        pilot.press(&self.danger).await;
        pilot.wait_until("two jobs to start", patience, || jobs.running.get() == 2).await?;

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
            },
        })
    }
    // ANCHOR_END: autopilot

    fn shutdown(&self) -> Result<(), String> {
        // ANCHOR: shutdown
        // Cancels every job (a running one returns within one step, a queued one never
        // starts), waits for them, and joins the pool's threads: nothing outlives the window.
        self.jobs.pool.shutdown(SHUTDOWN_PATIENCE)
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
async fn compare_batches(target: Duration) -> Result<BatchFigures, String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = u32::try_from(threads).unwrap_or(1);
    let rounds_per_ms = batch::rounds_per_ms().await?;
    let rounds = (rounds_per_ms * target.as_secs_f64() * 1000.0 / batch::PIECES as f64) as u64;
    let one = batch::run(1, rounds).await?;
    let all = batch::run(threads, rounds).await?;
    Ok(BatchFigures {
        threads,
        pieces: batch::PIECES,
        one_thread_ms: ms(one.wall),
        all_threads_ms: ms(all.wall),
        speedup: (one.wall.as_secs_f64() / all.wall.as_secs_f64() * 100.0).round() / 100.0,
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
    /// Both runs computed the same result.
    results_agree: bool,
}
