//! Lesson 11's scenario: a request with tokio, answered; the same request
//! awaited on the GTK loop, its panic shown; a request cancelled once the
//! server has it; and a last one left in flight, so that the window closes
//! in the middle of it and the runtime shuts down with work to drop.
//!
//! It reads what the window shows (the answer's line, the server's line,
//! the buttons) and, for the runtime's threads, the process's own thread
//! list in /proc, as `top -H` would.

use crate::pattern::Tokio;
use crate::runtime::THREAD_NAME;
use gtk::prelude::*;
use lesson_kit::{Autopilot, Findings, Pilot, ScenarioError, Span, ms};
use serde::Serialize;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long the window is watched after the mistake's panic was shown.
const AFTER_PANIC: Duration = Duration::from_millis(500);

impl Autopilot for Tokio {
    type Details = Details;

    async fn scenario(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let view = &self.app.view;
        let delay = self.app.delay;
        let run = Run { pilot: &pilot, patience: delay * 4 + SECONDS_10 };
        let answer = || view.answer.label().to_string();
        let server = || view.server.label().to_string();
        let asked = || count(&server(), "asked");

        // 0. The server listens once Fetch can be pressed.
        run.until("the server", || view.fetch.is_sensitive()).await?;
        let threads = Threads::now()?;

        // 1. Fetch with tokio: the answer comes back through the channel.
        let first = pilot.press(&view.fetch).await?;
        let answered =
            run.until("the answer", || answer().starts_with("Answer"));
        let answered = answered.await?;
        let fetch = FetchFigures {
            answered_after_ms: ms(answered - first.dispatched),
            answer: answer(),
        };

        // 2. The mistake: the same request, awaited on the GTK loop.
        let mistake = pilot.press(&view.fetch_on_gtk_loop).await?;
        let tried = || view.on_gtk_loop.label().to_string();
        let shown = run.until("the panic", || !tried().contains("awaiting"));
        let shown = shown.await?;
        run.pause(AFTER_PANIC).await?;
        let no_reactor = NoReactor {
            shown: tried(),
            shown_after_ms: ms(shown - mistake.sent),
            frames_after: pilot.measure(pilot.span_since(shown)).frames.count,
            stretch: run.stretch(mistake.dispatched),
            rust_backtrace: std::env::var_os("RUST_BACKTRACE")
                .is_some_and(|value| value != "0"),
        };
        // The book's picture: the answer, and the panic caught and shown.
        // Taken after the figures: saving it keeps the main thread busy.
        pilot.screenshot().await;

        // 3. A request cancelled once the server has it.
        let before = asked();
        let second = pilot.press(&view.fetch).await?;
        run.until("the request", || asked() > before).await?;
        let cancel = pilot.press(&view.cancel).await?;
        let ended = || !answer().starts_with("Cancelling");
        let dropped = run.until("the task to end", ended).await?;
        let hung_up = || count(&server(), "hung up on") > 0;
        let heard = run.until("the server to hear it", hung_up).await?;
        // Past the moment the server would have answered.
        let due = second.dispatched + delay + Duration::from_millis(500);
        run.pause(due.saturating_duration_since(Instant::now())).await?;
        let cancelled = CancelFigures {
            outcome: answer(),
            cancel_after_ms: ms(cancel.dispatched - second.dispatched),
            dropped_after_ms: ms(dropped - cancel.dispatched),
            server_heard_after_ms: ms(heard - cancel.dispatched),
            answered_by_server: count(&server(), "answered"),
            stretch: run.stretch(cancel.handled),
        };

        // 4. A last request, left in flight: the window closes mid-way.
        let before = asked();
        pilot.press(&view.fetch).await?;
        run.until("the last request", || asked() > before).await?;

        Ok(Findings {
            span: Span { from: first.dispatched, to: answered },
            work_wall: answered - first.dispatched,
            details: Details {
                server_delay_ms: ms(delay),
                threads,
                fetch,
                no_reactor,
                cancel: cancelled,
                server_line: server(),
                in_flight_at_close: answer().starts_with("Asked for")
                    && view.cancel.is_sensitive(),
            },
        })
    }
}

const SECONDS_10: Duration = Duration::from_secs(10);

/// The scenario's waits, each bounded. Each one also ends, as a failure,
/// when the window goes away (a signal closed it mid-scenario): a scenario
/// still waiting would keep the window alive after the lesson ended.
struct Run<'a> {
    pilot: &'a Pilot,
    patience: Duration,
}

impl Run<'_> {
    /// Waits until `done()` holds, and says when it was seen to.
    async fn until(
        &self,
        what: &str,
        done: impl Fn() -> bool,
    ) -> Result<Instant, ScenarioError> {
        let window = self.pilot.window();
        let over = || done() || !window.is_mapped();
        self.pilot.wait_until(what, self.patience, over).await?;
        if !window.is_mapped() {
            return Err(format!("the window closed, waiting for {what}").into());
        }
        Ok(Instant::now())
    }

    /// Lets `duration` pass, the window still open.
    async fn pause(&self, duration: Duration) -> Result<(), ScenarioError> {
        let end = Instant::now() + duration;
        self.until("time to pass", || Instant::now() >= end).await?;
        Ok(())
    }

    /// What the window did from `from` until now.
    fn stretch(&self, from: Instant) -> Stretch {
        let seen = self.pilot.measure(self.pilot.span_since(from));
        Stretch {
            frames_per_s: seen.frames.per_s,
            frame_max_interval_ms: seen.frames.max_interval_ms,
            heartbeat_max_gap_ms: seen.heartbeat.max_gap_ms,
        }
    }
}

/// The number before `what` in the server's line ("2 asked, ...").
fn count(line: &str, what: &str) -> u32 {
    let before = line.split(what).next().unwrap_or_default();
    let number = before.split_whitespace().next_back().unwrap_or_default();
    number.parse().unwrap_or(0)
}

impl Threads {
    /// The process's threads now, from /proc/self/task.
    fn now() -> Result<Self, ScenarioError> {
        let read = |path: std::path::PathBuf| {
            std::fs::read_to_string(&path)
                .map(|name| name.trim_end().to_owned())
                .map_err(|e| format!("{}: {e}", path.display()))
        };
        let tasks = std::fs::read_dir("/proc/self/task")
            .map_err(|e| format!("/proc/self/task: {e}"))?;
        let names: Vec<String> = tasks
            .flatten()
            .filter_map(|task| read(task.path().join("comm")).ok())
            .collect();
        Ok(Self {
            process: names.len(),
            runtime: names.iter().filter(|name| *name == THREAD_NAME).count(),
            main_thread: read("/proc/thread-self/comm".into())?,
        })
    }
}

/// What lesson 11 reports besides the common fields, whose `heartbeat` and
/// `frames` cover the first request, from its click's dispatch to its answer.
#[derive(Serialize)]
pub struct Details {
    /// How long the server waits before it answers: `--work-ms`.
    server_delay_ms: f64,
    threads: Threads,
    fetch: FetchFigures,
    no_reactor: NoReactor,
    cancel: CancelFigures,
    /// The server's line at the end: asked, answered, hung up on.
    server_line: String,
    /// The last request was still waiting when the scenario ended, so the
    /// window closed, and the runtime shut down, in the middle of it.
    in_flight_at_close: bool,
}

/// The process's threads once the server listens.
#[derive(Serialize)]
struct Threads {
    /// All of them.
    process: usize,
    /// The runtime's, known by their name.
    runtime: usize,
    /// The name of the thread the scenario, and the main loop, run on.
    main_thread: String,
}

/// The first request, made with tokio and answered.
#[derive(Serialize)]
struct FetchFigures {
    /// From the click's dispatch to the answer in the window.
    answered_after_ms: f64,
    /// The answer's line.
    answer: String,
}

/// The same request, awaited on the GTK loop.
#[derive(Serialize)]
struct NoReactor {
    /// Its line in the window: the panic's message.
    shown: String,
    /// From the click (sent) to that line.
    shown_after_ms: f64,
    /// Frames painted in the half second after it: the window lives on.
    frames_after: usize,
    /// From the click to the end of that half second.
    stretch: Stretch,
    /// `RUST_BACKTRACE` asked the panic hook for a backtrace, which it
    /// captures and prints on the main thread before glib catches the panic.
    rust_backtrace: bool,
}

/// A request cancelled while the server held it.
#[derive(Serialize)]
struct CancelFigures {
    /// The answer's line once the answer was due.
    outcome: String,
    /// When Cancel was pressed, counted from Fetch.
    cancel_after_ms: f64,
    /// From Cancel to the window saying the task was dropped.
    dropped_after_ms: f64,
    /// From Cancel to the server's line saying its client hung up.
    server_heard_after_ms: f64,
    /// Answers the server had sent once this one was due: still one.
    answered_by_server: u32,
    /// From Cancel's handler until the answer was due. (The clicks
    /// themselves are left out: the autopilot's hand waits for the X
    /// server on the main thread, which a loaded machine makes slow.)
    stretch: Stretch,
}

/// What the window did over a stretch of the scenario.
#[derive(Serialize)]
struct Stretch {
    frames_per_s: f64,
    frame_max_interval_ms: f64,
    /// The main loop's longest stall.
    heartbeat_max_gap_ms: f64,
}
