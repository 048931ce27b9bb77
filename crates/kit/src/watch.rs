//! For an autopilot: every text a label showed, with the moment it changed: the moment a
//! person looking at the window could have seen it change. GTK notifies
//! inside the setter, and a label set to the text it has does not notify,
//! so every entry is a change.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

pub struct Watch {
    shown: Rc<RefCell<Vec<(Instant, String)>>>,
}

impl Watch {
    /// Watches `label` from now on.
    pub fn label(label: &gtk::Label) -> Self {
        let now = (Instant::now(), label.label().into());
        let shown = Rc::new(RefCell::new(vec![now]));
        let note = shown.clone();
        label.connect_label_notify(move |label| {
            note.borrow_mut().push((Instant::now(), label.label().into()));
        });
        Self { shown }
    }

    /// The texts shown from `from` on, each with the moment it appeared.
    pub fn since(&self, from: Instant) -> Vec<(Instant, String)> {
        let shown = self.shown.borrow();
        shown.iter().filter(|(at, _)| *at >= from).cloned().collect()
    }

    /// When the label first showed a text that `is` accepts, from `from`
    /// on.
    pub fn first(
        &self,
        from: Instant,
        is: impl Fn(&str) -> bool,
    ) -> Option<Instant> {
        let shown = self.since(from);
        shown.into_iter().find(|(_, text)| is(text)).map(|(at, _)| at)
    }

    /// The text the label showed at `at`.
    pub fn at(&self, at: Instant) -> String {
        let shown = self.shown.borrow();
        let before = shown.iter().take_while(|(changed, _)| *changed <= at);
        before.last().map(|(_, text)| text.clone()).unwrap_or_default()
    }
}
