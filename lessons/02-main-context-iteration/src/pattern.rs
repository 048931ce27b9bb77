//! DANGER does its work in chunks and, between two chunks, runs whatever the
//! main loop has pending, right inside its click handler: GTK's
//! `QApplication.processEvents()`. The window stays alive, but the work takes
//! longer, "?" changes the loop's message under its feet, and DANGER pressed
//! again starts a loop inside the loop.

use gtk::prelude::*;
use lesson_kit::{About, Lesson, LessonWindow, Stage};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The work is this many equal chunks; `--work-ms` sets their total.
pub const CHUNKS: u32 = 50;
/// The longest one drain between two chunks may take.
const DRAIN_LIMIT: Duration = Duration::from_millis(50);

pub struct MainContextIteration {
    pub window: LessonWindow,
    pub danger: gtk::Button,
    pub question: gtk::Button,
    /// One line per loop that finished, in the order they finished.
    pub finished: gtk::Label,
    /// How long one chunk of the work takes.
    pub chunk: Duration,
}

/// What the handlers share. It lives on the main thread only, so `Rc`,
/// `Cell` and `RefCell` do.
pub struct LoopState {
    chunk: Duration,
    /// The message the loops display. "?" changes it while they run.
    pub message: RefCell<String>,
    /// How many loops are running inside each other right now.
    depth: Cell<u32>,
    /// How many loops have started: their numbers in the window.
    started: Cell<u32>,
}

impl LoopState {
    pub fn new(chunk: Duration) -> Self {
        Self {
            chunk,
            message: RefCell::new(String::new()),
            depth: Cell::new(0),
            started: Cell::new(0),
        }
    }
}

// ANCHOR: chunk
/// One chunk of the work, a tenth of a second by default, as in the
/// tutorial.
pub fn do_one_chunk(chunk: Duration) {
    #[expect(
        clippy::disallowed_methods,
        reason = "lesson 02 blocks the main loop one chunk at a time on purpose"
    )]
    std::thread::sleep(chunk);
}

/// The workaround: run whatever the main loop has pending, right here,
/// inside our handler. One `iteration` dispatches only the ready sources of
/// the highest priority among them, so draining takes a loop; and a source
/// that stays ready would keep that loop going forever, hence the time limit.
pub fn process_pending_events() {
    let context = glib::MainContext::default();
    let deadline = Instant::now() + DRAIN_LIMIT;
    #[expect(
        clippy::disallowed_methods,
        reason = "lesson 02 shows why re-entering the main loop is a trap"
    )]
    while context.iteration(false) && Instant::now() < deadline {}
}
// ANCHOR_END: chunk

// ANCHOR: handler
fn oh_no(window: &LessonWindow, state: &LoopState, finished: &gtk::Label) {
    let number = state.started.get() + 1;
    state.started.set(number);
    let depth = state.depth.get() + 1;
    state.depth.set(depth);
    *state.message.borrow_mut() = "Pressed".to_owned();

    let started = Instant::now();
    for done in 1..=CHUNKS {
        do_one_chunk(state.chunk);
        // Copy the message out instead of holding `borrow()` across the
        // drain: "?" takes `borrow_mut()` in there, and RefCell would panic
        // rather than let the two overlap.
        let message = state.message.borrow().clone();
        window.set_status(&format!(
            "{message} (loop {number}, depth {depth}, chunk {done}/{CHUNKS})"
        ));
        // Anything can happen in here, including this very handler.
        process_pending_events();
        if !window.gtk_window().is_visible() {
            break; // Closed in there: nobody is waiting for the rest.
        }
    }

    state.depth.set(depth - 1);
    let took = started.elapsed().as_secs_f64();
    let line = format!("Loop {number} (depth {depth}) took {took:.2} s.");
    let list = finished.label();
    if list.is_empty() {
        finished.set_label(&line);
    } else {
        finished.set_label(&format!("{list}\n{line}"));
    }
}

/// The "?" button: the tutorial's `change_message`.
pub fn change_message(state: &LoopState) {
    *state.message.borrow_mut() = "OH NO".to_owned();
}
// ANCHOR_END: handler

impl Lesson for MainContextIteration {
    const ABOUT: About = About {
        id: env!("CARGO_PKG_NAME"),
        title: env!("CARGO_PKG_DESCRIPTION"),
        summary: "DANGER works in chunks and drains the main context between \
                  them, like Qt's processEvents(). The window stays alive, \
                  but the work is slower, \"?\" changes the loop's message \
                  under its feet, and DANGER again starts a loop inside the \
                  loop.",
        default_work: Duration::from_secs(5),
    };

    // ANCHOR: build
    fn build(stage: &Stage) -> Self {
        let window = stage.window.clone();
        let chunk = stage.options.work / CHUNKS;
        let state = Rc::new(LoopState::new(chunk));
        // Under the status line: each loop that ends, how deep it ran and
        // how long it took.
        let finished = gtk::Label::new(None);
        window.add(&finished);
        let danger = window.add_button("DANGER!");
        let question = window.add_button("?");

        danger.connect_clicked(glib::clone!(
            #[weak]
            window,
            #[weak]
            finished,
            #[strong]
            state,
            move |_| oh_no(&window, &state, &finished)
        ));
        question.connect_clicked(glib::clone!(
            #[strong]
            state,
            move |_| change_message(&state)
        ));

        Self { window, danger, question, finished, chunk }
    }
    // ANCHOR_END: build
}
