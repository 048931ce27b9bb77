//! How long a timer lives, and what a closure keeps alive. A PyQt `QTimer`
//! dies with its last reference. A glib source lives until its callback
//! returns `Break` or someone removes it, whatever becomes of its
//! `SourceId`, and everything its closure holds lives as long.
//!
//! `#[gtk::test]` runs every test of this file on one thread, the one GTK
//! was initialised on; each waits on the main loop with a timer future.

#![expect(
    clippy::disallowed_methods,
    reason = "#[gtk::test] runs an async test with MainContext::block_on: \
              the test thread blocks until the test ends, by design"
)]

use glib::ControlFlow;
use gtk::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

const TICK: Duration = Duration::from_millis(10);

// ANCHOR: strong_clock
/// The mistake: the closure owns the label and the timer owns the closure.
/// Nothing removes the timer, so it ticks for the life of the process and
/// the label outlives its window.
fn strong_clock(label: &gtk::Label) -> glib::SourceId {
    let label = label.clone();
    let mut ticks = 0;
    glib::timeout_add_local(TICK, move || {
        ticks += 1;
        label.set_text(&format!("{ticks} ticks"));
        ControlFlow::Continue
    })
}
// ANCHOR_END: strong_clock

// ANCHOR: weak_clock
/// The fix: the closure holds the label weakly, and the first tick that
/// finds it gone returns `Break`, which removes the timer.
fn weak_clock(label: &gtk::Label) -> glib::SourceId {
    let mut ticks = 0;
    glib::timeout_add_local(
        TICK,
        glib::clone!(
            #[weak]
            label,
            #[upgrade_or]
            ControlFlow::Break,
            move || {
                ticks += 1;
                label.set_text(&format!("{ticks} ticks"));
                ControlFlow::Continue
            }
        ),
    )
}
// ANCHOR_END: weak_clock

/// A window holding `child`, shown.
fn window_with(child: &impl IsA<gtk::Widget>) -> gtk::Window {
    let window = gtk::Window::new();
    window.set_child(Some(child));
    window.present();
    window
}

/// Closes `window` as its close button would and lets the loop run on.
async fn close_and_wait(window: gtk::Window) {
    window.close();
    drop(window);
    glib::timeout_future(TICK * 10).await;
}

fn is_attached(id: &glib::SourceId) -> bool {
    glib::MainContext::default().find_source_by_id(id).is_some()
}

#[gtk::test]
async fn a_strong_timer_keeps_its_label_alive_and_ticking_after_the_close() {
    let label = gtk::Label::new(None);
    let window = window_with(&label);
    let timer = strong_clock(&label);
    let watch = label.downgrade();
    drop(label);
    close_and_wait(window).await;

    let label = watch.upgrade().expect("the timer's closure holds the label");
    assert!(label.parent().is_none(), "the label left its closed window");
    let before = label.text();
    glib::timeout_future(TICK * 5).await;
    assert_ne!(label.text(), before, "the timer still ticks");
    assert!(is_attached(&timer));

    timer.remove(); // Only this ends it; the test cleans up.
    drop(label);
    assert!(watch.upgrade().is_none(), "removing the timer freed it");
}

#[gtk::test]
async fn a_weak_timer_lets_its_label_go_and_ends_itself() {
    let label = gtk::Label::new(None);
    let window = window_with(&label);
    let timer = weak_clock(&label);
    let watch = label.downgrade();
    drop(label);
    glib::timeout_future(TICK * 5).await;
    assert!(is_attached(&timer), "it ticks while the window is open");

    close_and_wait(window).await;
    assert!(watch.upgrade().is_none(), "the label went with its window");
    assert!(!is_attached(&timer), "the next tick returned Break");
}

// ANCHOR: once
#[gtk::test]
async fn a_once_timer_removes_itself_after_it_fires() {
    let fired = Rc::new(Cell::new(0));
    let timer = glib::timeout_add_local_once(
        TICK,
        glib::clone!(
            #[strong]
            fired,
            move || fired.set(fired.get() + 1)
        ),
    );
    glib::timeout_future(TICK * 10).await;
    assert_eq!(fired.get(), 1);
    // Gone: `timer.remove()` now would panic, since glib has no such source.
    assert!(!is_attached(&timer));
}
// ANCHOR_END: once
