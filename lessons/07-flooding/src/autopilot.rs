//! Lesson 07's scenario: each way in turn, with a real click, until the
//! run's row of the table is filled in; a coalesced run again with the
//! window hidden; and a per-frame run left going when the window closes. It
//! reads the window as a user would (the buttons, the note, the table),
//! samples from a thread of its own what the pattern publishes of a run
//! (events made and waiting) and the process's memory, and asks the probes
//! what the main loop and the screen did meanwhile.

mod figures;
mod watch;

use crate::pattern::{Flooding, Strategy};
use crate::producer::CAPACITY;
use figures::{Details, Frames, Gaps, Input, RunFindings, Work};
use gtk::prelude::*;
use lesson_kit::{Autopilot, Findings, Pilot, ScenarioError, Span, ms};
use std::rc::Rc;
use std::time::{Duration, Instant};
use watch::{Painted, Sample, Watch, made_at, main_thread_cpu};

const PATIENCE: Duration = Duration::from_secs(60);

impl Autopilot for Flooding {
    type Details = Details;

    async fn scenario(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let watch = Watch::start(&self)?;
        let mut runs = Vec::new();
        for strategy in Strategy::ALL {
            runs.push(self.run(&pilot, &watch, strategy).await?);
            pilot.sleep(Duration::from_millis(200)).await;
        }
        let span = Span { from: runs[0].0.from, to: runs[3].0.to };

        // Coalesced again, hidden as when a user minimises the window: an
        // unmapped window paints no frame, and the run must end all the same.
        let window = pilot.window().clone();
        let button = &self.controller.view.buttons[Strategy::Coalesced.index()];
        pilot.press(button).await?;
        window.set_visible(false);
        let hidden_while_running = !self.idle();
        let ended = pilot
            .wait_until(
                "the hidden run to end",
                Duration::from_secs(10),
                || self.idle(),
            )
            .await;
        let ended_while_hidden = !window.is_mapped();
        window.set_visible(true);
        ended?;
        watch.finish_run();
        let shown = || window.is_mapped();
        pilot.wait_until("the window to show", PATIENCE, shown).await?;
        pilot.sleep(Duration::from_millis(200)).await;

        // A last run, left going: the kit closes the window in the middle.
        // Per frame, whose worker waits on a full channel, and whose window
        // paints the screenshot's frame.
        let button = &self.controller.view.buttons[Strategy::PerFrame.index()];
        pilot.press(button).await?;
        let note = &self.controller.view.note;
        let showing = || watch::item(&note.label()).is_some_and(|n| n >= 100);
        pilot.wait_until("the last run to show 100", PATIENCE, showing).await?;
        pilot.screenshot().await;
        let run_in_progress_at_close = !self.idle();

        let mut runs = runs.into_iter().map(|(_, findings)| findings);
        let mut next = || runs.next().ok_or("four runs");
        Ok(Findings {
            span,
            work_wall: span.to - span.from,
            details: Details {
                events: self.controller.events,
                capacity: CAPACITY,
                naive: next()?,
                bounded: next()?,
                coalesced: next()?,
                per_frame: next()?,
                coalesced_finished_while_hidden: hidden_while_running
                    && ended_while_hidden,
                run_in_progress_at_close,
            },
        })
    }
}

impl Flooding {
    /// No run goes: the buttons are not greyed out.
    fn idle(&self) -> bool {
        self.controller.view.buttons.iter().all(|b| b.is_sensitive())
    }

    /// One run of `strategy`, from its click until the buttons come back
    /// and a frame has shown its last event.
    async fn run(
        &self,
        pilot: &Pilot,
        watch: &Watch,
        strategy: Strategy,
    ) -> Result<(Span, RunFindings), ScenarioError> {
        let view = &self.controller.view;
        let rss_before = crate::producer::resident_kib();
        let cpu_before = main_thread_cpu();
        let pressed = pilot.press(&view.buttons[strategy.index()]).await?;
        pilot.wait_until("the run to end", PATIENCE, || self.idle()).await?;
        let span = pilot.span_since(pressed.sent);
        let cpu = main_thread_cpu() - cpu_before;
        let samples = watch.finish_run();
        let total = self.controller.events;
        let (start, last) = (pressed.dispatched, Some(total));
        let shown =
            || watch.painted_since(start).iter().any(|p| p.item == last);
        pilot.wait_until("a frame to show the end", PATIENCE, shown).await?;
        // The frames of the run as a user saw it: up to the first that
        // showed its last event.
        let mut painted = watch.painted_since(start);
        let end = painted.iter().position(|p| p.item == last).map(|i| i + 1);
        painted.truncate(end.unwrap_or_default());
        let seen = Seen { samples, painted, start, total };
        let effect = watch.painted_since(pressed.handled).first().map(|p| p.at);

        let measured = pilot.measure(span);
        let cell = |column| -> Result<u64, ScenarioError> {
            let text = view.cell(strategy, column);
            let number = text.parse();
            number.map_err(|_| format!("{column} reads {text:?}").into())
        };
        let findings = RunFindings {
            events_sent: cell("events")?,
            events_shown: cell("shown")?,
            max_queue_depth: seen.max_waiting(),
            memory_growth_mib: seen.memory_growth_mib(rss_before),
            worker_ms: ms(seen.worker()),
            drain_ms: ms(seen.drain()),
            max_lag_ms: ms(seen.max_lag()),
            main_thread_cpu_ms: ms(cpu),
            most_ticks_between_frames: figures::most_ticks_between_frames(
                &measured,
            ),
            heartbeat: Gaps::from(&measured.heartbeat),
            frames: Frames::from(&measured.frames),
            input: Input::of(&pressed, effect),
            work: Work { wall_ms: ms(span.to - span.from) },
        };
        Ok((span, findings))
    }
}

/// What the sampling thread and the painted frames saw of one run.
struct Seen {
    samples: Vec<Sample>,
    painted: Vec<Painted>,
    /// The click's dispatch: nothing of the run happened before it.
    start: Instant,
    total: u64,
}

impl Seen {
    fn max_waiting(&self) -> usize {
        self.samples.iter().map(|s| s.waiting).max().unwrap_or(0)
    }

    fn memory_growth_mib(&self, before: Option<u64>) -> Option<f64> {
        let peak = self.samples.iter().filter_map(|s| s.rss_kib).max()?;
        let growth = peak.saturating_sub(before?) as f64 / 1024.0;
        Some((growth * 10.0).round() / 10.0)
    }

    /// From the click to the first look that found every event made.
    fn worker(&self) -> Duration {
        let done = self.samples.iter().find(|s| s.made == self.total);
        done.map_or(Duration::ZERO, |s| s.at - self.start)
    }

    /// From the last event made to the first frame that showed it.
    fn drain(&self) -> Duration {
        let made = made_at(&self.samples, self.total, self.start);
        let shown = self.painted.iter().find(|p| p.item == Some(self.total));
        shown.map_or(Duration::ZERO, |p| p.at.saturating_duration_since(made))
    }

    /// The oldest event a frame showed: its age then.
    fn max_lag(&self) -> Duration {
        let ages = self.painted.iter().filter_map(|p| {
            let made = made_at(&self.samples, p.item?, self.start);
            Some(p.at.saturating_duration_since(made))
        });
        ages.max().unwrap_or_default()
    }
}
