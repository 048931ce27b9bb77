//! Lesson 08: waiting without a thread, async I/O on the main loop.
//!
//! When the work is waiting (for a disk, a network, a timer) rather than computing, it needs no
//! thread of yours. The lesson writes a large file with gio's async writes, reads it back in
//! chunks from a future on the main loop with a progress bar and a Cancel button (a
//! `gio::Cancellable`), awaits a timer future, and hands one blocking call to gio's pool with
//! `gio::spawn_blocking`. The autopilot measures that the window stayed free through all of it.

mod disk;
mod meter;
mod report;

use disk::{CHUNKS, Checksum, TempDir, Transferred};
use gtk::gio;
use gtk::gio::prelude::*;
use gtk::prelude::*;
use lesson_kit::{About, Findings, Lesson, LessonWindow, Pilot, ScenarioError, Stage, ms};
use meter::{Meter, Metered};
use report::{
    CancelledJobFigures, Details, FileFigures, JobFigures, ReadFigures, TaskFigures, TimerFigures,
};
use static_assertions::assert_not_impl_any;
use std::cell::RefCell;
use std::path::PathBuf;
use std::rc::Rc;
use std::sync::mpsc;
use std::time::{Duration, Instant};

fn main() -> std::process::ExitCode {
    lesson_kit::run::<AsyncIo>()
}

const MIB: f64 = (1 << 20) as f64;
/// The slow disk hands over a chunk every `--work-ms / 64`, but never faster than this, so that
/// even a very short `--work-ms` leaves a read long enough to cancel.
const MIN_PACE: Duration = Duration::from_millis(5);
/// How long shutdown waits for the blocking job on gio's pool to let go of the file.
const JOB_STOP_PATIENCE: Duration = Duration::from_secs(2);

struct AsyncIo {
    app: Rc<App>,
}

/// The main thread's side: the widgets, the file, and what is running.
struct App {
    window: LessonWindow,
    view: View,
    dir: TempDir,
    path: PathBuf,
    file: gio::File,
    chunk_bytes: usize,
    /// At the slow disk's pace, one chunk per `pace`: the whole file in `--work-ms`, or in 64
    /// times `MIN_PACE` if that is longer.
    pace: Duration,
    /// How long the timer future waits: `--work-ms`, lesson 01's freeze, without the freeze.
    sleep_for: Duration,
    state: RefCell<State>,
}

// Widgets cannot leave the main thread, so neither can anything that holds them.
assert_not_impl_any!(App: Send, Sync);

struct View {
    file: gtk::Label,
    progress: gtk::ProgressBar,
    read: gtk::Label,
    timer: gtk::Label,
    checksum: gtk::Label,
    read_fast: gtk::Button,
    read_slowly: gtk::Button,
    cancel: gtk::Button,
    sleep: gtk::Button,
    hash: gtk::Button,
}

#[derive(Default)]
struct State {
    generating: Option<glib::JoinHandle<()>>,
    generated: Option<Result<Generated, String>>,
    reading: Option<Reading>,
    reads: Vec<ReadRecord>,
    sleeping: Option<glib::JoinHandle<()>>,
    slept: Option<Duration>,
    hashing: Option<Hashing>,
    checksums: Vec<HashRecord>,
}

#[derive(Clone, Copy)]
struct Generated {
    done: Transferred,
    wall: Duration,
    meter: Meter,
    pollable: bool,
}

/// The read in progress: what Cancel needs, and what the window shows.
struct Reading {
    cancellable: gio::Cancellable,
    task: glib::JoinHandle<()>,
    paced: bool,
    started: Instant,
    progress: Transferred,
}

/// How a read or a job ended. Cancelled is not a kind of failure: the user asked for it.
#[derive(Debug, Clone, PartialEq)]
enum Outcome<T> {
    Finished(T),
    Cancelled,
    Failed(String),
}

impl<T> Outcome<T> {
    fn name(&self) -> &'static str {
        match self {
            Self::Finished(_) => "finished",
            Self::Cancelled => "cancelled",
            Self::Failed(_) => "failed",
        }
    }
}

#[derive(Clone)]
struct ReadRecord {
    outcome: Outcome<Transferred>,
    /// What the read delivered before it ended, however it ended.
    done: Transferred,
    started: Instant,
    ended: Instant,
    meter: Meter,
}

/// The blocking job in progress. `gone` hears nothing: its sender lives inside the job and is
/// dropped when the job returns, so a disconnect means the job has let go of the file.
struct Hashing {
    cancellable: gio::Cancellable,
    gone: mpsc::Receiver<()>,
    task: glib::JoinHandle<()>,
}

#[derive(Clone)]
struct HashRecord {
    outcome: Outcome<Checksum>,
    /// From pressing Checksum to the result reaching the main loop.
    took: Duration,
    ended: Instant,
}

impl App {
    fn progress(&self) -> Transferred {
        let state = self.state.borrow();
        state.reading.as_ref().map_or(Transferred { bytes: 0, chunks: 0 }, |r| r.progress)
    }

    fn file_bytes(&self) -> u64 {
        self.chunk_bytes as u64 * u64::from(CHUNKS)
    }

    // ANCHOR: start_generating
    /// Writes the file at start-up, from a future on the main loop.
    fn start_generating(self: &Rc<Self>) {
        let app = self.clone();
        let task = glib::spawn_future_local(async move {
            let started = Instant::now();
            let writing = disk::generate(&app.file, app.chunk_bytes, CHUNKS, |done| {
                app.view.file.set_label(&format!(
                    "Writing {}: {} of {CHUNKS} chunks...",
                    app.path.display(),
                    done.chunks
                ));
            });
            let (written, meter) = Metered::new(writing).await;
            let wall = started.elapsed();
            let generated = match written {
                Ok(done) => disk::stream_is_pollable(&app.file)
                    .await
                    .map(|pollable| Generated { done, wall, meter, pollable })
                    .map_err(|e| e.to_string()),
                Err(e) => Err(e.to_string()),
            };
            app.generated(generated);
        });
        self.state.borrow_mut().generating = Some(task);
    }
    // ANCHOR_END: start_generating

    fn generated(&self, generated: Result<Generated, String>) {
        match &generated {
            Ok(g) => self.view.file.set_label(&format!(
                "{}: {:.1} MiB in {CHUNKS} chunks of {} KiB, written in {:.2} s",
                self.path.display(),
                g.done.bytes as f64 / MIB,
                self.chunk_bytes / 1024,
                g.wall.as_secs_f64()
            )),
            Err(e) => self.view.file.set_label(&format!("Could not write the file: {e}")),
        }
        let mut state = self.state.borrow_mut();
        state.generating = None;
        state.generated = Some(generated);
        self.view.refresh(&state);
    }

    // ANCHOR: start_read
    /// Starts reading the whole file, at the slow disk's pace or as fast as gio goes.
    fn start_read(self: &Rc<Self>, paced: bool) {
        let cancellable = gio::Cancellable::new();
        let started = Instant::now();
        let app = self.clone();
        let cancel_with = cancellable.clone();
        let task = glib::spawn_future_local(async move {
            let pace = paced.then_some(app.pace);
            let reading =
                disk::read_in_chunks(&app.file, app.chunk_bytes, pace, |done| app.show(done));
            // gio-rs's futures take no cancellable of their own: this wrapper ties one to the
            // whole read. Cancelling it ends the read at its next poll, and dropping the read
            // cancels the gio call that was in flight.
            let cancellable_read = gio::CancellableFuture::new(reading, cancel_with);
            let (result, meter) = Metered::new(cancellable_read).await;
            let outcome = match result {
                Ok(Ok(done)) => Outcome::Finished(done),
                Err(gio::Cancelled) => Outcome::Cancelled,
                Ok(Err(error)) => Outcome::Failed(error.to_string()),
            };
            app.read_ended(outcome, meter);
        });
        let progress = Transferred { bytes: 0, chunks: 0 };
        let reading = Reading { cancellable, task, paced, started, progress };
        let mut state = self.state.borrow_mut();
        state.reading = Some(reading);
        self.view.refresh(&state);
        drop(state);
        self.view.progress.set_fraction(0.0);
        self.view.read.set_label(if paced {
            "Reading at the slow disk's pace..."
        } else {
            "Reading as fast as gio goes..."
        });
    }
    // ANCHOR_END: start_read

    // ANCHOR: cancel
    /// The Cancel button: cancels the read and the checksum, whichever are running. The read's
    /// future sees it at its next poll; the checksum job, before its next block.
    fn cancel(&self) {
        let state = self.state.borrow();
        let reading = state.reading.as_ref().map(|reading| reading.cancellable.clone());
        let hashing = state.hashing.as_ref().map(|hashing| hashing.cancellable.clone());
        drop(state);
        for cancellable in reading.into_iter().chain(hashing) {
            cancellable.cancel();
        }
    }
    // ANCHOR_END: cancel

    /// One chunk arrived: the progress bar and the rate. Called from inside the read's future.
    fn show(&self, done: Transferred) {
        let mut state = self.state.borrow_mut();
        let Some(reading) = state.reading.as_mut() else { return };
        reading.progress = done;
        let seconds = reading.started.elapsed().as_secs_f64();
        let total = self.file_bytes();
        self.view.progress.set_fraction(done.bytes as f64 / total as f64);
        self.view.progress.set_text(Some(&format!(
            "{:.1} of {:.1} MiB ({} of {CHUNKS} chunks)",
            done.bytes as f64 / MIB,
            total as f64 / MIB,
            done.chunks
        )));
        self.view.read.set_label(&format!(
            "Reading{}: {:.1} MiB/s",
            if reading.paced { " at the slow disk's pace" } else { "" },
            done.bytes as f64 / MIB / seconds.max(1e-9)
        ));
    }

    fn read_ended(&self, outcome: Outcome<Transferred>, meter: Meter) {
        let ended = Instant::now();
        let mut state = self.state.borrow_mut();
        let Some(reading) = state.reading.take() else { return };
        let record =
            ReadRecord { outcome, done: reading.progress, started: reading.started, ended, meter };
        let wall = ended - record.started;
        let mib = record.done.bytes as f64 / MIB;
        let label = match &record.outcome {
            Outcome::Finished(_) => format!(
                "Read all {mib:.1} MiB in {:.2} s: {:.1} MiB/s. The main loop spent {:.1} ms of \
                 it on the read.",
                wall.as_secs_f64(),
                mib / wall.as_secs_f64().max(1e-9),
                meter.busy.as_secs_f64() * 1000.0
            ),
            Outcome::Cancelled => format!("Cancelled after {mib:.1} MiB."),
            Outcome::Failed(e) => format!("The read failed after {mib:.1} MiB: {e}"),
        };
        self.view.read.set_label(&label);
        state.reads.push(record);
        self.view.refresh(&state);
    }

    // ANCHOR: sleep
    /// Lesson 01's `sleep`, made a timer future: the task waits, the main loop does not.
    fn start_sleep(self: &Rc<Self>) {
        let app = self.clone();
        let task = glib::spawn_future_local(async move {
            let started = Instant::now();
            glib::timeout_future(app.sleep_for).await;
            app.slept(started.elapsed());
        });
        let mut state = self.state.borrow_mut();
        state.sleeping = Some(task);
        self.view.refresh(&state);
        self.view.timer.set_label(&format!(
            "Timer: waiting {:.1} s. Watch the counter keep going.",
            self.sleep_for.as_secs_f64()
        ));
    }
    // ANCHOR_END: sleep

    fn slept(&self, took: Duration) {
        self.view.timer.set_label(&format!(
            "Timer: done after {:.3} s, and the window stayed free.",
            took.as_secs_f64()
        ));
        let mut state = self.state.borrow_mut();
        state.sleeping = None;
        state.slept = Some(took);
        self.view.refresh(&state);
    }

    // ANCHOR: spawn_blocking
    /// Hashes the file with blocking reads on gio's pool and awaits the result on the main loop.
    fn start_checksum(self: &Rc<Self>) {
        let started = Instant::now();
        let cancellable = gio::Cancellable::new();
        let (alive, gone) = mpsc::channel::<()>();
        let job = {
            let path = self.path.clone();
            let cancellable = cancellable.clone();
            gio::spawn_blocking(move || {
                // Dropped when the job returns or unwinds: shutdown waits for that.
                let _alive = alive;
                disk::checksum(&path, &cancellable)
            })
        };
        let app = self.clone();
        let task = glib::spawn_future_local(async move {
            // The main loop runs on while the pool works; this task wakes up once, at the end.
            let outcome = match job.await {
                Ok(Ok(sum)) => Outcome::Finished(sum),
                // gio's way to say "cancelled" is an error, but the user asked for it.
                Ok(Err(error)) if error.matches(gio::IOErrorEnum::Cancelled) => Outcome::Cancelled,
                Ok(Err(error)) => Outcome::Failed(error.to_string()),
                Err(_panic) => Outcome::Failed("the job panicked".into()),
            };
            app.hashed(HashRecord { outcome, took: started.elapsed(), ended: Instant::now() });
        });
        let mut state = self.state.borrow_mut();
        state.hashing = Some(Hashing { cancellable, gone, task });
        self.view.refresh(&state);
        self.view.checksum.set_label("Checksum: hashing on gio's pool...");
    }
    // ANCHOR_END: spawn_blocking

    fn hashed(&self, record: HashRecord) {
        let took = record.took.as_secs_f64();
        self.view.checksum.set_label(&match &record.outcome {
            Outcome::Finished(sum) => format!(
                "Checksum: FNV-1a {:016x} over {:.1} MiB, in {took:.2} s on gio's pool",
                sum.fnv1a,
                sum.bytes as f64 / MIB
            ),
            Outcome::Cancelled => {
                "Checksum: cancelled (gio's Cancelled error, taken as a cancel)".to_owned()
            }
            Outcome::Failed(e) => format!("Checksum failed: {e}"),
        });
        let mut state = self.state.borrow_mut();
        state.hashing = None;
        state.checksums.push(record);
        self.view.refresh(&state);
    }

    // ANCHOR: shutdown
    /// Stops everything the lesson started, then removes its directory.
    fn stop(&self) -> Result<(), String> {
        let mut state = self.state.borrow_mut();
        let hashing = state.hashing.take();
        let tasks: Vec<glib::JoinHandle<()>> = [
            state.generating.take(),
            state.reading.take().map(|reading| reading.task),
            state.sleeping.take(),
        ]
        .into_iter()
        .flatten()
        .collect();
        drop(state);

        // Tasks on the main loop are dropped. A gio future cancels its call in flight when it is
        // dropped, and a timer future removes its timer.
        for task in tasks {
            task.abort();
        }
        // The job on gio's pool is not ours to drop: ask it to stop, and wait until it has.
        if let Some(Hashing { cancellable, gone, task }) = hashing {
            task.abort();
            cancellable.cancel();
            #[expect(
                clippy::disallowed_methods,
                reason = "the window is closed; the job checks its cancellable every block"
            )]
            let stopped = gone.recv_timeout(JOB_STOP_PATIENCE);
            if stopped == Err(mpsc::RecvTimeoutError::Timeout) {
                return Err(format!(
                    "the checksum job was still running after {JOB_STOP_PATIENCE:?}"
                ));
            }
        }
        self.dir.remove()
    }
    // ANCHOR_END: shutdown
}

impl View {
    fn new(window: &LessonWindow) -> Self {
        let file = gtk::Label::builder().label("Writing the file...").wrap(true).build();
        let progress = gtk::ProgressBar::builder().show_text(true).text("No read yet").build();
        let read = gtk::Label::builder().label("Read: press a Read button.").wrap(true).build();
        let timer = gtk::Label::new(Some("Timer: not started"));
        let checksum = gtk::Label::new(Some("Checksum: not started"));
        for widget in [
            file.upcast_ref::<gtk::Widget>(),
            progress.upcast_ref(),
            read.upcast_ref(),
            timer.upcast_ref(),
            checksum.upcast_ref(),
        ] {
            window.add(widget);
        }
        Self {
            file,
            progress,
            read,
            timer,
            checksum,
            read_slowly: window.add_button("Read slowly"),
            read_fast: window.add_button("Read fast"),
            cancel: window.add_button("Cancel"),
            sleep: window.add_button("Sleep"),
            hash: window.add_button("Checksum"),
        }
    }

    /// Which buttons make sense now.
    fn refresh(&self, state: &State) {
        let ready = matches!(state.generated, Some(Ok(_)));
        let reading = state.reading.is_some();
        self.read_slowly.set_sensitive(ready && !reading);
        self.read_fast.set_sensitive(ready && !reading);
        self.cancel.set_sensitive(reading || state.hashing.is_some());
        self.sleep.set_sensitive(state.sleeping.is_none());
        self.hash.set_sensitive(ready && state.hashing.is_none());
    }
}

impl Lesson for AsyncIo {
    const ABOUT: About = About {
        id: "lesson-08-async-io",
        title: "Lesson 08: waiting without a thread",
        summary: "Writes a large file with gio's async writes, then reads it back in chunks from a \
                  future on the main loop: slowly (like a slow disk) or as fast as gio goes, with \
                  a progress bar and a Cancel button. Sleep awaits a timer future; Checksum runs \
                  one blocking job on gio's pool with gio::spawn_blocking.",
        default_work: Duration::from_secs(5),
    };
    type Details = Details;

    fn build(stage: &Stage) -> Self {
        let work = stage.options.work;
        let dir = TempDir::create().expect("the system's temporary directory is writable");
        let path = dir.path().join("big.bin");
        let view = View::new(&stage.window);
        let app = Rc::new(App {
            window: stage.window.clone(),
            view,
            file: gio::File::for_path(&path),
            path,
            dir,
            chunk_bytes: disk::chunk_bytes_for(work),
            pace: (work / CHUNKS).max(MIN_PACE),
            sleep_for: work,
            state: RefCell::default(),
        });
        app.view.sleep.set_label(&format!("Sleep {:.1} s", work.as_secs_f64()));
        app.view.refresh(&app.state.borrow());
        app.window.set_status(
            "Nothing here runs on a thread of the lesson's own: every wait is an .await.",
        );

        // ANCHOR: buttons
        let view = &app.view;
        view.read_slowly.connect_clicked(glib::clone!(
            #[weak]
            app,
            move |_| app.start_read(true)
        ));
        view.read_fast.connect_clicked(glib::clone!(
            #[weak]
            app,
            move |_| app.start_read(false)
        ));
        view.cancel.connect_clicked(glib::clone!(
            #[weak]
            app,
            move |_| app.cancel()
        ));
        view.sleep.connect_clicked(glib::clone!(
            #[weak]
            app,
            move |_| app.start_sleep()
        ));
        view.hash.connect_clicked(glib::clone!(
            #[weak]
            app,
            move |_| app.start_checksum()
        ));
        // ANCHOR_END: buttons

        app.start_generating();
        Self { app }
    }

    // ANCHOR: autopilot
    async fn autopilot(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let app = &self.app;
        let view = &app.view;
        let patience = app.sleep_for * 4 + Duration::from_secs(20);
        let file_bytes = app.file_bytes();

        // 0. The file is written at start-up.
        let written = || app.state.borrow().generated.is_some();
        pilot.wait_until("the file to be written", patience, written).await?;
        let generated = app.state.borrow().generated.clone().expect("just checked");
        let generated = generated.map_err(|e| format!("could not write the file: {e}"))?;

        // 1. The whole file at the slow disk's pace, then 2. as fast as gio goes.
        let began = Instant::now();
        let read = self.read_whole(&pilot, &view.read_slowly, patience).await?;
        let full_speed_read = self.read_whole(&pilot, &view.read_fast, patience).await?;

        // 3. A second slow read, cancelled a third of the way in.
        self.press(&pilot, &view.read_slowly).await?;
        let a_third = || app.progress().bytes >= file_bytes / 3;
        pilot.wait_until("a third of the file", patience, a_third).await?;
        let observer = app.clone();
        self.check_sensitive(&view.cancel)?;
        let cancel = pilot.press_and_observe(&view.cancel, move || observer.progress().bytes).await;
        let ended = || app.state.borrow().reads.len() == 3;
        pilot.wait_until("the cancelled read to end", patience, ended).await?;
        let cancelled = app.state.borrow().reads[2].clone();

        // 4. The timer future.
        let timer_started = Instant::now();
        self.press(&pilot, &view.sleep).await?;
        let slept = || app.state.borrow().slept.is_some();
        pilot.wait_until("the timer future", patience, slept).await?;
        let timer_heartbeat = pilot.heartbeat_since(timer_started);
        let timer_took = app.state.borrow().slept.expect("just checked");

        // 5. The blocking call on gio's pool, to its end, then once more, cancelled at once.
        let job_started = Instant::now();
        self.press(&pilot, &view.hash).await?;
        let hashed = |n| move || app.state.borrow().checksums.len() == n;
        pilot.wait_until("the checksum job", patience, hashed(1)).await?;
        let job_heartbeat = pilot.heartbeat_since(job_started);
        let hashed_once = app.state.borrow().checksums[0].clone();
        let Outcome::Finished(sum) = hashed_once.outcome else {
            return Err(format!("the checksum job {}", hashed_once.outcome.name()).into());
        };
        // Checksum and Cancel, clicked back to back: the Cancel click is queued before the
        // Checksum click runs, so it lands right after it, while the job has barely started.
        let cancel_press = glib::spawn_future_local(glib::clone!(
            #[strong]
            pilot,
            #[strong(rename_to = cancel)]
            view.cancel,
            async move {
                let button = cancel.clone();
                pilot.press_and_observe(&cancel, move || button.is_sensitive()).await
            }
        ));
        self.press(&pilot, &view.hash).await?;
        let cancel_job = cancel_press.await.map_err(|_| "the Cancel click was lost")?;
        if !cancel_job.before {
            return Err("the scenario pressed 'Cancel' while it was greyed out".into());
        }
        pilot.wait_until("the cancelled checksum job", patience, hashed(2)).await?;
        let cancelled_job = app.state.borrow().checksums[1].clone();
        let heartbeat = pilot.heartbeat_since(began);

        // 6. A third slow read, left running: the kit closes the window in the middle of it.
        self.press(&pilot, &view.read_slowly).await?;
        let started = || app.progress().chunks >= CHUNKS / 4;
        pilot.wait_until("a quarter of the third read", patience, started).await?;
        pilot.screenshot().await;
        let read_running_at_close = app.state.borrow().reading.is_some();

        Ok(Findings {
            heartbeat,
            work_wall: read.wall,
            details: Details {
                file: FileFigures {
                    path: app.path.display().to_string(),
                    bytes: file_bytes,
                    chunk_bytes: app.chunk_bytes,
                    chunks: CHUNKS,
                    pollable: generated.pollable,
                },
                generate: TaskFigures::new(generated.wall, generated.meter),
                read: read.figures,
                full_speed_read: full_speed_read.figures,
                second_read_cancelled: cancelled.outcome == Outcome::Cancelled,
                second_read_outcome: cancelled.outcome.name(),
                second_read_bytes_at_cancel: cancel.before,
                second_read_bytes_after_cancel: cancelled.done.bytes - cancel.before,
                cancel_to_finished_ms: ms(cancelled
                    .ended
                    .saturating_duration_since(cancel.started)),
                timer: TimerFigures {
                    asked_ms: ms(app.sleep_for),
                    took_ms: ms(timer_took),
                    heartbeat_max_gap_ms: timer_heartbeat.max_gap_ms,
                },
                spawn_blocking: JobFigures {
                    took_ms: ms(hashed_once.took),
                    bytes: sum.bytes,
                    fnv1a: format!("{:016x}", sum.fnv1a),
                    ran_on_main_thread: sum.ran_on_main_thread,
                    heartbeat_max_gap_ms: job_heartbeat.max_gap_ms,
                },
                cancelled_job: CancelledJobFigures {
                    outcome: cancelled_job.outcome.name(),
                    cancel_to_finished_ms: ms(cancelled_job
                        .ended
                        .saturating_duration_since(cancel_job.started)),
                },
                read_running_at_close,
            },
        })
    }
    // ANCHOR_END: autopilot

    fn shutdown(&self) -> Result<(), String> {
        self.app.stop()
    }
}

/// A whole read as the autopilot saw it.
struct WholeRead {
    wall: Duration,
    figures: ReadFigures,
}

impl AsyncIo {
    /// Presses a button as a user would, and only one a user could.
    async fn press(&self, pilot: &Pilot, button: &gtk::Button) -> Result<(), ScenarioError> {
        self.check_sensitive(button)?;
        pilot.press(button).await;
        Ok(())
    }

    fn check_sensitive(&self, button: &gtk::Button) -> Result<(), ScenarioError> {
        if button.is_sensitive() {
            return Ok(());
        }
        let label = button.label().unwrap_or_default();
        Err(format!("the scenario pressed '{label}', which is greyed out").into())
    }

    /// Presses a Read button and waits for that read to end; it must have read the whole file.
    async fn read_whole(
        &self,
        pilot: &Pilot,
        button: &gtk::Button,
        patience: Duration,
    ) -> Result<WholeRead, ScenarioError> {
        let app = &self.app;
        let before = app.state.borrow().reads.len();
        let pressed = Instant::now();
        self.press(pilot, button).await?;
        let ended = || app.state.borrow().reads.len() > before;
        pilot.wait_until("the read to end", patience, ended).await?;
        let heartbeat = pilot.heartbeat_since(pressed);
        let record = app.state.borrow().reads[before].clone();
        if !matches!(record.outcome, Outcome::Finished(_)) {
            return Err(format!("a whole read ended as {:?}", record.outcome).into());
        }
        let wall = record.ended - record.started;
        Ok(WholeRead { wall, figures: ReadFigures::new(&record, wall, &heartbeat) })
    }
}
