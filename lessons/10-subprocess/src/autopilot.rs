//! Lesson 10's scenario: a run to its end, its lines streamed; a run that
//! Stop ends with SIGTERM, and a stubborn one that only SIGKILL ends; a
//! child that crashes, and a run after it; the same child run blocking, in
//! the click handler; and a stubborn child left running, so that the window
//! closes with it alive.
//!
//! It reads what the window shows: the line about the child (its process
//! id, its lines so far, how it ended) and the child's output, with the
//! moment each changed.

mod details;
mod watch;

use crate::pattern::{CRASH_AFTER, ChildProcess, GRACE, LINES};
pub use details::Details;
use details::{Blocking, Crash, Pattern, Settings, Stopped, Streamed, Stretch};
use gtk::gio;
use gtk::prelude::*;
use lesson_kit::{
    Autopilot, Findings, Pilot, Pressed, ScenarioError, Span, ms,
};
use std::cell::Cell;
use std::collections::BTreeSet;
use std::rc::Rc;
use std::time::{Duration, Instant};
use watch::{Shown, Watch, line_of, lines, pid};

impl Autopilot for ChildProcess {
    type Details = Details;

    async fn scenario(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let view = &self.app.view;
        let script = self.app.script;
        let closed = Rc::new(Cell::new(false));
        pilot.window().connect_close_request(glib::clone!(
            #[strong]
            closed,
            move |_| {
                closed.set(true);
                glib::Propagation::Proceed
            }
        ));
        let run = Run {
            pilot: &pilot,
            child: Watch::label(&view.child),
            output: Watch::label(&view.output),
            patience: script.pace * LINES * 4 + Duration::from_secs(10),
            closed,
        };
        let exited = |t: &str| t.contains(" exited");

        // 1. A run to its end: the lines come in one by one.
        let start = pilot.press(&view.run).await?;
        let end = run.until(start.sent, "the exit", exited).await?;
        let streamed = run.streamed(start, &end);

        // 2. Stop: SIGTERM, and the child ends. 3. A stubborn child, which
        //    only SIGKILL ends after the grace period.
        let polite = run.stopped(&view.run, &view.stop, false).await?;
        let forced = run.stopped(&view.run_stubborn, &view.stop, true).await?;

        // 4. A child that aborts; the window says so, and runs the next.
        let crashing = pilot.press(&view.run_crashing).await?;
        let is_crash = |t: &str| t.contains("crashed");
        let crashed = run.until(crashing.sent, "the crash", is_crash).await?;
        let shown_as_error = view.child.has_css_class("error");
        let again = pilot.press(&view.run).await?;
        let next = run.until(again.sent, "the next exit", exited).await?;
        let crash = Crash {
            outcome: crashed.text.clone(),
            shown_as_error,
            lines: lines(&crashed.text),
            next_run: next.text.clone(),
            after: Stretch::of(&pilot, Span { from: crashed.at, to: next.at }),
        };
        let span = Span { from: start.sent, to: next.at };
        let work_wall = end.at - start.dispatched;
        let pattern = Pattern::of(&pilot, span, work_wall);

        // 5. Where gio reads a child's stdout.
        let stdout_pollable = stdout_pollable().await?;

        // 6. The same child, run blocking in the click handler.
        let frozen = pilot.press(&view.run_blocking).await?;
        let during =
            pilot.measure(Span { from: frozen.dispatched, to: frozen.handled });
        let outcome: String = view.child.label().into();
        let blocking = Blocking {
            handler_ms: ms(frozen.handler()),
            heartbeat_max_gap_ms: during.heartbeat.max_gap_ms,
            heartbeat_ticks: during.heartbeat.ticks,
            frames_painted: during.frames.count,
            lines: lines(&outcome),
            outcome,
        };

        // 7. A stubborn child left running: the window closes with it.
        let last = pilot.press(&view.run_stubborn).await?;
        let two = |t: &str| t.contains("so far") && lines(t) >= 2;
        let left = run.until(last.sent, "two lines", two).await?;
        let running_at_close = view.child.label().contains("so far");

        let named = [&end, &polite.1, &forced.1, &crashed, &next, &left];
        let child_pids = named.iter().filter_map(|s| pid(&s.text)).collect();
        Ok(Findings {
            span,
            work_wall,
            details: Details {
                child: Settings {
                    lines: script.lines,
                    pace_ms: ms(script.pace),
                    grace_ms: ms(GRACE),
                    crash_after: CRASH_AFTER,
                },
                streamed,
                polite_stop: polite.0,
                forced_stop: forced.0,
                crash,
                blocking,
                stdout_pollable,
                running_at_close,
                child_pids,
                pattern,
            },
        })
    }
}

/// The scenario's hand: it presses buttons and reads what the window
/// showed, and when.
struct Run<'a> {
    pilot: &'a Pilot,
    /// The line about the child.
    child: Watch,
    /// The child's last lines.
    output: Watch,
    patience: Duration,
    /// The window was asked to close (a stop signal in the middle of the
    /// scenario): every wait ends then, so that the scenario lets go of the
    /// window at once, and the process does not wait for it.
    closed: Rc<Cell<bool>>,
}

impl Run<'_> {
    /// Waits until `done` holds; fails after the patience, or at once if
    /// the window was asked to close.
    async fn wait(
        &self,
        what: &str,
        done: impl Fn() -> bool,
    ) -> Result<(), ScenarioError> {
        let closed = || self.closed.get();
        let waited =
            self.pilot.wait_until(what, self.patience, || closed() || done());
        waited.await?;
        if closed() {
            return Err(format!("the window closed, waiting for {what}").into());
        }
        Ok(())
    }

    /// The first line about the child, shown at or after `after`, that
    /// `is` accepts.
    async fn until(
        &self,
        after: Instant,
        what: &str,
        is: impl Fn(&str) -> bool,
    ) -> Result<Shown, ScenarioError> {
        let found = || self.child.first(after, &is);
        let waited = self.wait(what, || found().is_some());
        waited.await.map_err(|e| {
            let now = self.child.at(Instant::now());
            format!("{}; the window says {now:?}", e.0)
        })?;
        Ok(found().expect("it was there a moment ago"))
    }

    /// A run to its end, from Run's click to the exit status shown.
    fn streamed(&self, start: Pressed, end: &Shown) -> Streamed {
        let shown = self.child.between(start.handled, end.at);
        let counts: BTreeSet<u32> = shown
            .iter()
            .filter(|s| s.text.contains("so far"))
            .map(|s| lines(&s.text))
            .filter(|n| *n > 0)
            .collect();
        let first = shown.iter().find(|s| lines(&s.text) > 0);
        let half = start.dispatched + (end.at - start.dispatched) / 2;
        let output = self.output.at(end.at);
        Streamed {
            lines: lines(&end.text),
            counts_shown: counts.len(),
            start_ms: ms(start.handler()),
            first_line_ms: first
                .map_or(f64::NAN, |s| ms(s.at - start.dispatched)),
            lines_at_half: lines(&self.child.at(half)),
            took_ms: ms(end.at - start.dispatched),
            last_line: output
                .lines()
                .rfind(|line| !line.trim().is_empty())
                .unwrap_or_default()
                .to_owned(),
            outcome: end.text.clone(),
            stretch: Stretch::of(
                self.pilot,
                Span { from: start.dispatched, to: end.at },
            ),
        }
    }

    /// Starts a child, presses Stop after its third line, and waits for
    /// its end. For the stubborn child, the book's picture: the child said
    /// it ignores SIGTERM, and goes on printing.
    async fn stopped(
        &self,
        run: &gtk::Button,
        stop: &gtk::Button,
        stubborn: bool,
    ) -> Result<(Stopped, Shown), ScenarioError> {
        let start = self.pilot.press(run).await?;
        let three = |t: &str| t.contains("so far") && lines(t) >= 3;
        self.until(start.sent, "three lines", three).await?;
        let stop = self.pilot.press(stop).await?;
        let answered = |t: &str| t.contains("SIGTERM");
        if stubborn {
            let said = || self.output.first(stop.sent, answered).is_some();
            self.wait("SIGTERM ignored", said).await?;
            self.pilot.screenshot().await;
        }
        let over = |t: &str| !t.contains("so far");
        let end = self.until(stop.sent, "the end", over).await?;
        let answer = self.output.first(stop.sent, answered);
        let stopped = Stopped {
            lines_at_stop: lines(&self.child.at(stop.handled)),
            lines_at_end: lines(&end.text),
            answer: answer
                .and_then(|shown| line_of(&shown.text, answered))
                .unwrap_or_default(),
            stop_to_end_ms: ms(end.at - stop.dispatched),
            outcome: end.text.clone(),
            stretch: Stretch::of(
                self.pilot,
                Span { from: stop.dispatched, to: end.at },
            ),
        };
        Ok((stopped, end))
    }
}

/// Whether gio can poll a child's stdout pipe. It can: it reads a pipe on
/// the main loop when the pipe has data, and needs no thread for it (a
/// regular file, lesson 08's, it reads on its thread pool).
async fn stdout_pollable() -> Result<bool, ScenarioError> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let args = ["--child-lines", "1", "--child-pace-ms", "0"];
    let mut argv = vec![exe.as_os_str()];
    argv.extend(args.iter().map(std::ffi::OsStr::new));
    let flags = gio::SubprocessFlags::STDOUT_PIPE;
    let child =
        gio::Subprocess::newv(&argv, flags).map_err(|e| e.to_string())?;
    let pollable = child
        .stdout_pipe()
        .and_then(|pipe| pipe.dynamic_cast::<gio::PollableInputStream>().ok())
        .is_some_and(|pipe| pipe.can_poll());
    child.wait_future().await.map_err(|e| e.to_string())?;
    Ok(pollable)
}
