//! The window's side of a run: it builds the transport for the way picked,
//! starts the worker on the pool, takes the events in that way, and fills
//! in the table when the run is over.

use crate::pattern::Strategy;
use crate::producer::{self, CAPACITY, Queue};
use crate::producer::{Backlog, Latest, Outlet, Progress, Publisher};
use crate::view::{RunSummary, View};
use async_channel::Receiver;
use gtk::prelude::*;
use static_assertions::assert_not_impl_any;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::Arc;
use std::time::{Duration, Instant};
use worker::{Canceller, Ending, Event, JobError, JobPool};

/// The main thread's side: the widgets, the worker pool and the run.
pub struct Controller {
    pub view: View,
    /// Events per run, from `--work-ms`.
    pub events: u64,
    pool: JobPool,
    run: RefCell<Option<Run>>,
}

// Widgets cannot leave the main thread, so neither can what holds them.
assert_not_impl_any!(Controller: Send, Sync);

/// One run, from the press until the worker and the window are both done.
struct Run {
    strategy: Strategy,
    started: Instant,
    frames_before: u64,
    /// The channel or the slot the events wait in for the window.
    queue: Queue,
    backlog: Arc<Backlog>,
    canceller: Canceller,
    /// How the worker's job ended, once it has.
    worker: Option<Result<u64, String>>,
    /// The window has shown what it will show of the run.
    drained: bool,
}

impl Controller {
    pub fn new(view: View, events: u64, pool: JobPool) -> Self {
        Self { view, events, pool, run: RefCell::new(None) }
    }

    // ANCHOR: start
    /// Starts a run: the window's receiving side first, then the worker.
    pub fn start(self: &Rc<Self>, strategy: Strategy) {
        if self.run.borrow().is_some() {
            return;
        }
        let (outlet, queue) = self.transport(strategy);
        let backlog = Backlog::new(queue.clone());
        // A job on the project's pool (lesson 03). Its own progress reports
        // are not used: this lesson builds its transports by hand.
        let (total, watched) = (self.events, backlog.clone());
        let spawned = self.pool.spawn(move |reporter| {
            let stop = || reporter.is_cancelled();
            producer::produce(total, outlet, &watched, stop)
        });
        let job = match spawned {
            Ok(job) => job,
            Err(e) => {
                let problem = format!("Could not start the worker: {e}");
                self.view.window.set_status(&problem);
                return;
            }
        };
        self.view.set_running(true);
        *self.run.borrow_mut() = Some(Run {
            strategy,
            started: Instant::now(),
            frames_before: self.frame_counter(),
            queue,
            backlog,
            canceller: job.canceller(),
            worker: None,
            drained: false,
        });
        let way = strategy.button_label();
        self.view.window.set_status(&format!(
            "{way}: the worker makes {total} events as fast as it can..."
        ));
        glib::spawn_future_local(follow_the_job(self.clone(), job));
    }
    // ANCHOR_END: start

    // ANCHOR: transport
    /// The way's transport: the window's receiving side, set up first, and
    /// the outlet the worker puts its events in. Bounded and per frame share
    /// the channel and differ in how the window takes from it.
    fn transport(self: &Rc<Self>, strategy: Strategy) -> (Outlet, Queue) {
        if strategy == Strategy::Coalesced {
            let latest = Latest::new();
            show_latest_each_frame(self, latest.clone());
            let outlet = Outlet::Latest(Publisher::new(latest.clone()));
            return (outlet, Queue::Slot(latest));
        }
        let (sender, receiver) = match strategy {
            Strategy::Naive => async_channel::unbounded(),
            _ => async_channel::bounded(CAPACITY),
        };
        let (me, events) = (self.clone(), receiver.clone());
        match strategy {
            Strategy::Naive => {
                glib::spawn_future_local(show_every_event(me, events));
            }
            Strategy::Bounded => {
                glib::spawn_future_local(show_every_event_in_turns(me, events));
            }
            // Per frame: the coalesced way has returned above.
            _ => apply_each_frame(self, events),
        }
        (Outlet::Channel(sender), Queue::Channel(receiver))
    }
    // ANCHOR_END: transport

    fn ui_drained(&self) {
        if let Some(run) = self.run.borrow_mut().as_mut() {
            run.drained = true;
        }
        self.finish_if_done();
    }

    fn worker_ended(&self, outcome: Result<u64, String>) {
        let slot = {
            let mut run = self.run.borrow_mut();
            let Some(run) = run.as_mut() else { return };
            run.worker = Some(outcome);
            match &run.queue {
                Queue::Slot(slot) => Some(slot.clone()),
                Queue::Channel(_) => None,
            }
        };
        // Coalesced: the worker's end is the run's end, frame or no frame
        // (a hidden window paints none). Show what the last frame did not.
        if let Some(slot) = slot {
            if let Some(event) = slot.take() {
                self.view.show(&event);
            }
            self.ui_drained();
        }
        self.finish_if_done();
    }

    fn finish_if_done(&self) {
        let done = |run: &mut Run| run.drained && run.worker.is_some();
        let Some(run) = self.run.borrow_mut().take_if(done) else { return };
        let label = run.strategy.button_label();
        match run.worker {
            Some(Ok(events)) => {
                let summary = RunSummary {
                    strategy: run.strategy,
                    events,
                    took: run.started.elapsed(),
                    frames: self.frame_counter() - run.frames_before,
                };
                self.view.show_result(&summary);
                self.view.window.set_status(&format!(
                    "{label}: {events} events sent, {} shown, in {:.2} s.",
                    self.view.shown(),
                    summary.took.as_secs_f64(),
                ));
            }
            Some(Err(problem)) => self
                .view
                .window
                .set_status(&format!("{label}: the worker stopped: {problem}")),
            None => {}
        }
        self.view.set_running(false);
        self.view.set_live(None);
    }

    /// Frames the window's frame clock has begun so far.
    fn frame_counter(&self) -> u64 {
        let clock = self.view.window.gtk_window().frame_clock();
        let count = clock.map_or(0, |clock| clock.frame_counter());
        u64::try_from(count).unwrap_or(0)
    }

    /// What the run in progress publishes, for anyone to watch.
    pub fn backlog(&self) -> Option<Arc<Backlog>> {
        self.run.borrow().as_ref().map(|run| run.backlog.clone())
    }

    // ANCHOR: stop
    /// Stops the run in progress, if any, and the pool: the window closes.
    pub fn stop(&self, patience: Duration) -> Result<(), String> {
        // Closing the channel releases a worker blocked on a full one at
        // once; the cancel stops it before its next event.
        if let Some(run) = self.run.borrow().as_ref() {
            run.canceller.cancel();
            if let Queue::Channel(channel) = &run.queue {
                channel.close();
            }
        }
        // The pool cancels its jobs too, waits for them (for `patience` at
        // most: a worker that ignored all this cannot hang the closing), and
        // frees the pool.
        self.pool.shutdown(patience)
    }
    // ANCHOR_END: stop
}

/// The job's events, on the main loop, until it has ended.
async fn follow_the_job(
    controller: Rc<Controller>,
    mut job: worker::Job<u64, producer::Stopped>,
) {
    let mut outcome = Err("it ended without a result".to_owned());
    while let Some(event) = job.next().await {
        match event {
            Event::Result(sent) => outcome = Ok(sent),
            Event::Error(JobError::Failed(_)) => {
                outcome = Err("the window closed the channel".into());
            }
            Event::Error(JobError::Panicked(panic)) => {
                outcome = Err(format!("it panicked: {panic}"));
            }
            Event::Finished(Ending::Cancelled) => {
                outcome = Err("it was cancelled".into());
            }
            _ => {}
        }
    }
    controller.worker_ended(outcome);
}

// ANCHOR: every_event
/// Naive: the window shows every event as it comes. The loop ends once the
/// worker has dropped its sender and the channel is empty.
async fn show_every_event(
    controller: Rc<Controller>,
    events: Receiver<Progress>,
) {
    while let Ok(event) = events.recv().await {
        controller.view.show(&event);
    }
    controller.ui_drained();
}
// ANCHOR_END: every_event

// ANCHOR: every_event_in_turns
/// Bounded: every event as it comes too, but after each one the main loop
/// gets a turn: the future waits for a timer that is due at once.
async fn show_every_event_in_turns(
    controller: Rc<Controller>,
    events: Receiver<Progress>,
) {
    while let Ok(event) = events.recv().await {
        controller.view.show(&event);
        // The timer is due at once, and has the default priority, as this
        // future has: the turns it gives run only what has that priority.
        glib::timeout_future(Duration::ZERO).await;
    }
    controller.ui_drained();
}
// ANCHOR_END: every_event_in_turns

// ANCHOR: latest_each_frame
/// Coalesced: once per frame, right before GTK lays the window out and
/// paints it, show the latest value if a new one is waiting. The run ends
/// when the worker's job does (`worker_ended`): a hidden window has no
/// frames at all.
fn show_latest_each_frame(
    controller: &Rc<Controller>,
    slot: Arc<Latest<Progress>>,
) {
    controller.view.progress.add_tick_callback(glib::clone!(
        #[weak]
        controller,
        #[upgrade_or]
        glib::ControlFlow::Break,
        move |_, _| {
            if slot.is_closed() {
                return glib::ControlFlow::Break; // `worker_ended` shows it
            }
            if let Some(event) = slot.take() {
                controller.view.show(&event);
            }
            glib::ControlFlow::Continue
        }
    ));
}
// ANCHOR_END: latest_each_frame

// ANCHOR: batch_each_frame
/// Per frame: every event, in one batch per frame. Right before GTK lays
/// the window out and paints it, apply what the channel holds at that
/// moment, then let GTK paint. What the worker sends meanwhile waits for the
/// next frame, and the channel's capacity bounds a batch.
fn apply_each_frame(controller: &Rc<Controller>, events: Receiver<Progress>) {
    controller.view.progress.add_tick_callback(glib::clone!(
        #[weak]
        controller,
        #[upgrade_or]
        glib::ControlFlow::Break,
        move |_, _| {
            // Read first: once closed, what the channel holds is all there
            // is, and this batch takes it.
            let closed = events.is_closed();
            // Only what is there now: the worker refills as fast as we take.
            // Taken all at once, then applied: a worker woken by the first
            // free slot finds the others free too, instead of waking for
            // each one while the window applies.
            let batch: Vec<Progress> = (0..events.len())
                .map_while(|_| events.try_recv().ok())
                .collect();
            for event in &batch {
                controller.view.show(event);
            }
            if closed && events.is_empty() {
                controller.ui_drained();
                return glib::ControlFlow::Break;
            }
            glib::ControlFlow::Continue
        }
    ));
}
// ANCHOR_END: batch_each_frame
