//! Lesson 04's scenario: three jobs, driven with real clicks on the
//! lesson's buttons. The first runs untouched; the second is paused,
//! resumed right after Slower, and cancelled right after Faster; the third
//! is left running, so that the window closes in the middle of it.
//!
//! Everything it reads, the window shows: it watches the progress bar, the
//! Pause button and the two tick lines, noting the moment each one changed,
//! and reads the state line. The one thing no widget shows is the order in
//! which the worker's answers arrived (a burst of two is shown at once), so
//! it reads that from the marks the controller leaves.

use crate::pattern::WorkerObject;
use crate::view::{NO_JOB, View};
use crate::worker::{DEFAULT_STEP, THREAD_NAME};
use gtk::prelude::*;
use lesson_kit::{Autopilot, Findings, Pilot, Pressed, ScenarioError, ms};
use serde::Serialize;
use std::cell::RefCell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long the scenario waits for the window to show what it should,
/// besides the steps it waits for.
const PATIENCE: Duration = Duration::from_secs(30);

impl Autopilot for WorkerObject {
    type Details = Details;

    async fn scenario(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let view = &self.view;
        let seen = Seen::watch(view);
        let mut run =
            Run { pilot: &pilot, sent: Vec::new(), patience: PATIENCE };

        // 1. A whole job, untouched: the worker works, the window stays free.
        let first = run.press(&view.start, "Start").await?;
        run.until(&seen.progress, first.sent, |t| t != NO_JOB).await?;
        let total = steps(&bar_text(&view.progress))
            .ok_or("the first job does not show its steps")?
            .1;
        run.patience = DEFAULT_STEP * total * 4 + PATIENCE;
        let finished =
            run.until(&seen.progress, first.sent, |t| t == NO_JOB).await?;

        // 2. Pause, wait, resume right after Slower; then Faster and Cancel
        //    back to back, while the worker is in the middle of a step.
        let second = run.press(&view.start, "Start").await?;
        run.until(&seen.progress, second.sent, |t| done(t) >= total / 10)
            .await?;
        let pause = run.press(&view.pause, "Pause").await?;
        let paused =
            run.until(&seen.pause, pause.sent, |t| t == "Resume").await?;
        pilot.sleep(Duration::from_millis(300)).await;
        run.press(&view.slower, "SetStepLength").await?;
        let resume = run.press(&view.pause, "Resume").await?;
        let resumed =
            run.until(&seen.pause, resume.sent, |t| t == "Pause").await?;
        let slow = done(&bar_text(&view.progress)) + 5;
        run.until(&seen.progress, resumed, |t| done(t) >= slow).await?;
        let slower_step = last_step_ms(&view.state.label())
            .ok_or("the state line does not say how long a step took")?;
        run.press(&view.faster, "SetStepLength").await?;
        let cancel = run.press(&view.cancel, "Cancel").await?;
        let cancelled =
            run.until(&seen.progress, cancel.sent, |t| t == NO_JOB).await?;
        pilot.sleep(Duration::from_millis(200)).await;

        // 3. A third job, left running: the window closes in the middle of it.
        let third = run.press(&view.start, "Start").await?;
        let after_cancel = seen.progress.changes(cancelled, third.sent);
        run.until(&seen.progress, third.sent, |t| done(t) >= total / 3).await?;
        let span = pilot.span_since(first.sent);
        pilot.screenshot().await;

        let answered: Vec<String> = pilot
            .marks_since(first.sent)
            .into_iter()
            .filter_map(|(_, mark)| Some(mark.strip_prefix("answer ")?.into()))
            .collect();
        let (done_at_close, _) = steps(&bar_text(&view.progress))
            .ok_or("the third job is not running at the end")?;
        let running = button_text(&view.pause) == "Pause"
            && view.pause.is_sensitive()
            && done_at_close < total;
        Ok(Findings {
            span,
            work_wall: finished - first.sent,
            details: Details {
                job_steps: total,
                step_ms: ms(DEFAULT_STEP),
                worker_thread: THREAD_NAME.to_owned(),
                main_thread: std::thread::current().name().unwrap_or("").into(),
                commands_in_order: answered == run.sent,
                commands_sent: run.sent.clone(),
                commands_answered: answered,
                pause_latency_ms: ms(paused - pause.sent),
                steps_while_paused: seen.progress.changes(paused, resume.sent),
                resume_latency_ms: ms(resumed - resume.sent),
                slower_step_ms: slower_step,
                cancel_seen_ms: ms(cancelled - cancel.sent),
                steps_after_cancel: after_cancel,
                worker_context_timer: seen.worker_ticks.timer(&seen.progress),
                timeout_add_timer: seen.timeout_add_ticks.timer(&seen.progress),
                work_running_at_close: running,
                steps_left_at_close: total.saturating_sub(done_at_close),
            },
        })
    }
}

/// The scenario's hand: it presses buttons and notes which command each
/// press should have sent, in order.
struct Run<'a> {
    pilot: &'a Pilot,
    sent: Vec<&'static str>,
    patience: Duration,
}

impl Run<'_> {
    async fn press(
        &mut self,
        button: &gtk::Button,
        command: &'static str,
    ) -> Result<Pressed, ScenarioError> {
        let pressed = self.pilot.press(button).await?;
        self.sent.push(command);
        Ok(pressed)
    }

    /// When `watch` first showed a text that `is` accepts, after `after`.
    async fn until(
        &self,
        watch: &Watch,
        after: Instant,
        is: impl Fn(&str) -> bool,
    ) -> Result<Instant, ScenarioError> {
        let shown = || watch.first(after, &is);
        let what = format!("the window to show it ({})", watch.what);
        let patience = self.patience;
        self.pilot.wait_until(&what, patience, || shown().is_some()).await?;
        Ok(shown().expect("seen a moment ago"))
    }
}

/// The widgets the scenario reads, each watched from the scenario's start.
struct Seen {
    progress: Watch,
    pause: Watch,
    worker_ticks: Watch,
    timeout_add_ticks: Watch,
}

impl Seen {
    fn watch(view: &View) -> Self {
        let ticks = |what, label: &gtk::Label| {
            Watch::new(what, label, "label", |label| label.label().into())
        };
        Self {
            progress: Watch::new("progress", &view.progress, "text", bar_text),
            pause: Watch::new("Pause", &view.pause, "label", button_text),
            worker_ticks: ticks("worker", &view.worker_ticks),
            timeout_add_ticks: ticks("timeout_add", &view.timeout_add_ticks),
        }
    }
}

/// Every text one widget showed, with the moment it changed: the moment a
/// person looking at the window could have seen it change. GTK notifies
/// inside the setter, so the moment noted is the change's own.
struct Watch {
    what: &'static str,
    shown: Rc<RefCell<Vec<(Instant, String)>>>,
}

impl Watch {
    /// Watches `property` of `widget`, read as text by `text`.
    fn new<W: IsA<glib::Object>>(
        what: &'static str,
        widget: &W,
        property: &str,
        text: fn(&W) -> String,
    ) -> Self {
        let now = (Instant::now(), text(widget));
        let shown = Rc::new(RefCell::new(vec![now]));
        let note = shown.clone();
        widget.connect_notify_local(Some(property), move |widget, _| {
            let text = text(widget);
            let mut shown = note.borrow_mut();
            if shown.last().is_none_or(|(_, last)| *last != text) {
                shown.push((Instant::now(), text));
            }
        });
        Self { what, shown }
    }

    fn first(
        &self,
        after: Instant,
        is: impl Fn(&str) -> bool,
    ) -> Option<Instant> {
        let shown = self.shown.borrow();
        shown.iter().find(|(at, text)| *at >= after && is(text)).map(|s| s.0)
    }

    /// How many times the text changed between `from` and `to`.
    fn changes(&self, from: Instant, to: Instant) -> usize {
        let shown = self.shown.borrow();
        shown.iter().filter(|(at, _)| *at > from && *at < to).count()
    }

    /// A timer's line: its ticks, the threads they named, and the longest
    /// the line went without a tick while the progress bar showed a job.
    fn timer(&self, progress: &Watch) -> TimerFindings {
        let shown = self.shown.borrow();
        let ticks: Vec<&(Instant, String)> =
            shown.iter().filter(|(_, text)| text.contains(": tick ")).collect();
        let threads = ticks.iter().filter_map(|(_, text)| {
            let (_, thread) = text.split_once("on thread '")?;
            Some(thread.trim_end_matches('\'').to_owned())
        });
        let mut max_gap = Duration::ZERO;
        for (start, end) in jobs(&progress.shown.borrow()) {
            let during = ticks.iter().map(|(at, _)| *at);
            let during =
                during.filter(|at| *at > start && end.is_none_or(|e| *at < e));
            let mut last = start;
            for at in during.chain(end) {
                max_gap = max_gap.max(at - last);
                last = at;
            }
        }
        TimerFindings {
            ticks: ticks.len(),
            threads: threads.collect::<BTreeSet<_>>().into_iter().collect(),
            max_gap_ms: ms(max_gap),
        }
    }
}

/// Each job the progress bar showed: from the moment it showed steps to the
/// moment it showed none again (`None`: still running).
fn jobs(progress: &[(Instant, String)]) -> Vec<(Instant, Option<Instant>)> {
    let mut jobs: Vec<(Instant, Option<Instant>)> = Vec::new();
    for (at, text) in progress {
        let running = jobs.last().is_some_and(|(_, end)| end.is_none());
        match (steps(text).is_some(), running) {
            (true, false) => jobs.push((*at, None)),
            (false, true) => jobs.last_mut().expect("running").1 = Some(*at),
            _ => {}
        }
    }
    jobs
}

/// "12 of 250 steps": 12 done of 250.
fn steps(text: &str) -> Option<(u32, u32)> {
    let (done, rest) = text.split_once(" of ")?;
    let total = rest.strip_suffix(" steps")?;
    Some((done.parse().ok()?, total.parse().ok()?))
}

fn bar_text(bar: &gtk::ProgressBar) -> String {
    bar.text().map(String::from).unwrap_or_default()
}

fn done(text: &str) -> u32 {
    steps(text).map_or(0, |(done, _)| done)
}

fn button_text(button: &gtk::Button) -> String {
    button.label().map(String::from).unwrap_or_default()
}

/// "... (the last took 40 ms)": 40.
fn last_step_ms(state: &str) -> Option<f64> {
    let (_, took) = state.split_once("the last took ")?;
    took.strip_suffix(" ms)")?.parse().ok()
}

/// What lesson 04 reports besides the common fields. `work.wall_ms` is the
/// first job, from pressing Start to the window showing it finished; the
/// heartbeat and the frames cover all three jobs.
#[derive(Serialize)]
pub struct Details {
    /// Steps in every job, as the progress bar showed them: `--work-ms`
    /// divided by `step_ms`, and at least 50.
    job_steps: u32,
    /// How long a step takes until Slower or Faster change it.
    step_ms: f64,
    /// The worker thread's name and the main thread's, as the timers' lines
    /// name threads.
    worker_thread: String,
    main_thread: String,
    /// The answers came back in the order the commands were sent, and none
    /// was refused.
    commands_in_order: bool,
    /// The command each press sent, in the order pressed.
    commands_sent: Vec<&'static str>,
    /// The command each of the worker's answers was for, in the order they
    /// reached the main loop.
    commands_answered: Vec<String>,
    /// From pressing Pause to the button reading Resume: the window had
    /// heard that the worker paused.
    pause_latency_ms: f64,
    /// Steps the progress bar showed between then and pressing Resume
    /// 300 ms later: none.
    steps_while_paused: usize,
    /// From pressing Resume (right after Slower) to the button reading
    /// Pause again.
    resume_latency_ms: f64,
    /// How long a step took after Slower doubled the step length, as the
    /// state line showed it (the worker's own clock, whole milliseconds).
    slower_step_ms: f64,
    /// From pressing Cancel (right after Faster) to the progress bar
    /// showing no job.
    cancel_seen_ms: f64,
    /// Steps the progress bar showed after that, until the next Start.
    steps_after_cancel: usize,
    /// The timer the worker attached to its own context.
    worker_context_timer: TimerFindings,
    /// The timer the worker started with `glib::timeout_add`.
    timeout_add_timer: TimerFindings,
    /// The third job was still running (not paused, not finished) when the
    /// scenario ended and the window was closed.
    work_running_at_close: bool,
    /// How many steps it had left then.
    steps_left_at_close: u32,
}

/// One timer's line over the whole run.
#[derive(Serialize)]
pub struct TimerFindings {
    /// How many ticks the line showed.
    ticks: usize,
    /// Every thread the line named.
    threads: Vec<String>,
    /// The longest the line went without a new tick while the progress bar
    /// showed a job: between two ticks, from the job's start to its first
    /// tick, or from its last tick to the job's end.
    max_gap_ms: f64,
}
