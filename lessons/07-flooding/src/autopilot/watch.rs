//! What the scenario watches from outside the pattern: a thread that samples
//! the run in progress every millisecond (events made, events waiting, the
//! process's resident memory), which goes on while the main loop is flooded,
//! and the note each painted frame showed.

use crate::pattern::Flooding;
use crate::producer::{Backlog, resident_kib};
use gtk::prelude::*;
use lesson_kit::ScenarioError;
use std::cell::RefCell;
use std::rc::Rc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How often the sampling thread looks.
const SAMPLE_EVERY: Duration = Duration::from_millis(1);

/// One look at the run in progress.
#[derive(Debug, Clone, Copy)]
pub struct Sample {
    pub at: Instant,
    /// Events the worker had handed over.
    pub made: u64,
    /// Events waiting for the window.
    pub waiting: usize,
    pub rss_kib: Option<u64>,
}

impl Sample {
    fn of(backlog: &Backlog) -> Self {
        let at = Instant::now();
        let (made, waiting) = (backlog.made(), backlog.waiting());
        Self { at, made, waiting, rss_kib: resident_kib() }
    }
}

/// What the sampling thread shares with the scenario.
#[derive(Default)]
struct Shared {
    /// The run followed, and its number: a look the thread took of an
    /// earlier run and handed in late is told apart by that number.
    followed: Mutex<(u64, Option<Arc<Backlog>>)>,
    samples: Mutex<Vec<(u64, Sample)>>,
    stop: AtomicBool,
}

/// A frame the window painted, and the item its note showed then.
#[derive(Debug, Clone, Copy)]
pub struct Painted {
    pub at: Instant,
    pub item: Option<u64>,
}

pub struct Watch {
    shared: Arc<Shared>,
    painted: Rc<RefCell<Vec<Painted>>>,
    clock: gtk::gdk::FrameClock,
    after_paint: Option<glib::SignalHandlerId>,
}

impl Watch {
    /// Starts the sampling thread, has every button's click hand it the new
    /// run (right after the pattern's own handler has started the run, and
    /// before anything else can run on the main loop), and reads the note
    /// after every paint.
    pub fn start(lesson: &Flooding) -> Result<Self, ScenarioError> {
        let shared = Arc::new(Shared::default());
        // Sized for far more samples than a run takes: a growing vector
        // would show up in the memory it measures.
        *lock(&shared.samples) = Vec::with_capacity(1 << 16);
        let sampling = shared.clone();
        std::thread::Builder::new()
            .name("autopilot-sampler".into())
            .spawn(move || sample(&sampling))
            .map_err(|e| format!("cannot start the sampling thread: {e}"))?;

        let controller = &lesson.controller;
        for button in &controller.view.buttons {
            button.connect_clicked(glib::clone!(
                #[weak]
                controller,
                #[strong]
                shared,
                move |_| {
                    let mut followed = lock(&shared.followed);
                    *followed = (followed.0 + 1, controller.backlog());
                }
            ));
        }

        let view = &controller.view;
        let window = view.window.gtk_window();
        let clock = window.frame_clock().ok_or("the window has no clock")?;
        let painted: Rc<RefCell<Vec<Painted>>> = Rc::default();
        let after_paint = clock.connect_after_paint(glib::clone!(
            #[weak(rename_to = note)]
            view.note,
            #[strong]
            painted,
            move |_| {
                let item = item(&note.label());
                painted.borrow_mut().push(Painted { at: Instant::now(), item });
            }
        ));
        Ok(Self { shared, painted, clock, after_paint: Some(after_paint) })
    }

    /// Stops following the run, after one last look, and returns what the
    /// thread saw of it.
    pub fn finish_run(&self) -> Vec<Sample> {
        let (run, backlog) = {
            let mut followed = lock(&self.shared.followed);
            (followed.0, followed.1.take())
        };
        let mut samples = lock(&self.shared.samples);
        if let Some(backlog) = backlog {
            samples.push((run, Sample::of(&backlog)));
        }
        let all = samples.drain(..);
        all.filter(|(of, _)| *of == run).map(|(_, sample)| sample).collect()
    }

    /// The frames painted from `from` on.
    pub fn painted_since(&self, from: Instant) -> Vec<Painted> {
        let painted = self.painted.borrow();
        painted.iter().copied().filter(|p| p.at >= from).collect()
    }
}

impl Drop for Watch {
    fn drop(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(handler) = self.after_paint.take() {
            self.clock.disconnect(handler);
        }
    }
}

fn sample(shared: &Shared) {
    while !shared.stop.load(Ordering::Relaxed) {
        let (run, backlog) = lock(&shared.followed).clone();
        if let Some(backlog) = backlog {
            let sample = Sample::of(&backlog);
            lock(&shared.samples).push((run, sample));
        }
        #[expect(
            clippy::disallowed_methods,
            reason = "the autopilot's sampling thread, not the main loop"
        )]
        std::thread::sleep(SAMPLE_EVERY);
    }
}

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The item number in a note, "Item 12 of 200000".
pub fn item(note: &str) -> Option<u64> {
    note.strip_prefix("Item ")?.split(' ').next()?.parse().ok()
}

/// When item `n` was made, at the earliest: the last look that had not seen
/// it yet, or `start` if none. An event's age counted from there is never
/// less than its true age.
pub fn made_at(samples: &[Sample], n: u64, start: Instant) -> Instant {
    let before = samples.iter().filter(|s| s.made < n).map(|s| s.at).max();
    before.unwrap_or(start).max(start)
}

/// The main thread's CPU time so far.
pub fn main_thread_cpu() -> Duration {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    let nanos = u64::try_from(now.tv_nsec).unwrap_or(0);
    Duration::from_secs(u64::try_from(now.tv_sec).unwrap_or(0))
        + Duration::from_nanos(nanos)
}
