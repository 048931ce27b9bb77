//! How the scenario reads the window: every text a widget showed, with the
//! moment it changed and what the main thread had used by then.

use crate::view::View;
use gtk::prelude::*;
use nix::sys::resource::{UsageWho, getrusage};
use nix::sys::time::TimeValLike;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

/// The widgets the scenario reads, each watched from the scenario's start.
pub struct Seen {
    pub file: Watch,
    pub progress: Watch,
    pub read: Watch,
    pub timer: Watch,
    pub checksum: Watch,
    /// The window was asked to close (a stop signal in the middle of the
    /// scenario): every wait ends then, so that nothing here keeps the
    /// window, and the process, alive a moment longer.
    pub closed: Rc<Cell<bool>>,
    pub closing: async_channel::Receiver<()>,
}

impl Seen {
    pub fn watch(view: &View, window: &gtk::ApplicationWindow) -> Self {
        let line = |label: &gtk::Label| {
            Watch::new(label, "label", |label| label.label().into())
        };
        let (close, closing) = async_channel::bounded(1);
        let seen = Self {
            file: line(&view.file),
            progress: Watch::new(&view.progress, "text", bar_text),
            read: line(&view.read),
            timer: line(&view.timer),
            checksum: line(&view.checksum),
            closed: Rc::default(),
            closing,
        };
        let watches = [&seen.file, &seen.progress, &seen.read, &seen.timer];
        let mut rings = Vec::from(watches.map(|w| w.ring.clone()));
        rings.extend([seen.checksum.ring.clone(), close]);
        let closed = seen.closed.clone();
        window.connect_close_request(move |_| {
            closed.set(true);
            for ring in &rings {
                let _ = ring.try_send(());
            }
            glib::Propagation::Proceed
        });
        seen
    }
}

/// One text a widget showed: when it changed to it, and the main thread's
/// usage at that moment. GTK notifies inside the setter, so both are the
/// change's own.
#[derive(Clone)]
pub struct Shown {
    pub at: Instant,
    pub text: String,
    pub usage: Usage,
}

/// Every text one widget showed.
pub struct Watch {
    shown: Rc<RefCell<Vec<Shown>>>,
    /// Rings at each change: the scenario waits for it rather than look
    /// every few milliseconds, which would wake the main loop itself.
    pub changed: async_channel::Receiver<()>,
    ring: async_channel::Sender<()>,
}

impl Watch {
    /// Watches `property` of `widget`, read as text by `text`.
    fn new<W: IsA<glib::Object>>(
        widget: &W,
        property: &str,
        text: fn(&W) -> String,
    ) -> Self {
        let first = Shown {
            at: Instant::now(),
            text: text(widget),
            usage: Usage::now(),
        };
        let shown = Rc::new(RefCell::new(vec![first]));
        let note = shown.clone();
        let (ring, changed) = async_channel::bounded(1);
        let rings = ring.clone();
        widget.connect_notify_local(Some(property), move |widget, _| {
            let usage = Usage::now();
            let text = text(widget);
            let mut shown = note.borrow_mut();
            if shown.last().is_none_or(|last| last.text != text) {
                shown.push(Shown { at: usage.at, text, usage });
                let _ = rings.try_send(());
            }
        });
        Self { shown, changed, ring }
    }

    /// The first text after `after` that `is` accepts.
    pub fn first(
        &self,
        after: Instant,
        is: impl Fn(&str) -> bool,
    ) -> Option<Shown> {
        let shown = self.shown.borrow();
        shown.iter().find(|s| s.at >= after && is(&s.text)).cloned()
    }

    /// What the widget showed at `moment`.
    pub fn at(&self, moment: Instant) -> Shown {
        let shown = self.shown.borrow();
        let before = shown.iter().take_while(|s| s.at <= moment).last();
        before.unwrap_or(&shown[0]).clone()
    }

    /// How many times the text changed between `from` and `to`.
    pub fn changes(&self, from: Instant, to: Instant) -> usize {
        let shown = self.shown.borrow();
        shown.iter().filter(|s| s.at > from && s.at < to).count()
    }
}

/// The main thread's CPU time and wake-ups so far. The scenario runs on the
/// main thread, so `RUSAGE_THREAD` is the main loop's own.
#[derive(Debug, Clone, Copy)]
pub struct Usage {
    pub at: Instant,
    cpu: Duration,
    /// Voluntary context switches: each time the thread went to sleep
    /// (waiting in `poll`) and was woken up again.
    wakeups: i64,
}

impl Usage {
    pub fn now() -> Self {
        let usage = getrusage(UsageWho::RUSAGE_THREAD)
            .expect("Linux reports a thread's usage");
        let micros = usage.user_time().num_microseconds()
            + usage.system_time().num_microseconds();
        Self {
            at: Instant::now(),
            cpu: Duration::from_micros(micros.try_into().unwrap_or(0)),
            wakeups: usage.voluntary_context_switches(),
        }
    }

    /// What the main thread used from `earlier` to this.
    pub fn since(self, earlier: Self) -> Cost {
        Cost {
            wall: self.at - earlier.at,
            cpu: self.cpu.saturating_sub(earlier.cpu),
            wakeups: self.wakeups - earlier.wakeups,
        }
    }
}

/// What the main thread used over a stretch of the run.
#[derive(Debug, Clone, Copy)]
pub struct Cost {
    pub wall: Duration,
    pub cpu: Duration,
    pub wakeups: i64,
}

pub fn bar_text(bar: &gtk::ProgressBar) -> String {
    bar.text().map(String::from).unwrap_or_default()
}

/// "21 of 64 chunks, ...": 21.
pub fn chunks(text: &str) -> u32 {
    let done = text.split_once(" of ").map(|(done, _)| done.parse());
    done.and_then(Result::ok).unwrap_or(0)
}
