//! How the scenario reads the window: every text a label showed, with the
//! moment it changed to it, and the numbers in the line about the child.

use gtk::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

/// One text a label showed, from the moment it changed to it. GTK notifies
/// inside the setter, so the moment is the change's own.
#[derive(Debug, Clone)]
pub struct Shown {
    pub at: Instant,
    pub text: String,
}

/// Every text one label showed since the scenario began.
pub struct Watch {
    shown: Rc<RefCell<Vec<Shown>>>,
}

impl Watch {
    pub fn label(label: &gtk::Label) -> Self {
        let first = Shown { at: Instant::now(), text: label.label().into() };
        let shown = Rc::new(RefCell::new(vec![first]));
        let note = shown.clone();
        label.connect_notify_local(Some("label"), move |label, _| {
            let text: String = label.label().into();
            let mut shown = note.borrow_mut();
            if shown.last().is_none_or(|last| last.text != text) {
                shown.push(Shown { at: Instant::now(), text });
            }
        });
        Self { shown }
    }

    /// The first text shown at or after `after` that `is` accepts.
    pub fn first(
        &self,
        after: Instant,
        is: impl Fn(&str) -> bool,
    ) -> Option<Shown> {
        let shown = self.shown.borrow();
        shown.iter().find(|s| s.at >= after && is(&s.text)).cloned()
    }

    /// What the label showed at `moment`.
    pub fn at(&self, moment: Instant) -> String {
        let shown = self.shown.borrow();
        let before = shown.iter().take_while(|s| s.at <= moment).last();
        before.unwrap_or(&shown[0]).text.clone()
    }

    /// Every text shown from `from` to `to`.
    pub fn between(&self, from: Instant, to: Instant) -> Vec<Shown> {
        let shown = self.shown.borrow();
        shown.iter().filter(|s| s.at >= from && s.at <= to).cloned().collect()
    }
}

/// "Child 4242 running, 7 lines so far.": 7; 0 if the text counts none.
pub fn lines(text: &str) -> u32 {
    let before = text.rsplit_once(" lines").map(|(before, _)| before);
    let number = before.and_then(|b| b.rsplit([' ', ',', ';']).next());
    number.and_then(|n| n.parse().ok()).unwrap_or(0)
}

/// "Child 4242 running, ...": 4242.
pub fn pid(text: &str) -> Option<u32> {
    let rest = text.strip_prefix("Child ")?;
    rest.split([' ', ':']).next()?.parse().ok()
}

/// The line of the child's output, as the window showed it, that `is`
/// accepts.
pub fn line_of(output: &str, is: impl Fn(&str) -> bool) -> Option<String> {
    output.lines().find(|line| is(line)).map(str::to_owned)
}
