//! The CPU batch button: one batch, run on one thread and then three ways
//! on every core, each run's figures in a table. The window's own thread
//! needs a core too: the table, the counter and the live graph show what
//! each way costs it.

use crate::batch::{self, Batch, BatchRun, NICE};
use crate::pattern::StatusLine;
use gtk::prelude::*;
use lesson_kit::LessonWindow;
use std::cell::{Cell, RefCell};
use std::rc::{Rc, Weak};
use std::time::Duration;

/// One way to run the batch.
#[derive(Debug, Clone, Copy)]
pub struct Variant {
    pub name: &'static str,
    pub threads: u32,
    /// The nice value its threads take; `None`: the window's own.
    pub nice: Option<i32>,
}

// ANCHOR: variants
/// The runs of the comparison, in order: one thread, the reference for the
/// speedups, then three ways to use every core. The last is the one to use.
pub fn variants() -> [Variant; 4] {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let cores = u32::try_from(cores).unwrap_or(1);
    let but_one = cores.saturating_sub(1).max(1);
    [
        Variant { name: "one thread", threads: 1, nice: None },
        Variant { name: "all cores", threads: cores, nice: None },
        Variant { name: "all cores but one", threads: but_one, nice: None },
        Variant { name: "all cores, nice", threads: cores, nice: Some(NICE) },
    ]
}
// ANCHOR_END: variants

/// One run's line of the table.
pub struct BenchRow {
    pub variant: Variant,
    /// "waiting", "running", then the wall time ("1207 ms") or "failed".
    pub time: gtk::Label,
    /// The one-thread run's time over this one's: "1.97x".
    pub speedup: gtk::Label,
    /// Seconds of CPU the pieces took per second of wall time: "1.95".
    pub cpu: gtk::Label,
    /// "reference" for one thread, then "same" or "different" answer.
    pub answer: gtk::Label,
}

/// The comparison's table and the batches it runs. Main thread only.
pub struct Bench {
    work: Duration,
    status: Rc<StatusLine>,
    pub rows: Vec<BenchRow>,
    /// Whoever runs a batch owns it; the bench only looks, to stop it when
    /// the window closes.
    batches: RefCell<Vec<Weak<Batch>>>,
    /// Set by shutdown: no batch may start after it.
    closing: Cell<bool>,
}

impl Bench {
    pub fn new(
        window: &LessonWindow,
        work: Duration,
        status: Rc<StatusLine>,
    ) -> Rc<Self> {
        let grid = gtk::Grid::builder()
            .column_spacing(12)
            .row_spacing(2)
            .halign(gtk::Align::Center)
            .build();
        let headers =
            ["CPU batch", "threads", "nice", "time", "speedup", "CPU/s", ""];
        for (column, header) in (0..).zip(headers) {
            grid.attach(&cell(header), column, 0, 1, 1);
        }
        let mut rows = Vec::new();
        for (line, variant) in (1..).zip(variants()) {
            let nice = variant.nice.map_or("-".into(), |n| n.to_string());
            let threads = variant.threads.to_string();
            let row = BenchRow {
                variant,
                time: cell("-"),
                speedup: cell(""),
                cpu: cell(""),
                answer: cell(""),
            };
            let cells = [&cell(variant.name), &cell(&threads), &cell(&nice)];
            let more = [&row.time, &row.speedup, &row.cpu, &row.answer];
            for (column, label) in (0..).zip(cells.into_iter().chain(more)) {
                grid.attach(label, column, line, 1, 1);
            }
            rows.push(row);
        }
        window.add(&grid);
        Rc::new(Self {
            work,
            status,
            rows,
            batches: RefCell::default(),
            closing: Cell::new(false),
        })
    }

    // ANCHOR: compare
    /// The CPU batch button's work, on the main loop: sizes the batch to
    /// take half the lesson's work on one thread, then runs it every way in
    /// turn. Each run awaits its pieces, so the window stays free meanwhile.
    pub async fn compare(&self) -> Result<(), String> {
        for row in &self.rows {
            row.show_state("waiting");
        }
        let rate = batch::rounds_per_ms(&*self.start(1, None)?).await?;
        let one_thread_ms = self.work.as_secs_f64() * 1000.0 / 2.0;
        let rounds = (rate * one_thread_ms / batch::PIECES as f64) as u64;
        let mut reference = None;
        for row in &self.rows {
            let Variant { threads, nice, .. } = row.variant;
            row.show_state("running");
            let batch = self.start(threads, nice)?;
            self.status.set_batch(describe(&batch));
            let run = batch::run(&batch, rounds).await;
            drop(batch);
            self.status.set_batch(String::new());
            let run = run.inspect_err(|_| row.show_state("failed"))?;
            row.show_run(&run, reference.as_ref());
            reference.get_or_insert(run);
        }
        Ok(())
    }
    // ANCHOR_END: compare

    /// A batch on a pool of its own, which the window's shutdown can stop.
    fn start(
        &self,
        threads: u32,
        nice: Option<i32>,
    ) -> Result<Rc<Batch>, String> {
        if self.closing.get() {
            return Err("the window is closing".to_owned());
        }
        let batch = Rc::new(Batch::new(threads, nice)?);
        let mut batches = self.batches.borrow_mut();
        batches.retain(|batch| batch.strong_count() > 0);
        batches.push(Rc::downgrade(&batch));
        Ok(batch)
    }

    /// Tells how the comparison ended, on the status line.
    pub fn tell(&self, outcome: Result<(), String>) {
        self.status.set_batch(String::new());
        self.status.tell(&match outcome {
            Ok(()) => "CPU batch: every run is in the table.".to_owned(),
            Err(message) => format!("CPU batch failed: {message}"),
        });
    }

    /// For shutdown, first: no batch may start any more, and the running
    /// ones start no more pieces, while the jobs are being stopped.
    pub fn halt(&self) {
        self.closing.set(true);
        for batch in self.batches.borrow().iter().filter_map(Weak::upgrade) {
            batch.halt();
        }
    }

    /// For shutdown, then: waits for every batch's running pieces, up to
    /// `patience` each, and frees their pools.
    pub fn stop(&self, patience: Duration) -> Result<(), String> {
        let batches = self.batches.take();
        let mut outcome = Ok(());
        for batch in batches.iter().filter_map(Weak::upgrade) {
            // Every batch is stopped, even after one failed to stop in time.
            outcome = outcome.and(batch.stop(patience));
        }
        outcome
    }
}

/// "a CPU batch on 2 threads at nice 10", for the status line.
fn describe(batch: &Batch) -> String {
    let threads = batch.threads();
    let plural = if threads == 1 { "" } else { "s" };
    let nice = batch.nice().map_or(String::new(), |n| format!(" at nice {n}"));
    format!("a CPU batch on {threads} thread{plural}{nice}")
}

impl BenchRow {
    fn show_state(&self, state: &str) {
        self.time.set_label(state);
        for label in [&self.speedup, &self.cpu, &self.answer] {
            label.set_label("");
        }
    }

    fn show_run(&self, run: &BatchRun, reference: Option<&BatchRun>) {
        let wall = run.wall.as_secs_f64();
        self.time.set_label(&format!("{:.0} ms", wall * 1000.0));
        let one_thread = reference.map_or(wall, |r| r.wall.as_secs_f64());
        self.speedup.set_label(&format!("{:.2}x", one_thread / wall));
        let cpu_per_wall = run.cpu.as_secs_f64() / wall;
        self.cpu.set_label(&format!("{cpu_per_wall:.2}"));
        self.answer.set_label(match reference {
            None => "reference",
            Some(r) if r.checksum == run.checksum => "same",
            Some(_) => "different",
        });
    }
}

fn cell(text: &str) -> gtk::Label {
    gtk::Label::builder().label(text).xalign(1.0).build()
}
