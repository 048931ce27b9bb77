//! Unit tests of the pattern's two traps, kept out of the pattern's file.

use crate::pattern::{LoopState, change_message, process_pending_events};
use std::time::Duration;

/// A source that is always ready (an idle callback that keeps returning
/// `Continue`) must not keep the drain, and the handler around it, from ever
/// returning.
#[test]
fn the_drain_ends_even_when_a_source_stays_ready() {
    let (done, drained) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let context = glib::MainContext::default();
        let _owner = context
            .acquire()
            .expect("nobody else runs the default context here");
        glib::idle_add_local(|| glib::ControlFlow::Continue);
        process_pending_events();
        let _ = done.send(());
    });
    #[expect(
        clippy::disallowed_methods,
        reason = "a unit test waits for its thread"
    )]
    let ended = drained.recv_timeout(Duration::from_secs(2));
    assert!(ended.is_ok(), "the drain was still running after two seconds");
}

/// Had the handler held its borrow of the message across the drain, "?"
/// would not have changed the data under it: RefCell refuses the second,
/// mutable borrow with a panic. (Called here directly, the panic can be
/// caught; in the window, "?"'s handler runs inside GTK's C code and the
/// panic aborts the application: tests/tests/runtime_guards.rs pins that.)
#[test]
fn a_borrow_held_across_the_drain_turns_the_change_into_a_panic() {
    let state = LoopState::new(Duration::from_millis(1));
    let held = state.message.borrow();
    let changed =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            change_message(&state);
        }));
    drop(held);
    assert!(changed.is_err(), "RefCell let a mutable borrow overlap");
    change_message(&state);
    assert_eq!(
        *state.message.borrow(),
        "OH NO",
        "without the overlap the change goes through"
    );
}
