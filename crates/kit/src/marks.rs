//! The one hook pattern code may call for its autopilot:
//! `lesson_kit::mark("name")` notes that something happened, and when. It does
//! nothing unless an autopilot runs. A lesson uses it only for a moment no user
//! could see (the instant a worker's answer arrived, say), one call per moment.

use std::cell::{Cell, RefCell};
use std::time::Instant;

thread_local! {
    static RECORDING: Cell<bool> = const { Cell::new(false) };
    static MARKS: RefCell<Vec<(Instant, String)>> = const { RefCell::new(Vec::new()) };
}

/// Notes that `name` happened now, if an autopilot is watching. Main thread
/// only.
pub fn mark(name: impl Into<String>) {
    if RECORDING.get() {
        let now = Instant::now();
        MARKS.with_borrow_mut(|marks| marks.push((now, name.into())));
    }
}

pub(crate) fn start_recording() {
    RECORDING.set(true);
}

/// Every mark so far, oldest first.
pub(crate) fn all() -> Vec<(Instant, String)> {
    MARKS.with_borrow(Clone::clone)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marks_are_noted_only_while_recording() {
        mark("before");
        assert!(all().is_empty());
        start_recording();
        mark("after");
        let names: Vec<String> =
            all().into_iter().map(|(_, name)| name).collect();
        assert_eq!(names, ["after"]);
    }
}
