//! Lesson 04: a worker with its own loop, Qt's worker object moved to a `QThread`.
//!
//! One long-lived thread owns the worker's state and runs a main loop on a context of its own.
//! The window drives it with commands over one channel (start, pause, resume, cancel, change the
//! step length, fail, quit) and turns the events that come back over another into widget
//! updates. The autopilot checks that commands are handled in the order sent, that cancelling is
//! prompt, which thread each kind of timer runs on, and that closing the window mid-work shuts
//! down clean.

mod worker;

use gtk::prelude::*;
use lesson_kit::{About, Findings, Lesson, LessonWindow, Pilot, ScenarioError, Stage, ms};
use serde::Serialize;
use static_assertions::assert_not_impl_any;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::{Duration, Instant};
use worker::{Command, DEFAULT_STEP, Event, STEP_RANGE, Tick, Timer, Worker};

fn main() -> std::process::ExitCode {
    lesson_kit::run::<WorkerObject>()
}

/// A job has at least this many steps, however short `--work-ms` is, so that the scenario has
/// room to pause, resume and cancel in the middle of one.
const MIN_STEPS: u32 = 50;

struct WorkerObject {
    controller: Rc<Controller>,
    steps: u32,
    start: gtk::Button,
    pause: gtk::Button,
    cancel: gtk::Button,
    slower: gtk::Button,
    faster: gtk::Button,
}

// ANCHOR: controller
/// The main thread's side, Qt's "controller": it owns the worker's handle,
/// the lesson's widgets, and what the window knows of the worker, which is
/// only what its events said.
struct Controller {
    worker: Worker,
    view: View,
    mirror: RefCell<Mirror>,
}

struct View {
    window: LessonWindow,
    progress: gtk::ProgressBar,
    state: gtk::Label,
    worker_ticks: gtk::Label,
    timeout_add_ticks: gtk::Label,
    start: gtk::Button,
    pause: gtk::Button,
    cancel: gtk::Button,
    slower: gtk::Button,
    faster: gtk::Button,
    fail: gtk::Button,
}

// Widgets cannot leave the main thread, so neither can anything that
// holds them.
assert_not_impl_any!(Controller: Send, Sync);
// ANCHOR_END: controller

#[derive(Default)]
struct Mirror {
    job: Option<JobView>,
    /// The step length last asked for (the worker's answer says what it applied).
    step_asked: Duration,
    step_applied: Duration,
    /// How long the last step really took, as the worker measured it.
    last_step: Duration,
    /// Every command sent, by name, in the order sent.
    sent: Vec<&'static str>,
    /// Every answer, with the moment it reached the main loop, in the order it came.
    answers: Vec<(Instant, String)>,
    /// The last cancellation: when the worker dropped the job.
    cancel_stopped: Option<Instant>,
    finished: Vec<Instant>,
    worker_context_timer: TimerSeen,
    timeout_add_timer: TimerSeen,
    /// What the worker said as it panicked.
    panic: Option<String>,
    /// The worker thread ended without being asked to quit.
    ended: bool,
}

impl Mirror {
    fn new() -> Self {
        Self { step_asked: DEFAULT_STEP, step_applied: DEFAULT_STEP, ..Self::default() }
    }

    /// A job's timers start and stop with it, so their gaps are measured from the moment the
    /// window hears that the job started to the moment it hears that the job is gone. A timer
    /// that could not tick during a job shows a gap as long as the job.
    fn timers_follow_the_job(&mut self, had_job: bool, now: Instant) {
        let has_job = self.job.is_some();
        for seen in [&mut self.worker_context_timer, &mut self.timeout_add_timer] {
            if !had_job && has_job {
                seen.last = Some(now);
            } else if had_job && !has_job {
                seen.gap_until(now);
                seen.last = None;
            }
        }
    }
}

impl TimerSeen {
    fn gap_until(&mut self, now: Instant) {
        if let Some(last) = self.last {
            self.max_gap = self.max_gap.max(now.saturating_duration_since(last));
        }
    }
}

#[derive(Clone, Copy)]
struct JobView {
    done: u32,
    total: u32,
    paused: bool,
}

#[derive(Default)]
struct TimerSeen {
    ticks: u64,
    threads: BTreeSet<String>,
    last: Option<Instant>,
    /// The longest the timer went without a tick while a job existed.
    max_gap: Duration,
}

impl Controller {
    /// Sends a command and notes it: the order sent is what the answers are checked against.
    fn send(&self, command: Command) {
        {
            let mut mirror = self.mirror.borrow_mut();
            mirror.sent.push(command.name());
            if let Command::SetStepLength(length) = command {
                mirror.step_asked = length;
            }
        }
        self.worker.send(command);
    }

    fn change_step(&self, factor: f64) {
        let asked = self.mirror.borrow().step_asked.mul_f64(factor);
        self.send(Command::SetStepLength(asked.clamp(*STEP_RANGE.start(), *STEP_RANGE.end())));
    }

    fn pause_or_resume(&self) {
        let paused = self.mirror.borrow().job.is_some_and(|job| job.paused);
        self.send(if paused { Command::Resume } else { Command::Pause });
    }

    // ANCHOR: apply
    /// Turns one event into what the window shows. Main thread only.
    fn apply(&self, event: Event) {
        let arrived = Instant::now();
        let mut guard = self.mirror.borrow_mut();
        let mirror = &mut *guard;
        if let Some(answer) = event.answers() {
            mirror.answers.push((arrived, answer));
        }
        let had_job = mirror.job.is_some();
        let job = &mut mirror.job;
        let status = match event {
            Event::Started { steps } => {
                *job = Some(JobView { done: 0, total: steps, paused: false });
                Some(format!("Started a job of {steps} steps."))
            }
            Event::Paused { done } => {
                *job = job.map(|job| JobView { done, paused: true, ..job });
                Some(format!("Paused after step {done}."))
            }
            Event::Resumed => {
                *job = job.map(|job| JobView { paused: false, ..job });
                Some("Resumed.".to_owned())
            }
            Event::StepLengthSet(length) => {
                mirror.step_applied = length;
                Some(format!("Steps now take {} ms.", length.as_millis()))
            }
            Event::Cancelled { done, total, stopped } => {
                *job = None;
                mirror.cancel_stopped = Some(stopped);
                Some(format!("Cancelled after {done} of {total} steps."))
            }
            Event::Refused { command, why } => {
                // The worker's state is unchanged: only the status says so.
                Some(format!("{command} refused: {why}."))
            }
            Event::Progress { done, total, took } => {
                *job = job.map(|job| JobView { done, total, ..job });
                mirror.last_step = took;
                None
            }
            Event::Finished { total } => {
                *job = None;
                mirror.finished.push(arrived);
                Some(format!("Finished all {total} steps."))
            }
            Event::Tick(tick) => return self.show_tick(mirror, tick),
            // Kept for the status line, once the channel has closed.
            Event::Panicked(message) => {
                mirror.panic = Some(message);
                None
            }
        };
        mirror.timers_follow_the_job(had_job, arrived);
        self.view.show(mirror);
        drop(guard);
        if let Some(status) = status {
            self.view.window.set_status(&status);
        }
    }
    // ANCHOR_END: apply

    // ANCHOR: ended
    /// The worker's event channel has closed: every sender is gone, so
    /// its thread has ended, or is ending.
    fn worker_ended(&self) {
        if self.worker.quit_asked() {
            return; // the window is closing, and asked for it
        }
        let mut mirror = self.mirror.borrow_mut();
        mirror.ended = true;
        mirror.job = None;
        self.view.show(&mirror);
        let why = match &mirror.panic {
            Some(message) => format!("it panicked ({message})"),
            None => "nobody asked it to end".to_owned(),
        };
        let status = format!("The worker thread ended: {why}.");
        self.view.window.set_status(&status);
    }
    // ANCHOR_END: ended

    fn show_tick(&self, mirror: &mut Mirror, tick: Tick) {
        let (seen, label, what) = match tick.timer {
            Timer::WorkerContext => (
                &mut mirror.worker_context_timer,
                &self.view.worker_ticks,
                "Timer on the worker's context",
            ),
            Timer::TimeoutAdd => (
                &mut mirror.timeout_add_timer,
                &self.view.timeout_add_ticks,
                "glib::timeout_add from the worker",
            ),
        };
        seen.ticks += 1;
        seen.gap_until(tick.at);
        seen.last = Some(tick.at);
        label.set_label(&format!("{what}: tick {}, on thread '{}'", tick.n, tick.thread));
        seen.threads.insert(tick.thread);
    }
}

impl View {
    fn new(window: &LessonWindow) -> Self {
        let progress = gtk::ProgressBar::builder().show_text(true).text("No job").build();
        let state = gtk::Label::new(None);
        let worker_ticks =
            gtk::Label::new(Some("Timer on the worker's context: ticks while a job runs"));
        let timeout_add_ticks =
            gtk::Label::new(Some("glib::timeout_add from the worker: ticks while a job runs"));
        for widget in [
            progress.upcast_ref::<gtk::Widget>(),
            state.upcast_ref(),
            worker_ticks.upcast_ref(),
            timeout_add_ticks.upcast_ref(),
        ] {
            window.add(widget);
        }
        Self {
            window: window.clone(),
            progress,
            state,
            worker_ticks,
            timeout_add_ticks,
            start: window.add_button("Start"),
            pause: window.add_button("Pause"),
            cancel: window.add_button("Cancel"),
            slower: window.add_button("Slower"),
            faster: window.add_button("Faster"),
            fail: window.add_button("Fail"),
        }
    }

    /// Shows the mirror: the progress bar, the worker's state and which buttons make sense.
    fn show(&self, mirror: &Mirror) {
        let step = mirror.step_applied.as_millis();
        if mirror.ended {
            self.progress.set_fraction(0.0);
            self.progress.set_text(Some("No worker"));
            self.state.set_label("Worker: its thread has ended");
            for button in
                [&self.start, &self.pause, &self.cancel, &self.slower, &self.faster, &self.fail]
            {
                button.set_sensitive(false);
            }
            return;
        }
        match mirror.job {
            Some(JobView { done, total, paused }) => {
                self.progress.set_fraction(f64::from(done) / f64::from(total));
                self.progress.set_text(Some(&format!("{done} of {total} steps")));
                self.state.set_label(&if paused {
                    format!("Worker: paused, {step} ms a step")
                } else {
                    format!(
                        "Worker: working, {step} ms a step (the last took {:.0} ms)",
                        mirror.last_step.as_secs_f64() * 1000.0
                    )
                });
                self.pause.set_label(if paused { "Resume" } else { "Pause" });
            }
            None => {
                self.progress.set_fraction(0.0);
                self.progress.set_text(Some("No job"));
                self.state.set_label(&format!("Worker: idle, {step} ms a step"));
                self.pause.set_label("Pause");
            }
        }
        let busy = mirror.job.is_some();
        self.start.set_sensitive(!busy);
        self.pause.set_sensitive(busy);
        self.cancel.set_sensitive(busy);
        self.fail.set_sensitive(busy);
    }
}

impl Lesson for WorkerObject {
    const ABOUT: About = About {
        id: "lesson-04-worker-object",
        title: "Lesson 04: a worker with its own loop",
        summary: "A long-lived worker thread runs a main loop of its own. The window sends it \
                  commands (start, pause, resume, cancel, slower, faster) and shows the events it \
                  sends back. Two timers, which tick while a job runs, show which thread a glib \
                  timer really runs on. Fail gives the job a step with a bug: the worker panics, \
                  and the window says so.",
        default_work: Duration::from_secs(5),
    };
    type Details = Details;

    fn build(stage: &Stage) -> Self {
        let steps = u32::try_from(stage.options.work.as_millis() / DEFAULT_STEP.as_millis())
            .unwrap_or(u32::MAX)
            .max(MIN_STEPS);
        let view = View::new(&stage.window);

        // ANCHOR: spawn
        let (worker, events) = Worker::spawn().expect("cannot start a thread");
        let mirror = RefCell::new(Mirror::new());
        let controller = Rc::new(Controller { worker, view, mirror });
        controller.view.show(&controller.mirror.borrow());

        // The events arrive here, on the main loop, one at a time. The loop
        // ends when the worker and its job's timers are gone, since they
        // hold the only senders.
        glib::spawn_future_local(glib::clone!(
            #[strong]
            controller,
            async move {
                while let Ok(event) = events.recv().await {
                    controller.apply(event);
                }
                controller.worker_ended();
            }
        ));
        // ANCHOR_END: spawn

        // ANCHOR: buttons
        let view = &controller.view;
        view.start.connect_clicked(glib::clone!(
            #[weak]
            controller,
            move |_| controller.send(Command::Start { steps })
        ));
        view.pause.connect_clicked(glib::clone!(
            #[weak]
            controller,
            move |_| controller.pause_or_resume()
        ));
        view.cancel.connect_clicked(glib::clone!(
            #[weak]
            controller,
            move |_| controller.send(Command::Cancel)
        ));
        view.slower.connect_clicked(glib::clone!(
            #[weak]
            controller,
            move |_| controller.change_step(2.0)
        ));
        view.faster.connect_clicked(glib::clone!(
            #[weak]
            controller,
            move |_| controller.change_step(0.5)
        ));
        view.fail.connect_clicked(glib::clone!(
            #[weak]
            controller,
            move |_| controller.send(Command::Fail)
        ));
        // ANCHOR_END: buttons

        Self {
            start: view.start.clone(),
            pause: view.pause.clone(),
            cancel: view.cancel.clone(),
            slower: view.slower.clone(),
            faster: view.faster.clone(),
            controller,
            steps,
        }
    }

    // ANCHOR: autopilot
    async fn autopilot(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let n = self.steps;
        let patience = DEFAULT_STEP * n * 4 + Duration::from_secs(10);
        let began = Instant::now();

        // 1. A whole job, untouched: the worker works, the window stays free.
        let start = self.press(&pilot, &self.start).await?;
        pilot.wait_until("the first job to finish", patience, || self.finished() == 1).await?;
        let work_wall = self.controller.mirror.borrow().finished[0] - start.sent;

        // 2. Pause, wait, resume (after Slower, in one burst), then Faster and Cancel in another
        //    burst, sent while the worker is in the middle of a step.
        self.press(&pilot, &self.start).await?.answer(&pilot).await?;
        pilot.wait_until("a tenth of the job", patience, || self.done() >= n / 10).await?;
        let pause = self.press(&pilot, &self.pause).await?;
        let paused_at = pause.answer(&pilot).await?;
        let done_when_paused = self.done();
        pilot.sleep(Duration::from_millis(300)).await;
        let steps_while_paused = self.done().saturating_sub(done_when_paused);

        let slower = self.press(&pilot, &self.slower).await?;
        let resume = self.press(&pilot, &self.pause).await?;
        slower.answer(&pilot).await?;
        let resumed_at = resume.answer(&pilot).await?;
        let resumed_done = self.done();
        pilot.wait_until("five slow steps", patience, || self.done() >= resumed_done + 5).await?;
        let slower_step = self.controller.mirror.borrow().last_step;

        self.press(&pilot, &self.faster).await?;
        let cancel = self.press(&pilot, &self.cancel).await?;
        let cancel_seen = cancel.answer(&pilot).await?;
        let cancel_stopped =
            self.controller.mirror.borrow().cancel_stopped.ok_or("Cancel was not answered")?;

        // 3. A third job, left running: the kit closes the window in the middle of it.
        self.press(&pilot, &self.start).await?.answer(&pilot).await?;
        pilot.wait_until("a third of the job", patience, || self.done() >= n / 3).await?;
        let heartbeat = pilot.heartbeat_since(began);
        pilot.screenshot().await;

        let mirror = self.controller.mirror.borrow();
        let commands_answered: Vec<String> =
            mirror.answers.iter().map(|(_, a)| a.clone()).collect();
        let job = mirror.job.ok_or("the third job is not running")?;
        Ok(Findings {
            heartbeat,
            work_wall,
            details: Details {
                job_steps: n,
                step_ms: ms(DEFAULT_STEP),
                worker_thread: worker::THREAD_NAME.to_owned(),
                main_thread: worker::current_thread_name(),
                commands_in_order: commands_answered == mirror.sent,
                commands_sent: mirror.sent.clone(),
                commands_answered,
                pause_latency_ms: ms(paused_at - pause.sent),
                steps_while_paused,
                resume_latency_ms: ms(resumed_at - resume.sent),
                slower_step_ms: ms(slower_step),
                cancel_stopped_ms: ms(cancel_stopped.saturating_duration_since(cancel.sent)),
                cancel_seen_ms: ms(cancel_seen - cancel.sent),
                worker_context_timer: TimerFindings::from(&mirror.worker_context_timer),
                timeout_add_timer: TimerFindings::from(&mirror.timeout_add_timer),
                work_running_at_close: !job.paused && job.done < job.total,
                steps_left_at_close: job.total - job.done,
            },
        })
    }
    // ANCHOR_END: autopilot

    // ANCHOR: shutdown
    fn shutdown(&self) -> Result<(), String> {
        self.controller.worker.quit_and_join()
    }
    // ANCHOR_END: shutdown
}

/// A command the autopilot sent, waiting for its answer.
struct Sent {
    /// Where its answer will be in the list of answers, if the worker keeps the order.
    index: usize,
    sent: Instant,
    controller: Rc<Controller>,
}

impl Sent {
    /// When the answer reached the main loop.
    async fn answer(&self, pilot: &Pilot) -> Result<Instant, ScenarioError> {
        let answers = || self.controller.mirror.borrow().answers.len();
        pilot
            .wait_until("the worker's answer", Duration::from_secs(10), || answers() > self.index)
            .await?;
        Ok(self.controller.mirror.borrow().answers[self.index].0)
    }
}

impl WorkerObject {
    /// Presses a button as a user would, and only one a user could: an insensitive button is a
    /// mistake in the scenario.
    async fn press(&self, pilot: &Pilot, button: &gtk::Button) -> Result<Sent, ScenarioError> {
        if !button.is_sensitive() {
            let label = button.label().unwrap_or_default();
            return Err(format!("the scenario pressed '{label}', which is greyed out").into());
        }
        let index = self.controller.mirror.borrow().sent.len();
        let pressed = pilot.press(button).await;
        Ok(Sent { index, sent: pressed.started, controller: self.controller.clone() })
    }

    fn done(&self) -> u32 {
        self.controller.mirror.borrow().job.map_or(0, |job| job.done)
    }

    fn finished(&self) -> usize {
        self.controller.mirror.borrow().finished.len()
    }
}

/// What lesson 04 reports besides the common fields. `work.wall_ms` is the first job, from
/// pressing Start to the window hearing it had finished; the heartbeat covers all three jobs.
#[derive(Serialize)]
struct Details {
    /// Steps in every job: `--work-ms` divided by `step_ms`, and at least 50.
    job_steps: u32,
    /// How long a step takes until Slower or Faster change it.
    step_ms: f64,
    /// The worker thread's name and the main thread's, as the timers' ticks report threads.
    worker_thread: String,
    main_thread: String,
    /// The answers came back in the order the commands were sent, and none was refused.
    commands_in_order: bool,
    /// Every command the window sent, in the order sent.
    commands_sent: Vec<&'static str>,
    /// The command each of the worker's answers was for, in the order the worker handled them.
    commands_answered: Vec<String>,
    /// From pressing Pause to the window hearing that the worker had paused.
    pause_latency_ms: f64,
    /// Steps reported between that answer and pressing Resume 300 ms later: none.
    steps_while_paused: u32,
    /// From pressing Resume (right after Slower) to the window hearing it had resumed.
    resume_latency_ms: f64,
    /// How long a step took after Slower doubled the step length, as the worker measured it.
    slower_step_ms: f64,
    /// From pressing Cancel (right after Faster) to the worker dropping the job, by the worker's
    /// own clock.
    cancel_stopped_ms: f64,
    /// From pressing Cancel to the window hearing that the job was gone.
    cancel_seen_ms: f64,
    /// The timer the worker attached to its own context.
    worker_context_timer: TimerFindings,
    /// The timer the worker started with `glib::timeout_add`.
    timeout_add_timer: TimerFindings,
    /// The third job was still running when the scenario ended and the kit closed the window.
    work_running_at_close: bool,
    /// How many steps it had left then.
    steps_left_at_close: u32,
}

/// One timer's ticks over the whole run.
#[derive(Serialize)]
struct TimerFindings {
    ticks: u64,
    /// Every thread a tick ran on.
    threads: Vec<String>,
    /// The longest the timer went without a tick while a job existed: between two ticks, from
    /// the job's start to its first tick, or from its last tick to the job's end (the start and
    /// the end as the window heard of them).
    max_gap_ms: f64,
}

impl From<&TimerSeen> for TimerFindings {
    fn from(seen: &TimerSeen) -> Self {
        Self {
            ticks: seen.ticks,
            threads: seen.threads.iter().cloned().collect(),
            max_gap_ms: ms(seen.max_gap),
        }
    }
}
