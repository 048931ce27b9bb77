//! Lesson 08's pattern: waiting on the main loop without a thread. Every
//! wait is an `.await` in a future spawned with `glib::spawn_future_local`:
//! gio's async writes and reads (here), a timer future and one blocking job
//! handed to gio's pool (`jobs.rs`). The main loop runs everything else in
//! between.

use crate::disk::{self, CHUNKS, TempDir, Transferred};
use crate::jobs::Hashing;
use crate::view::{Busy, MIB, View};
use gtk::gio;
use gtk::prelude::*;
use lesson_kit::{About, Lesson, Stage};
use static_assertions::assert_not_impl_any;
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The slow disk hands over a chunk every `--work-ms / 64`, but never faster
/// than this, so that even a short `--work-ms` leaves time to cancel.
const MIN_PACE: Duration = Duration::from_millis(5);

pub struct AsyncIo {
    pub app: Rc<App>,
}

/// The main thread's side: the widgets, the file, and what is running.
pub struct App {
    pub view: View,
    dir: TempDir,
    pub(crate) path: PathBuf,
    file: gio::File,
    pub(crate) chunk_bytes: usize,
    /// The slow disk's pace: one chunk per `pace`, the whole file in
    /// `--work-ms` (or in 64 times `MIN_PACE` if that is longer).
    pub(crate) pace: Duration,
    /// How long Sleep waits: `--work-ms`, lesson 01's freeze, without it.
    pub sleep_for: Duration,
    pub(crate) tasks: RefCell<Tasks>,
}

// Widgets cannot leave the main thread, so neither can what holds them.
assert_not_impl_any!(App: Send, Sync);

/// What is running, so that Cancel and shutdown can reach it.
#[derive(Default)]
pub(crate) struct Tasks {
    writing: Option<glib::JoinHandle<()>>,
    written: bool,
    reading: Option<Reading>,
    pub(crate) sleeping: Option<glib::JoinHandle<()>>,
    pub(crate) hashing: Option<Hashing>,
}

struct Reading {
    cancellable: gio::Cancellable,
    task: glib::JoinHandle<()>,
    started: Instant,
}

/// How a read or a job ended. Cancelled is not a kind of failure: the user
/// asked for it.
pub(crate) enum Outcome<T> {
    Finished(T),
    Cancelled,
    Failed(String),
}

impl App {
    fn total_bytes(&self) -> u64 {
        self.chunk_bytes as u64 * u64::from(CHUNKS)
    }

    /// Shows which buttons make sense now.
    pub(crate) fn refresh(&self) {
        let tasks = self.tasks.borrow();
        self.view.refresh(Busy {
            written: tasks.written,
            writing: tasks.writing.is_some(),
            reading: tasks.reading.is_some(),
            sleeping: tasks.sleeping.is_some(),
            hashing: tasks.hashing.is_some(),
        });
    }

    // ANCHOR: start_writing
    /// The Write button: writes the file from a future on the main loop.
    fn start_writing(self: &Rc<Self>) {
        let app = self.clone();
        let task = glib::spawn_future_local(async move {
            let started = Instant::now();
            let path = app.path.display().to_string();
            let show = |done: Transferred| {
                let n = done.chunks;
                let text = format!("{path}\nWriting: {n} of {CHUNKS} chunks");
                app.view.file.set_label(&text);
            };
            let written =
                disk::generate(&app.file, app.chunk_bytes, CHUNKS, show).await;
            app.written(written, started.elapsed());
        });
        self.tasks.borrow_mut().writing = Some(task);
        self.refresh();
    }
    // ANCHOR_END: start_writing

    fn written(
        &self,
        written: Result<Transferred, glib::Error>,
        took: Duration,
    ) {
        let path = self.path.display();
        let text = match &written {
            Ok(done) => format!(
                "{path}\n{CHUNKS} chunks of {} KiB ({:.1} MiB), written in \
                 {:.2} s.",
                self.chunk_bytes / 1024,
                done.bytes as f64 / MIB,
                took.as_secs_f64()
            ),
            Err(e) => format!("{path}\nCould not write the file: {e}"),
        };
        self.view.file.set_label(&text);
        let mut tasks = self.tasks.borrow_mut();
        tasks.writing = None;
        tasks.written = written.is_ok();
        drop(tasks);
        self.refresh();
    }

    // ANCHOR: start_read
    /// Reads the whole file, at the slow disk's pace or as fast as gio goes.
    fn start_read(self: &Rc<Self>, paced: bool) {
        let cancellable = gio::Cancellable::new();
        let app = self.clone();
        let cancel_with = cancellable.clone();
        let task = glib::spawn_future_local(async move {
            let pace = paced.then_some(app.pace);
            let file = &app.file;
            let show = |done| app.show(done);
            let reading =
                disk::read_in_chunks(file, app.chunk_bytes, pace, show);
            // gio-rs's futures take no cancellable of their own: this
            // wrapper ties one to the whole read. Cancelling it ends the read
            // at its next poll, and dropping the read cancels the gio call
            // that was in flight.
            let outcome =
                match gio::CancellableFuture::new(reading, cancel_with).await {
                    Ok(Ok(done)) => Outcome::Finished(done),
                    Err(gio::Cancelled) => Outcome::Cancelled,
                    Ok(Err(error)) => Outcome::Failed(error.to_string()),
                };
            app.read_ended(outcome);
        });
        let started = Instant::now();
        let reading = Reading { cancellable, task, started };
        self.tasks.borrow_mut().reading = Some(reading);
        self.refresh();
        self.view.show_read(Transferred::default(), self.total_bytes(), 1.0);
        self.view.read.set_label(if paced {
            "Reading at the slow disk's pace..."
        } else {
            "Reading as fast as gio goes..."
        });
    }
    // ANCHOR_END: start_read

    // ANCHOR: cancel
    /// The Cancel button: cancels the read and the checksum, whichever are
    /// running. The read's future sees it at its next poll; the checksum
    /// job, before its next block.
    fn cancel(&self) {
        let tasks = self.tasks.borrow();
        let reading = tasks.reading.as_ref().map(|r| r.cancellable.clone());
        let hashing = tasks.hashing.as_ref().map(|h| h.cancellable.clone());
        drop(tasks);
        for cancellable in reading.into_iter().chain(hashing) {
            cancellable.cancel();
        }
    }
    // ANCHOR_END: cancel

    /// One chunk arrived. Called from inside the read's future.
    fn show(&self, done: Transferred) {
        let tasks = self.tasks.borrow();
        let Some(reading) = tasks.reading.as_ref() else { return };
        let seconds = reading.started.elapsed().as_secs_f64();
        self.view.show_read(done, self.total_bytes(), seconds);
    }

    fn read_ended(&self, outcome: Outcome<Transferred>) {
        let Some(reading) = self.tasks.borrow_mut().reading.take() else {
            return;
        };
        let seconds = reading.started.elapsed().as_secs_f64();
        let done = |done: &Transferred| {
            (done.chunks, format!("{:.1} MiB", done.bytes as f64 / MIB))
        };
        let text = match &outcome {
            Outcome::Finished(all) => {
                let (n, mib) = done(all);
                let rate = all.bytes as f64 / MIB / seconds.max(1e-9);
                format!(
                    "Read all {n} chunks ({mib}) in {seconds:.2} s: \
                     {rate:.1} MiB/s."
                )
            }
            Outcome::Cancelled => format!("Cancelled after {seconds:.2} s."),
            Outcome::Failed(e) => format!("The read failed: {e}"),
        };
        self.view.read.set_label(&text);
        self.refresh();
    }

    // ANCHOR: shutdown
    /// Stops everything the lesson started, then removes its directory.
    fn stop(&self) -> Result<(), String> {
        let mut tasks = self.tasks.borrow_mut();
        let hashing = tasks.hashing.take();
        let reading = tasks.reading.take().map(|reading| reading.task);
        let others = [tasks.writing.take(), reading, tasks.sleeping.take()];
        drop(tasks);
        // Tasks on the main loop are dropped. A gio future cancels its call
        // in flight when it is dropped, and a timer future removes its timer.
        for task in others.into_iter().flatten() {
            task.abort();
        }
        // The job on gio's pool is not ours to drop: ask it to stop, and
        // wait until it has.
        if let Some(hashing) = hashing {
            hashing.stop()?;
        }
        self.dir.remove()
    }
    // ANCHOR_END: shutdown
}

impl Lesson for AsyncIo {
    const ABOUT: About = About {
        id: env!("CARGO_PKG_NAME"),
        title: env!("CARGO_PKG_DESCRIPTION"),
        summary: "Write makes a large file with gio's async writes; Read \
                  reads it back in chunks from a future on the main loop, \
                  slowly (like a slow disk) or as fast as gio goes, with a \
                  progress bar and Cancel. Sleep awaits a timer future; \
                  Checksum runs one blocking job on gio's pool with \
                  gio::spawn_blocking and awaits it, or polls for it.",
        default_work: Duration::from_secs(5),
    };

    fn build(stage: &Stage) -> Self {
        let work = stage.options.work;
        let dir = TempDir::create().expect("the temporary directory works");
        let path = dir.path().join("big.bin");
        let app = Rc::new(App {
            view: View::new(&stage.window),
            file: gio::File::for_path(&path),
            path,
            dir,
            chunk_bytes: disk::chunk_bytes_for(work),
            pace: (work / CHUNKS).max(MIN_PACE),
            sleep_for: work,
            tasks: RefCell::default(),
        });
        let seconds = work.as_secs_f64();
        app.view.sleep.set_label(&format!("Sleep {seconds:.1} s"));
        app.refresh();
        stage.window.set_status(
            "No thread of the lesson's own: every wait is an .await.",
        );
        connect(&app);
        Self { app }
    }

    fn shutdown(&self) -> Result<(), String> {
        self.app.stop()
    }
}

// ANCHOR: buttons
fn connect(app: &Rc<App>) {
    let view = &app.view;
    let on = |button: &gtk::Button, act: fn(&Rc<App>)| {
        button.connect_clicked(glib::clone!(
            #[weak]
            app,
            move |_| act(&app)
        ));
    };
    on(&view.write, |app| app.start_writing());
    on(&view.read_slowly, |app| app.start_read(true));
    on(&view.read_fast, |app| app.start_read(false));
    on(&view.cancel, |app| app.cancel());
    on(&view.sleep, |app| app.start_sleep());
    on(&view.hash, |app| app.start_checksum(false));
    on(&view.hash_polling, |app| app.start_checksum(true));
}
// ANCHOR_END: buttons
