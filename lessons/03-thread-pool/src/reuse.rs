//! The 10,000 jobs button: many small jobs, run three ways, each way's cost
//! per job in a table. Starting a thread costs far more than handing a job
//! to a thread that is already there, and that is what a pool is for.

use crate::pattern::StatusLine;
use gtk::gio;
use gtk::prelude::*;
use lesson_kit::LessonWindow;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};
use std::time::{Duration, Instant};

/// How many jobs each way runs.
pub const JOBS: usize = 10_000;
/// A thread per job starts this many threads, then joins them all, so that
/// ten thousand stacks never exist at once.
const WAVE: usize = 100;

/// One slot per job, which the job marks: a job run twice, or never, shows.
type Slots = Arc<[AtomicU32]>;

// ANCHOR: small_job
/// The whole of a job. Trivial on purpose: what is left to time is the cost
/// of getting a job onto a thread and knowing it ran.
fn small_job(slots: &[AtomicU32], job: usize) {
    slots[job].fetch_add(1, Ordering::Relaxed);
}
// ANCHOR_END: small_job

/// The ways to run the jobs, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Way {
    ThreadPerJob,
    GlibPool,
    SpawnBlocking,
}

pub const WAYS: [Way; 3] =
    [Way::ThreadPerJob, Way::GlibPool, Way::SpawnBlocking];

impl Way {
    pub fn name(self) -> &'static str {
        match self {
            Way::ThreadPerJob => "a thread per job",
            Way::GlibPool => "glib::ThreadPool",
            Way::SpawnBlocking => "gio::spawn_blocking",
        }
    }

    /// Runs the jobs this way, on the calling thread, which is never the
    /// window's: every way waits for its jobs.
    fn run(self, slots: &Slots, stop: &AtomicBool) -> Result<(), String> {
        match self {
            Way::ThreadPerJob => thread_per_job(slots, stop),
            Way::GlibPool => on_a_glib_pool(slots, stop),
            Way::SpawnBlocking => on_gio_threads(slots, stop),
        }
    }
}

/// What a way took, as the table shows it.
pub struct Timing {
    /// From the way's start (a pool's threads are started in it) to the last
    /// job known to be done, over the number of jobs.
    pub per_job: Duration,
    /// The jobs that ran exactly once: all of them, or something is wrong.
    pub ran_once: usize,
}

/// Runs the jobs `way`, on the calling thread, and times them. Once `stop`
/// is set, no more jobs are queued, and the outcome is an error.
pub fn time(way: Way, stop: &AtomicBool) -> Result<Timing, String> {
    let slots: Slots = (0..JOBS).map(|_| AtomicU32::new(0)).collect();
    let started = Instant::now();
    way.run(&slots, stop)?;
    let per_job = started.elapsed() / JOBS as u32;
    let once = slots.iter().filter(|slot| slot.load(Ordering::Relaxed) == 1);
    Ok(Timing { per_job, ran_once: once.count() })
}

// ANCHOR: thread_per_job
/// A thread of its own for every job: started, then joined.
fn thread_per_job(slots: &Slots, stop: &AtomicBool) -> Result<(), String> {
    for wave in (0..JOBS).step_by(WAVE) {
        if stop.load(Ordering::Relaxed) {
            return Err("stopped".to_owned());
        }
        let mut threads = Vec::with_capacity(WAVE);
        for job in wave..(wave + WAVE).min(JOBS) {
            let slots = slots.clone();
            let thread = std::thread::Builder::new()
                .spawn(move || small_job(&slots, job))
                .map_err(|e| e.to_string())?;
            threads.push(thread);
        }
        for thread in threads {
            #[expect(
                clippy::disallowed_methods,
                reason = "the comparison's own thread, never the main loop"
            )]
            let ended = thread.join();
            ended.map_err(|_| "a job panicked".to_owned())?;
        }
    }
    Ok(())
}
// ANCHOR_END: thread_per_job

// ANCHOR: glib_pool
/// One thread per core, started once; every job is pushed and forgotten.
/// The last job to finish says so.
fn on_a_glib_pool(slots: &Slots, stop: &AtomicBool) -> Result<(), String> {
    let threads = std::thread::available_parallelism().map_or(1, |n| n.get());
    let threads = u32::try_from(threads).unwrap_or(1);
    let pool =
        glib::ThreadPool::exclusive(threads).map_err(|e| e.to_string())?;
    let done = Arc::new(AtomicUsize::new(0));
    let (last, all_done) = mpsc::sync_channel(1);
    for job in 0..JOBS {
        if stop.load(Ordering::Relaxed) {
            break;
        }
        let (slots, done, last) = (slots.clone(), done.clone(), last.clone());
        // The `ThreadHandle` that `push` returns is dropped at once: the job
        // runs all the same, and its value, or its panic, is thrown away.
        pool.push(move || {
            small_job(&slots, job);
            if done.fetch_add(1, Ordering::AcqRel) + 1 == JOBS {
                let _ = last.send(());
            }
        })
        .map_err(|e| e.to_string())?;
    }
    drop(last);
    // Every job holds a sender: if the loop stopped early, the channel
    // closes once the jobs pushed so far have run.
    #[expect(
        clippy::disallowed_methods,
        reason = "the comparison's own thread, never the main loop"
    )]
    let finished = all_done.recv();
    finished.map_err(|_| "stopped".to_owned())
}
// ANCHOR_END: glib_pool

// ANCHOR: spawn_blocking
/// GIO's own pool, which answers each job on the main context of the thread
/// that queued it: here a context of the comparison's thread, so that ten
/// thousand answers never wait in the window's main loop.
fn on_gio_threads(slots: &Slots, stop: &AtomicBool) -> Result<(), String> {
    let context = glib::MainContext::new();
    #[expect(
        clippy::disallowed_methods,
        reason = "the comparison's own thread runs its own context, never \
                  the window's"
    )]
    let ran = context.block_on(async {
        let mut answers = Vec::with_capacity(JOBS);
        for job in 0..JOBS {
            if stop.load(Ordering::Relaxed) {
                break;
            }
            let slots = slots.clone();
            answers.push(gio::spawn_blocking(move || small_job(&slots, job)));
        }
        let queued = answers.len();
        for answer in answers {
            answer.await.map_err(|_| "a job panicked".to_owned())?;
        }
        if queued < JOBS { Err("stopped".to_owned()) } else { Ok(()) }
    });
    ran
}
// ANCHOR_END: spawn_blocking

/// One way's line of the table.
pub struct ReuseRow {
    pub way: Way,
    /// "waiting", "running", then the microseconds per job, or "failed".
    pub per_job: gtk::Label,
    /// How many of the jobs ran exactly once.
    pub ran_once: gtk::Label,
}

/// The table, and the comparison's thread while it runs. Main thread only.
pub struct Reuse {
    status: Rc<StatusLine>,
    pub rows: Vec<ReuseRow>,
    /// Set by shutdown: the comparison queues no more jobs.
    stop: Arc<AtomicBool>,
    /// The comparison's thread holds the sender until it ends.
    running: RefCell<Option<mpsc::Receiver<()>>>,
}

impl Reuse {
    pub fn new(window: &LessonWindow, status: Rc<StatusLine>) -> Rc<Self> {
        let grid = gtk::Grid::builder()
            .column_spacing(12)
            .halign(gtk::Align::Center)
            .build();
        let headers = ["10,000 small jobs", "µs per job", "ran once"];
        for (column, header) in (0..).zip(headers) {
            grid.attach(&cell(header), column, 0, 1, 1);
        }
        let mut rows = Vec::new();
        for (line, way) in (1..).zip(WAYS) {
            let row = ReuseRow { way, per_job: cell("-"), ran_once: cell("") };
            grid.attach(&cell(way.name()), 0, line, 1, 1);
            grid.attach(&row.per_job, 1, line, 1, 1);
            grid.attach(&row.ran_once, 2, line, 1, 1);
            rows.push(row);
        }
        window.add(&grid);
        Rc::new(Self {
            status,
            rows,
            stop: Arc::default(),
            running: RefCell::default(),
        })
    }

    // ANCHOR: compare
    /// The button's work, on the main loop: one thread of its own runs every
    /// way in turn and sends each timing; the main loop only awaits them.
    pub async fn compare(&self) -> Result<(), String> {
        if self.stop.load(Ordering::Relaxed) {
            return Err("the window is closing".to_owned());
        }
        let (timings, timed) = async_channel::unbounded();
        let (alive, gone) = mpsc::channel::<()>();
        let stop = self.stop.clone();
        let comparison = move || {
            let _alive = alive;
            for way in WAYS {
                let timing = time(way, &stop);
                if timings.try_send(timing).is_err() {
                    return;
                }
            }
        };
        std::thread::Builder::new()
            .name("small jobs".to_owned())
            .spawn(comparison)
            .map_err(|e| e.to_string())?;
        self.running.replace(Some(gone));
        for row in &self.rows {
            row.show_state("waiting");
        }
        for row in &self.rows {
            row.show_state("running");
            let timing = timed.recv().await.unwrap_or(Err("stopped".into()));
            let timing = timing.inspect_err(|_| row.show_state("failed"))?;
            row.show(&timing);
        }
        Ok(())
    }
    // ANCHOR_END: compare

    /// Tells how the comparison ended, on the status line.
    pub fn tell(&self, outcome: Result<(), String>) {
        self.status.tell(&match outcome {
            Ok(()) => "10,000 jobs: every way is in the table.".to_owned(),
            Err(message) => format!("10,000 jobs failed: {message}"),
        });
    }

    /// For shutdown: no more jobs are queued, and the comparison's thread
    /// ends once the jobs queued so far have run (microseconds each); waits
    /// for it up to `patience`.
    pub fn stop(&self, patience: Duration) -> Result<(), String> {
        self.stop.store(true, Ordering::Relaxed);
        let Some(gone) = self.running.take() else { return Ok(()) };
        #[expect(
            clippy::disallowed_methods,
            reason = "the window is closing: shutdown's wait for the small \
                      jobs already queued, bounded by `patience`"
        )]
        let waited = gone.recv_timeout(patience);
        match waited {
            Err(mpsc::RecvTimeoutError::Timeout) => {
                Err(format!("the small jobs still ran after {patience:?}"))
            }
            Ok(()) | Err(mpsc::RecvTimeoutError::Disconnected) => Ok(()),
        }
    }
}

impl ReuseRow {
    fn show_state(&self, state: &str) {
        self.per_job.set_label(state);
        self.ran_once.set_label("");
    }

    fn show(&self, timing: &Timing) {
        let micros = timing.per_job.as_secs_f64() * 1e6;
        self.per_job.set_label(&format!("{micros:.2}"));
        self.ran_once.set_label(&timing.ran_once.to_string());
    }
}

fn cell(text: &str) -> gtk::Label {
    gtk::Label::builder().label(text).xalign(1.0).build()
}
