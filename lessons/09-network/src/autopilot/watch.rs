//! How the scenario reads the window: every text the progress bar and the
//! outcome line showed, with the moment it changed and which threads the
//! process had at that moment.

use crate::view::View;
use gtk::prelude::*;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::Instant;

/// The process's threads now, by id: the entries of `/proc/self/task`,
/// one per thread (Linux).
pub fn threads() -> Threads {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return Threads::new();
    };
    let ids =
        tasks.flatten().filter_map(|task| task.file_name().into_string().ok());
    ids.filter_map(|id| id.parse().ok()).collect()
}

/// Thread ids. A set, not a count: a thread of GLib's pool that ends
/// after 15 s idle must not hide one that started.
pub type Threads = std::collections::BTreeSet<u32>;

/// One text a widget showed. GTK notifies inside the setter, so the moment
/// and the thread count are the change's own, even while a click handler
/// holds the main loop.
#[derive(Debug, Clone)]
pub struct Shown {
    pub at: Instant,
    pub text: String,
    pub threads: Threads,
}

/// Every text one widget showed.
pub struct Watch {
    shown: Rc<RefCell<Vec<Shown>>>,
    /// Rings at each change, so that the scenario waits for one rather
    /// than look every few milliseconds.
    pub changed: async_channel::Receiver<()>,
    ring: async_channel::Sender<()>,
}

impl Watch {
    fn new<W: IsA<glib::Object>>(
        widget: &W,
        property: &str,
        text: fn(&W) -> String,
    ) -> Self {
        let first = Shown {
            at: Instant::now(),
            text: text(widget),
            threads: threads(),
        };
        let shown = Rc::new(RefCell::new(vec![first]));
        let note = shown.clone();
        let (ring, changed) = async_channel::bounded(1);
        let rings = ring.clone();
        widget.connect_notify_local(Some(property), move |widget, _| {
            let text = text(widget);
            let mut shown = note.borrow_mut();
            if shown.last().is_none_or(|last| last.text != text) {
                let (at, threads) = (Instant::now(), threads());
                shown.push(Shown { at, text, threads });
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

    /// Every change after `from` and before `to`.
    pub fn between(&self, from: Instant, to: Instant) -> Vec<Shown> {
        let shown = self.shown.borrow();
        shown.iter().filter(|s| s.at > from && s.at < to).cloned().collect()
    }
}

/// The widgets the scenario reads, each watched from the scenario's start.
pub struct Seen {
    pub progress: Watch,
    pub outcome: Watch,
    /// The window was asked to close (a stop signal in the middle of the
    /// scenario): every wait ends then, so that nothing here keeps the
    /// window alive a moment longer.
    pub closed: Rc<Cell<bool>>,
}

impl Seen {
    pub fn watch(view: &View, window: &gtk::ApplicationWindow) -> Self {
        let seen = Self {
            progress: Watch::new(&view.progress, "text", bar_text),
            outcome: Watch::new(&view.outcome, "label", |l| l.label().into()),
            closed: Rc::default(),
        };
        let rings = [seen.progress.ring.clone(), seen.outcome.ring.clone()];
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

pub fn bar_text(bar: &gtk::ProgressBar) -> String {
    bar.text().map(String::from).unwrap_or_default()
}

/// "65536 of 262144 bytes": 65536.
pub fn received(text: &str) -> usize {
    let done = text.split_once(" of ").map(|(done, _)| done.parse());
    done.and_then(Result::ok).unwrap_or(0)
}

/// The number before `unit` in an outcome line: "Fetched 262144 bytes" with
/// "bytes" gives 262144.
pub fn number_before(text: &str, unit: &str) -> Option<usize> {
    let (before, _) = text.split_once(&format!(" {unit}"))?;
    before.rsplit(' ').next()?.parse().ok()
}

/// The word after `label` in an outcome line: "FNV-1a 0123abcd: intact."
/// with "FNV-1a" gives "0123abcd".
pub fn word_after<'t>(text: &'t str, label: &str) -> Option<&'t str> {
    let (_, after) = text.split_once(&format!("{label} "))?;
    after.split([' ', ':', ',', '.']).next()
}
