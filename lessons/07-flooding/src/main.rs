//! Lesson 07: flooding the main loop.
//!
//! A worker makes progress events as fast as it can, and the window shows them in one of three
//! ways: every event through an unbounded channel (naive), every event through a bounded one
//! (backpressure), or only the latest value, read once per frame (coalesced). The autopilot
//! runs all three and measures the queue, the memory, the window's lag and the main loop.

mod flood;
mod report;

use flood::{BOUNDED_CAPACITY, Latest, Outlet, Progress, Publisher, WorkerReport};
use gtk::prelude::*;
use lesson_kit::{About, Findings, Lesson, LessonWindow, Pilot, ScenarioError, Stage};
use report::{Details, RunFindings};
use static_assertions::assert_not_impl_any;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use worker::{Canceller, Ending, Event, JobError, JobPool};

fn main() -> std::process::ExitCode {
    lesson_kit::run::<Flooding>()
}

/// How long `shutdown` waits for a run's worker to notice it was stopped.
const STOP_PATIENCE: Duration = Duration::from_secs(2);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strategy {
    Naive,
    Bounded,
    Coalesced,
}

impl Strategy {
    const ALL: [Self; 3] = [Self::Naive, Self::Bounded, Self::Coalesced];

    fn name(self) -> &'static str {
        match self {
            Self::Naive => "naive",
            Self::Bounded => "bounded",
            Self::Coalesced => "coalesced",
        }
    }

    fn button_label(self) -> String {
        match self {
            Self::Naive => "Naive".to_owned(),
            Self::Bounded => format!("Bounded ({BOUNDED_CAPACITY})"),
            Self::Coalesced => "Coalesced".to_owned(),
        }
    }

    fn index(self) -> usize {
        match self {
            Self::Naive => 0,
            Self::Bounded => 1,
            Self::Coalesced => 2,
        }
    }
}

struct Flooding {
    controller: Rc<Controller>,
}

/// The main thread's side: the widgets, the worker pool, the run in progress and the results.
struct Controller {
    view: View,
    /// Events per run, from `--work-ms`.
    events: u64,
    pool: JobPool,
    run: RefCell<Option<Run>>,
    results: RefCell<Vec<Result<RunResult, String>>>,
}

// Widgets cannot leave the main thread, so neither can anything that holds them.
assert_not_impl_any!(Controller: Send, Sync);

/// One run, from the press to the moment both the worker and the window are done.
struct Run {
    strategy: Strategy,
    pressed: Instant,
    frames_before: u64,
    link: WorkerLink,
    ui: Tally,
    /// What the worker reported, once its job has ended.
    worker: Option<Result<WorkerReport, String>>,
    /// The window has seen the end: the channel closed and empty, or the slot closed and taken.
    drained: bool,
}

/// The main thread's handles on a run's worker.
struct WorkerLink {
    canceller: Canceller,
    /// The naive and bounded runs' channel: closing it releases a worker blocked on a full one.
    channel: Option<async_channel::Receiver<Progress>>,
    /// The coalesced run's slot.
    slot: Option<Arc<Latest<Progress>>>,
}

impl WorkerLink {
    fn waiting(&self) -> usize {
        match (&self.channel, &self.slot) {
            (Some(channel), _) => channel.len(),
            (None, Some(slot)) => slot.waiting(),
            (None, None) => 0,
        }
    }

    fn stop(&self) {
        self.canceller.cancel();
        if let Some(channel) = &self.channel {
            channel.close();
        }
    }
}

/// What the window did with a run's events.
#[derive(Default)]
struct Tally {
    updates: u64,
    /// Time spent in the updates themselves.
    busy: Duration,
    /// The oldest an event was when the window showed it.
    max_lag: Duration,
    last: Option<Instant>,
}

/// A finished run, as the window's table and the autopilot see it.
#[derive(Debug, Clone)]
struct RunResult {
    strategy: Strategy,
    events_sent: u64,
    ui_updates: u64,
    max_queue_depth: usize,
    memory_growth_kib: Option<u64>,
    worker_wall: Duration,
    drain: Duration,
    max_lag: Duration,
    ui_busy: Duration,
    run_wall: Duration,
    frames: u64,
}

impl Run {
    fn result(self, frames_now: u64) -> Result<RunResult, String> {
        let report = self.worker.unwrap_or_else(|| Err("the worker never reported".into()))?;
        let last_shown = self.ui.last.unwrap_or(report.last_sent);
        Ok(RunResult {
            strategy: self.strategy,
            events_sent: report.sent,
            ui_updates: self.ui.updates,
            max_queue_depth: report.max_waiting,
            memory_growth_kib: report.memory_growth_kib,
            worker_wall: report.wall,
            drain: last_shown.saturating_duration_since(report.last_sent),
            max_lag: self.ui.max_lag,
            ui_busy: self.ui.busy,
            run_wall: self.pressed.elapsed(),
            frames: frames_now - self.frames_before,
        })
    }
}

impl Controller {
    /// Starts a run: the window's receiving side first, then the worker.
    fn start(self: &Rc<Self>, strategy: Strategy) {
        if self.run.borrow().is_some() {
            return;
        }
        let pressed = Instant::now();
        let total = self.events;
        // ANCHOR: transports
        let (mut channel, mut slot) = (None, None);
        let outlet = match strategy {
            Strategy::Naive | Strategy::Bounded => {
                let (sender, receiver) = if strategy == Strategy::Naive {
                    async_channel::unbounded()
                } else {
                    async_channel::bounded(BOUNDED_CAPACITY)
                };
                glib::spawn_future_local(show_every_event(self.clone(), receiver.clone()));
                channel = Some(receiver);
                Outlet::Channel(sender)
            }
            Strategy::Coalesced => {
                let latest = Latest::new();
                show_latest_each_frame(self, latest.clone());
                slot = Some(latest.clone());
                Outlet::Latest(Publisher::new(latest))
            }
        };
        // ANCHOR_END: transports

        // ANCHOR: spawn_worker
        // The worker is a job on the project's pool worker (lesson 03). Its own progress
        // reporting is not used here: this lesson builds the three transports by hand.
        let spawned = self
            .pool
            .spawn(move |reporter| flood::produce(total, outlet, || reporter.is_cancelled()));
        // ANCHOR_END: spawn_worker
        let mut job = match spawned {
            Ok(job) => job,
            Err(e) => {
                self.view.window.set_status(&format!("Could not start the worker: {e}"));
                return;
            }
        };
        let link = WorkerLink { canceller: job.canceller(), channel, slot };
        *self.run.borrow_mut() = Some(Run {
            strategy,
            pressed,
            frames_before: self.frame_counter(),
            link,
            ui: Tally::default(),
            worker: None,
            drained: false,
        });
        self.view.set_running(Some(strategy));
        self.view.live.set_label(&self.live_text());
        self.view.window.set_status(&format!(
            "{}: the worker is making {total} events as fast as it can...",
            strategy.button_label()
        ));

        glib::spawn_future_local(glib::clone!(
            #[strong(rename_to = controller)]
            self,
            async move {
                let mut outcome = Err("the worker ended without a result".to_owned());
                while let Some(event) = job.next().await {
                    match event {
                        Event::Result(report) => outcome = Ok(report),
                        Event::Error(JobError::Failed(flood::Stopped)) => {
                            outcome = Err("the worker stopped: the channel was closed".into());
                        }
                        Event::Error(JobError::Panicked(message)) => {
                            outcome = Err(format!("the worker panicked: {message}"));
                        }
                        Event::Finished(Ending::Cancelled) => outcome = Err("cancelled".into()),
                        _ => {}
                    }
                }
                controller.worker_ended(outcome);
            }
        ));
    }

    // ANCHOR: show
    /// One UI update, the same for every strategy: a label and a progress bar.
    fn show(&self, event: &Progress) {
        let shown = Instant::now();
        self.view.note.set_label(&event.note);
        self.view.progress.set_fraction(event.done as f64 / event.total as f64);
        if let Some(run) = self.run.borrow_mut().as_mut() {
            let tally = &mut run.ui;
            tally.updates += 1;
            tally.max_lag = tally.max_lag.max(shown.saturating_duration_since(event.made));
            tally.busy += shown.elapsed();
            tally.last = Some(shown);
        }
    }
    // ANCHOR_END: show

    fn ui_drained(&self) {
        if let Some(run) = self.run.borrow_mut().as_mut() {
            run.drained = true;
        }
        self.finish_if_done();
    }

    fn worker_ended(&self, outcome: Result<WorkerReport, String>) {
        let slot = {
            let mut run = self.run.borrow_mut();
            let Some(run) = run.as_mut() else { return };
            run.worker = Some(outcome);
            run.link.slot.clone()
        };
        // Coalesced: the worker's end is the run's end, whether or not a frame comes (a hidden
        // window paints none). Show what the last frame did not, and the window is done.
        if let Some(slot) = slot {
            if let Some(event) = slot.take() {
                self.show(&event);
            }
            if let Some(run) = self.run.borrow_mut().as_mut() {
                run.drained = true;
            }
        }
        self.finish_if_done();
    }

    fn finish_if_done(&self) {
        let finished = {
            let mut run = self.run.borrow_mut();
            if !run.as_ref().is_some_and(|run| run.drained && run.worker.is_some()) {
                return;
            }
            run.take().expect("checked just above")
        };
        let strategy = finished.strategy;
        let result = finished.result(self.frame_counter());
        match &result {
            Ok(result) => {
                self.view.show_result(result);
                self.view.window.set_status(&format!(
                    "{}: {} events sent, {} shown. The window showed the last one {:.0} ms \
                     after the worker sent it.",
                    strategy.button_label(),
                    result.events_sent,
                    result.ui_updates,
                    result.drain.as_secs_f64() * 1000.0
                ));
            }
            Err(message) => {
                self.view.window.set_status(&format!("{}: {message}", strategy.button_label()));
            }
        }
        self.results.borrow_mut().push(result);
        self.view.set_running(None);
        self.view.live.set_label(&self.live_text());
    }

    /// How many frames the window's frame clock has begun. It counts a frame as it starts, so
    /// a frame whose tick callbacks are running is already counted.
    fn frame_counter(&self) -> u64 {
        let clock = self.view.window.gtk_window().frame_clock();
        clock.map_or(0, |clock| u64::try_from(clock.frame_counter()).unwrap_or(0))
    }

    /// What the live line shows, every 100 ms, when the main loop lets it.
    fn live_text(&self) -> String {
        let memory = flood::resident_kib()
            .map_or_else(|| "unknown".to_owned(), |kib| format!("{:.0} MiB", kib as f64 / 1024.0));
        match self.run.borrow().as_ref() {
            Some(run) => format!(
                "Waiting for the window: {} · shown: {} · memory: {memory}",
                run.link.waiting(),
                run.ui.updates
            ),
            None => format!("No run · memory: {memory}"),
        }
    }
}

// ANCHOR: every_event
/// Naive and bounded: the window shows every event the worker sends. The loop ends once the
/// worker has dropped its sender and the channel is empty.
async fn show_every_event(controller: Rc<Controller>, events: async_channel::Receiver<Progress>) {
    while let Ok(event) = events.recv().await {
        controller.show(&event);
    }
    controller.ui_drained();
}
// ANCHOR_END: every_event

// ANCHOR: latest_each_frame
/// Coalesced: once per frame, right before GTK lays out and paints the window, show the latest
/// value if a new one is waiting. The worker never waits for the window, and the window never
/// shows more than one value per frame. Frames only display: the run ends when the worker's
/// job does (`worker_ended`), since a hidden or minimised window has no frames at all.
fn show_latest_each_frame(controller: &Rc<Controller>, slot: Arc<Latest<Progress>>) {
    controller.view.progress.add_tick_callback(glib::clone!(
        #[weak]
        controller,
        #[upgrade_or]
        glib::ControlFlow::Break,
        move |_, _frame_clock| {
            if slot.is_closed() {
                return glib::ControlFlow::Break; // the run's end shows what is left
            }
            if let Some(event) = slot.take() {
                controller.show(&event);
            }
            glib::ControlFlow::Continue
        }
    ));
}
// ANCHOR_END: latest_each_frame

/// The lesson's widgets.
struct View {
    window: LessonWindow,
    progress: gtk::ProgressBar,
    note: gtk::Label,
    live: gtk::Label,
    /// One row of cells per strategy, in the order of [`Strategy::ALL`].
    cells: Vec<Vec<gtk::Label>>,
    buttons: Vec<gtk::Button>,
}

const COLUMNS: [&str; 8] =
    ["events", "shown", "max queued", "memory", "worker", "drain", "max lag", "frames"];

impl View {
    fn new(window: &LessonWindow) -> Self {
        let progress = gtk::ProgressBar::builder().show_text(true).build();
        let note = gtk::Label::new(Some("No run yet."));
        let live = gtk::Label::new(None);
        live.add_css_class("dim-label");

        let grid = gtk::Grid::builder().row_spacing(4).column_spacing(12).build();
        for (column, title) in COLUMNS.iter().enumerate() {
            let header = gtk::Label::new(Some(title));
            header.add_css_class("heading");
            grid.attach(&header, grid_column(column), 0, 1, 1);
        }
        let mut cells = Vec::new();
        for (row, strategy) in Strategy::ALL.iter().enumerate() {
            let name = gtk::Label::builder().label(strategy.name()).xalign(0.0).build();
            name.add_css_class("heading");
            let top = i32::try_from(row + 1).expect("three rows");
            grid.attach(&name, 0, top, 1, 1);
            let row: Vec<gtk::Label> = (0..COLUMNS.len())
                .map(|column| {
                    let cell = gtk::Label::builder().label("-").xalign(1.0).build();
                    grid.attach(&cell, grid_column(column), top, 1, 1);
                    cell
                })
                .collect();
            cells.push(row);
        }

        for widget in [
            progress.upcast_ref::<gtk::Widget>(),
            note.upcast_ref(),
            live.upcast_ref(),
            grid.upcast_ref(),
        ] {
            window.add(widget);
        }
        let buttons = Strategy::ALL
            .iter()
            .map(|strategy| window.add_button(&strategy.button_label()))
            .collect();
        Self { window: window.clone(), progress, note, live, cells, buttons }
    }

    fn set_running(&self, running: Option<Strategy>) {
        for button in &self.buttons {
            button.set_sensitive(running.is_none());
        }
        if running.is_some() {
            self.progress.set_fraction(0.0);
        }
    }

    fn show_result(&self, result: &RunResult) {
        let millis = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
        let memory = result
            .memory_growth_kib
            .map_or_else(|| "?".to_owned(), |kib| format!("+{:.1} MiB", kib as f64 / 1024.0));
        let values = [
            result.events_sent.to_string(),
            result.ui_updates.to_string(),
            result.max_queue_depth.to_string(),
            memory,
            millis(result.worker_wall),
            millis(result.drain),
            millis(result.max_lag),
            result.frames.to_string(),
        ];
        for (cell, value) in self.cells[result.strategy.index()].iter().zip(values) {
            cell.set_label(&value);
        }
    }
}

fn grid_column(column: usize) -> i32 {
    i32::try_from(column + 1).expect("a handful of columns")
}

impl Lesson for Flooding {
    const ABOUT: About = About {
        id: "lesson-07-flooding",
        title: "Lesson 07: flooding the main loop",
        summary: "A worker makes progress events as fast as it can (200 per millisecond of \
                  --work-ms, from 50000 to 1000000). Naive sends every one through an unbounded \
                  channel, Bounded through a channel of 64, Coalesced keeps only the latest and \
                  the window reads it once per frame. Compare the queue, the memory, the lag \
                  and the counter.",
        default_work: Duration::from_secs(5),
    };
    type Details = Details;

    fn build(stage: &Stage) -> Self {
        let view = View::new(&stage.window);
        let pool = JobPool::exclusive(1).expect("the system refused to start a thread");
        let controller = Rc::new(Controller {
            view,
            events: flood::events_for(stage.options.work),
            pool,
            run: RefCell::new(None),
            results: RefCell::default(),
        });
        controller
            .view
            .window
            .set_status(&format!("Each run makes {} events. Pick a strategy.", controller.events));

        for (strategy, button) in Strategy::ALL.into_iter().zip(&controller.view.buttons) {
            button.connect_clicked(glib::clone!(
                #[weak]
                controller,
                move |_| controller.start(strategy)
            ));
        }
        controller.view.live.set_label(&controller.live_text());
        glib::timeout_add_local(
            Duration::from_millis(100),
            glib::clone!(
                #[weak]
                controller,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move || {
                    controller.view.live.set_label(&controller.live_text());
                    glib::ControlFlow::Continue
                }
            ),
        );
        Self { controller }
    }

    // ANCHOR: autopilot
    async fn autopilot(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let patience = Duration::from_secs(60);
        let began = Instant::now();
        let mut runs = Vec::new();
        for strategy in Strategy::ALL {
            let pressed = self.press(&pilot, strategy).await?;
            let before = pressed.before;
            pilot.wait_until("the run to finish", patience, || self.results() > before).await?;
            let heartbeat = pilot.heartbeat_since(pressed.started);
            let result = self.controller.results.borrow()[before].clone()?;
            runs.push(RunFindings::new(&result, &heartbeat));
            pilot.sleep(Duration::from_millis(200)).await;
        }
        let heartbeat = pilot.heartbeat_since(began);
        let work_wall = began.elapsed();

        // Coalesced again, with the window hidden, as when a user minimises it: an unmapped
        // window's frame clock stops, so nothing is shown, and the run must end all the same.
        let gtk_window = self.controller.view.window.gtk_window().clone();
        let pressed = self.press(&pilot, Strategy::Coalesced).await?;
        gtk_window.set_visible(false);
        let finished = pilot
            .wait_until("the hidden run to finish", Duration::from_secs(10), || {
                self.results() > pressed.before
            })
            .await;
        gtk_window.set_visible(true);
        finished?;
        let coalesced_finished_while_hidden = self.controller.results.borrow()[pressed.before]
            .as_ref()
            .is_ok_and(|result| result.strategy == Strategy::Coalesced);
        pilot
            .wait_until("the window to be shown again", patience, || gtk_window.is_mapped())
            .await?;

        // A last run, left going: the kit closes the window in the middle of it.
        let last = Strategy::Bounded;
        self.press(&pilot, last).await?;
        let running = || self.controller.run.borrow().as_ref().map_or(0, |run| run.ui.updates);
        pilot.wait_until("the last run to show 100 events", patience, || running() >= 100).await?;
        pilot.screenshot().await;
        let run_in_progress_at_close = self.controller.run.borrow().is_some();

        let [naive, bounded, coalesced] =
            <[RunFindings; 3]>::try_from(runs).map_err(|_| "three runs")?;
        Ok(Findings {
            heartbeat,
            work_wall,
            details: Details {
                events: self.controller.events,
                bounded_capacity: BOUNDED_CAPACITY,
                naive,
                bounded,
                coalesced,
                coalesced_finished_while_hidden,
                run_in_progress_at_close,
            },
        })
    }
    // ANCHOR_END: autopilot

    // ANCHOR: shutdown
    fn shutdown(&self) -> Result<(), String> {
        let controller = &self.controller;
        // Closing the channel releases a worker blocked on a full one at once; the cancel
        // makes it stop before its next event.
        if let Some(run) = controller.run.borrow().as_ref() {
            run.link.stop();
        }
        // The pool cancels its jobs too, waits for them (two seconds at most: a worker that
        // ignored all this could not hang the window's closing), and frees the pool.
        controller.pool.shutdown(STOP_PATIENCE)
    }
    // ANCHOR_END: shutdown
}

/// A press by the autopilot: how many runs had finished before it.
struct Pressed {
    before: usize,
    started: Instant,
}

impl Flooding {
    async fn press(&self, pilot: &Pilot, strategy: Strategy) -> Result<Pressed, ScenarioError> {
        let button = &self.controller.view.buttons[strategy.index()];
        if !button.is_sensitive() {
            return Err(
                format!("the scenario pressed {}, which is greyed out", strategy.name()).into()
            );
        }
        let before = self.results();
        let pressed = pilot.press(button).await;
        Ok(Pressed { before, started: pressed.started })
    }

    fn results(&self) -> usize {
        self.controller.results.borrow().len()
    }
}
