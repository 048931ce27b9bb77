//! Lesson 02: processing events by hand, GTK's `QApplication.processEvents()`.
//!
//! The work is cut into chunks, and between chunks the handler drains the main context with
//! `iteration(false)`. The window stays alive, but two things go wrong, and the autopilot
//! measures both: the work takes longer, and other handlers run in the middle of this one.

use gtk::prelude::*;
use lesson_kit::{About, Findings, Lesson, LessonWindow, Pilot, ScenarioError, Stage, ms};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

fn main() -> std::process::ExitCode {
    lesson_kit::run::<MainContextIteration>()
}

/// The work is this many equal chunks; `--work-ms` sets their total.
const CHUNKS: u32 = 50;
/// The longest one drain between two chunks may take.
const DRAIN_LIMIT: Duration = Duration::from_millis(50);

struct MainContextIteration {
    danger: gtk::Button,
    question: gtk::Button,
    state: Rc<LoopState>,
}

/// What the handlers share. It lives on the main thread only, so `Rc`, `Cell` and `RefCell` do.
struct LoopState {
    chunk: Duration,
    /// The message the loop displays. "?" changes it while the loop is running.
    message: RefCell<String>,
    /// How many DANGER loops are running inside each other right now.
    depth: Cell<u32>,
    max_depth: Cell<u32>,
    presses: Cell<u32>,
    /// Every loop that finished, in the order they finished.
    finished: RefCell<Vec<LoopRun>>,
}

impl LoopState {
    fn new(chunk: Duration) -> Self {
        Self {
            chunk,
            message: RefCell::new(String::new()),
            depth: Cell::new(0),
            max_depth: Cell::new(0),
            presses: Cell::new(0),
            finished: RefCell::default(),
        }
    }
}

#[derive(Debug, Clone, Copy)]
struct LoopRun {
    press: u32,
    depth: u32,
    wall: Duration,
    in_event_processing: Duration,
    saw_message_change: bool,
}

// ANCHOR: chunk
/// One chunk of the work, a tenth of a second by default, as in the tutorial.
fn do_one_chunk(chunk: Duration) {
    #[expect(
        clippy::disallowed_methods,
        reason = "lesson 02 blocks the main loop for one chunk at a time on purpose"
    )]
    std::thread::sleep(chunk);
}

/// The workaround: run whatever the main loop has pending, right here, inside our handler.
/// One `iteration` dispatches only the ready sources of the highest priority among them, so
/// draining takes a loop; and a source that stays ready would keep that loop going forever,
/// hence the time limit.
fn process_pending_events() {
    let context = glib::MainContext::default();
    let deadline = Instant::now() + DRAIN_LIMIT;
    #[expect(
        clippy::disallowed_methods,
        reason = "lesson 02 shows why re-entering the main loop from a handler is a trap"
    )]
    while context.iteration(false) && Instant::now() < deadline {}
}
// ANCHOR_END: chunk

// ANCHOR: handler
fn oh_no(window: &LessonWindow, state: &LoopState) {
    let press = state.presses.get() + 1;
    state.presses.set(press);
    let depth = state.depth.get() + 1;
    state.depth.set(depth);
    state.max_depth.set(state.max_depth.get().max(depth));

    *state.message.borrow_mut() = "Pressed".to_owned();
    let started = Instant::now();
    let mut in_event_processing = Duration::ZERO;
    let mut saw_message_change = false;
    for done in 1..=CHUNKS {
        do_one_chunk(state.chunk);
        // Copy the message out instead of holding `borrow()` across the call below: "?" takes
        // `borrow_mut()` in there, and RefCell would panic rather than let the two overlap.
        let message = state.message.borrow().clone();
        saw_message_change |= message != "Pressed";
        window.set_status(&format!("{message} (chunk {done}/{CHUNKS}, loop depth {depth})"));

        let before = Instant::now();
        process_pending_events(); // Anything can happen in here, including this very handler.
        in_event_processing += before.elapsed();

        if !window.gtk_window().is_visible() {
            break; // The window was closed in there; nobody is waiting for the rest.
        }
    }

    state.depth.set(depth - 1);
    state.finished.borrow_mut().push(LoopRun {
        press,
        depth,
        wall: started.elapsed(),
        in_event_processing,
        saw_message_change,
    });
}

/// The "?" button: the tutorial's `change_message`.
fn change_message(state: &LoopState) {
    *state.message.borrow_mut() = "OH NO".to_owned();
}
// ANCHOR_END: handler

impl Lesson for MainContextIteration {
    const ABOUT: About = About {
        id: "lesson-02-main-context-iteration",
        title: "Lesson 02: processing events by hand",
        summary: "DANGER works in chunks and drains the main context between them, like Qt's \
                  processEvents(). The window stays alive, but the work is slower, \"?\" changes \
                  the loop's message under its feet, and DANGER again starts a loop inside the loop.",
        default_work: Duration::from_secs(5),
    };
    type Details = Details;

    fn build(stage: &Stage) -> Self {
        let window = stage.window.clone();
        let state = Rc::new(LoopState::new(stage.options.work / CHUNKS));
        let danger = window.add_button("DANGER!");
        let question = window.add_button("?");

        // ANCHOR: buttons
        danger.connect_clicked(glib::clone!(
            #[weak]
            window,
            #[strong]
            state,
            move |_| oh_no(&window, &state)
        ));
        question.connect_clicked(glib::clone!(
            #[strong]
            state,
            move |_| change_message(&state)
        ));
        // ANCHOR_END: buttons

        Self { danger, question, state }
    }

    // ANCHOR: autopilot
    async fn autopilot(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let chunk = self.state.chunk;

        // 1. The baseline: the same chunks with nothing processed in between (a frozen window).
        let started = Instant::now();
        for _ in 0..CHUNKS {
            do_one_chunk(chunk);
        }
        let baseline = started.elapsed();
        pilot.sleep(Duration::from_millis(200)).await;

        // 2. DANGER alone: the window stays alive, at a price.
        let pattern_started = Instant::now();
        pilot.press(&self.danger).await;
        let alone = self.last_finished()?;

        // 3. DANGER; "?" three chunks in; DANGER again six chunks in, from inside the first loop.
        glib::spawn_future_local(glib::clone!(
            #[strong(rename_to = lesson)]
            self,
            #[strong]
            pilot,
            async move {
                pilot.sleep(chunk * 3).await;
                pilot.press(&lesson.question).await;
            }
        ));
        glib::spawn_future_local(glib::clone!(
            #[strong(rename_to = lesson)]
            self,
            #[strong]
            pilot,
            async move {
                pilot.sleep(chunk * 6).await;
                pilot.screenshot().await;
                pilot.press(&lesson.danger).await;
            }
        ));
        pilot.press(&self.danger).await;
        let outer = self.last_finished()?;
        let heartbeat = pilot.heartbeat_since(pattern_started);

        let runs = self.state.finished.borrow().clone();
        let nested = runs
            .iter()
            .find(|run| run.depth == 2)
            .copied()
            .ok_or("the second DANGER press never ran inside the first loop")?;
        Ok(Findings {
            heartbeat,
            work_wall: alone.wall,
            details: Details {
                chunks: CHUNKS,
                chunk_ms: ms(chunk),
                baseline_ms: ms(baseline),
                overhead_pct: percent_more(alone.wall, baseline),
                event_processing_ms: ms(alone.in_event_processing),
                message_changed_mid_loop: outer.saw_message_change,
                max_nesting_depth: self.state.max_depth.get(),
                outer_wall_ms: ms(outer.wall),
                nested_wall_ms: ms(nested.wall),
                finish_order: runs.iter().skip(1).map(|run| run.press).collect(),
            },
        })
    }
    // ANCHOR_END: autopilot
}

impl MainContextIteration {
    fn last_finished(&self) -> Result<LoopRun, ScenarioError> {
        let runs = self.state.finished.borrow();
        runs.last().copied().ok_or_else(|| "DANGER never finished a loop".into())
    }
}

fn percent_more(measured: Duration, baseline: Duration) -> f64 {
    let pct = (measured.as_secs_f64() / baseline.as_secs_f64() - 1.0) * 100.0;
    (pct * 10.0).round() / 10.0
}

/// What lesson 02 reports besides the common fields (`work.wall_ms` is DANGER alone).
#[derive(Serialize)]
struct Details {
    chunks: u32,
    chunk_ms: f64,
    /// The same chunks without processing events in between.
    baseline_ms: f64,
    /// How much longer DANGER alone took than the baseline.
    overhead_pct: f64,
    /// Of DANGER alone, the time spent inside `iteration()` running other people's handlers.
    event_processing_ms: f64,
    /// The first loop displayed a message it did not set: "?" ran in the middle of it.
    message_changed_mid_loop: bool,
    /// The deepest DANGER-inside-DANGER the scenario reached.
    max_nesting_depth: u32,
    /// The first loop of the re-entrant run: its own chunks plus the whole nested loop.
    outer_wall_ms: f64,
    nested_wall_ms: f64,
    /// The presses of the re-entrant run in the order their loops finished: last in, first out.
    finish_order: Vec<u32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A source that is always ready (an idle callback that keeps returning `Continue`) must not
    /// keep the drain, and the handler around it, from ever returning.
    #[test]
    fn the_drain_ends_even_when_a_source_stays_ready() {
        let (done, drained) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let context = glib::MainContext::default();
            let _owner = context.acquire().expect("nobody else runs the default context here");
            glib::idle_add_local(|| glib::ControlFlow::Continue);
            process_pending_events();
            let _ = done.send(());
        });
        #[expect(clippy::disallowed_methods, reason = "a unit test waits for its thread")]
        let ended = drained.recv_timeout(Duration::from_secs(2));
        assert!(ended.is_ok(), "the drain was still running after two seconds");
    }

    /// Had `oh_no` held its borrow of the message across the drain, "?" would not have changed
    /// the data under it: RefCell refuses the second, mutable borrow with a panic. (Called here
    /// directly, the panic can be caught; in the window, "?"'s handler runs inside GTK's C code
    /// and the panic aborts the application: compile-tests' runtime_guards.rs pins that.)
    #[test]
    fn a_borrow_held_across_the_drain_turns_the_change_into_a_panic() {
        let state = LoopState::new(Duration::from_millis(1));
        let held = state.message.borrow();
        let changed = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            change_message(&state);
        }));
        drop(held);
        assert!(changed.is_err(), "RefCell let a mutable borrow overlap a shared one");
        change_message(&state);
        assert_eq!(*state.message.borrow(), "OH NO", "without the overlap the change goes through");
    }
}
