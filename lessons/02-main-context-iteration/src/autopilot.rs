//! Lesson 02's scenario, every press a real click. First the chunks alone,
//! nothing processed in between: the baseline, a frozen window. Then DANGER
//! alone. Then DANGER again and, in the middle of its loop, "?" and DANGER
//! once more, which starts a loop inside the loop. What the loops did is read
//! from the window as a user reads it: the status line and the list of
//! finished loops.

use crate::pattern::{CHUNKS, MainContextIteration, do_one_chunk};
use lesson_kit::{
    Autopilot, Findings, Pilot, Pressed, ScenarioError, Span, ms,
};
use serde::Serialize;
use std::rc::Rc;
use std::time::{Duration, Instant};

impl Autopilot for MainContextIteration {
    type Details = Details;

    async fn scenario(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        // 1. The baseline: the same chunks back to back, the window frozen.
        let started = Instant::now();
        for _ in 0..CHUNKS {
            do_one_chunk(self.chunk);
        }
        let baseline = started.elapsed();
        pilot.sleep(Duration::from_millis(200)).await;

        // 2. DANGER alone: the window stays alive, at a price.
        let alone = pilot.press(&self.danger).await?;
        let during =
            pilot.measure(Span { from: alone.dispatched, to: alone.handled });

        // 3. DANGER again, and a user busy in the window while it runs.
        let meanwhile =
            glib::spawn_future_local(interrupt(self.clone(), pilot.clone()));
        // This press's future resolves when a DANGER handler returns, here
        // the nested one first: the list of finished loops tells them apart.
        pilot.press(&self.danger).await?;
        let inside = meanwhile
            .await
            .map_err(|_| "the presses inside the loop were dropped")??;
        let list = || self.finished.label();
        let timeout = Duration::from_secs(10) + self.chunk * CHUNKS;
        pilot
            .wait_until("the second loop to finish", timeout, || {
                list().lines().count() == 3
            })
            .await?;
        let loops = finished_loops(&list())?;
        let took = |number| {
            loops
                .iter()
                .find(|run| run.number == number)
                .map(|run| run.took_s * 1000.0)
                .ok_or_else(|| {
                    format!("loop {number} is not in the list: {:?}", list())
                })
        };

        Ok(Findings {
            span: pilot.span_since(alone.sent),
            work_wall: alone.handler(),
            details: Details {
                chunks: CHUNKS,
                chunk_ms: ms(self.chunk),
                baseline_ms: ms(baseline),
                overhead_pct: percent_more(alone.handler(), baseline),
                between_chunks_ms: ms(alone.handler().saturating_sub(baseline)),
                heartbeat_ticks_during_loop: during.heartbeat.ticks,
                frames_painted_during_loop: during.frames.count,
                frames_per_s_during_loop: during.frames.per_s,
                frames_max_interval_during_loop_ms: during
                    .frames
                    .max_interval_ms,
                question_waited_ms: ms(inside.question.waited()),
                nested_press_waited_ms: ms(inside.nested.waited()),
                message_changed_mid_loop: chunk_of(&inside.status)
                    .is_some_and(|done| done < CHUNKS),
                status_after_question: inside.status,
                max_nesting_depth: loops.iter().map(|run| run.depth).max(),
                finish_order: loops.iter().skip(1).map(|r| r.number).collect(),
                outer_wall_ms: took(2)?,
                nested_wall_ms: took(3)?,
            },
        })
    }
}

/// What happened inside the second loop.
struct Inside {
    question: Pressed,
    /// The status line once the loop had shown "?"'s message.
    status: String,
    nested: Pressed,
}

/// A user busy in the window while the second loop runs: "?" a few chunks
/// in and, once the loop shows the new message, DANGER again. Both clicks
/// come from another thread, in the middle of a chunk as a person's would,
/// and wait for the loop's next drain.
async fn interrupt(
    lesson: Rc<MainContextIteration>,
    pilot: Rc<Pilot>,
) -> Result<Inside, ScenarioError> {
    let status = || lesson.window.status();
    let timeout = Duration::from_secs(10) + lesson.chunk * CHUNKS;
    pilot
        .wait_until("the second loop", timeout, || {
            status().contains("(loop 2,")
        })
        .await?;
    let mid_chunk = lesson.chunk * 5 / 2;
    let question = pilot.press_later(&lesson.question, mid_chunk)?.await?;
    pilot
        .wait_until("the second loop to show \"?\"'s message", timeout, || {
            status().starts_with("OH NO (loop 2,")
        })
        .await?;
    let seen = status();
    pilot.screenshot().await;
    let nested = pilot.press_later(&lesson.danger, lesson.chunk / 2)?.await?;
    Ok(Inside { question, status: seen, nested })
}

/// One line of the list of finished loops.
struct Finished {
    number: u32,
    depth: u32,
    took_s: f64,
}

/// Reads the list of finished loops: "Loop 3 (depth 2) took 1.07 s." a line.
fn finished_loops(list: &str) -> Result<Vec<Finished>, ScenarioError> {
    let read = |line: &str| -> Option<Finished> {
        let rest = line.strip_prefix("Loop ")?;
        let (number, rest) = rest.split_once(" (depth ")?;
        let (depth, took) = rest.split_once(") took ")?;
        Some(Finished {
            number: number.parse().ok()?,
            depth: depth.parse().ok()?,
            took_s: took.strip_suffix(" s.")?.parse().ok()?,
        })
    };
    list.lines()
        .map(|line| {
            read(line).ok_or_else(|| {
                ScenarioError(format!("not a finished loop: {line:?}"))
            })
        })
        .collect()
}

/// The chunk a status line says its loop has done: "... chunk 7/50)".
fn chunk_of(status: &str) -> Option<u32> {
    let (_, rest) = status.rsplit_once("chunk ")?;
    rest.split_once('/')?.0.parse().ok()
}

fn percent_more(measured: Duration, baseline: Duration) -> f64 {
    let pct = (measured.as_secs_f64() / baseline.as_secs_f64() - 1.0) * 100.0;
    (pct * 10.0).round() / 10.0
}

/// What lesson 02 reports besides the common fields. `work.wall_ms` is
/// DANGER alone; `heartbeat` and `frames` cover DANGER alone and the run
/// with the loop inside the loop.
#[derive(Serialize)]
pub struct Details {
    /// The work is this many equal chunks.
    chunks: u32,
    /// How long one chunk of work takes.
    chunk_ms: f64,
    /// The same chunks back to back, nothing processed in between (a frozen
    /// window, as in lesson 01).
    baseline_ms: f64,
    /// How much longer DANGER alone took than the baseline.
    overhead_pct: f64,
    /// DANGER alone less the baseline: the time its loop spent between
    /// chunks, nearly all of it inside `iteration()`, running other sources.
    between_chunks_ms: f64,
    /// Heartbeat ticks while DANGER alone ran: they ran in its drains.
    heartbeat_ticks_during_loop: usize,
    /// Frames painted while DANGER alone ran, in its drains too.
    frames_painted_during_loop: usize,
    /// The same, per second.
    frames_per_s_during_loop: f64,
    /// The longest time without a new frame while DANGER alone ran.
    frames_max_interval_during_loop_ms: f64,
    /// How long the real click on "?", sent in the middle of a chunk of the
    /// second loop, waited for GTK to dispatch it: until the next drain.
    question_waited_ms: f64,
    /// The same for the click on DANGER that started the nested loop.
    nested_press_waited_ms: f64,
    /// The second loop showed "?"'s message, not its own, before its last
    /// chunk: "?" ran in the middle of it.
    message_changed_mid_loop: bool,
    /// The status line that showed it.
    status_after_question: String,
    /// The deepest loop in the window's list of finished loops.
    max_nesting_depth: Option<u32>,
    /// The loops of the run with the loop inside the loop, in the order the
    /// list shows them finished: last in, first out.
    finish_order: Vec<u32>,
    /// The second loop, as the list shows it: its own chunks plus the whole
    /// nested loop.
    outer_wall_ms: f64,
    /// The third loop, started inside the second.
    nested_wall_ms: f64,
}
