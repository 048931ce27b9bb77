//! Where Rust's types stop and run-time checks take over.
//!
//! `glib::thread_guard::ThreadGuard` and `glib::SendWeakRef` are `Send` and `Sync` whatever they
//! hold: the compiler lets them cross threads, and they check the thread when they are used.
//! glib's `*_local` functions check that the caller owns the main context, and gtk-rs checks that
//! GTK is called on the thread that initialised it. Each check is a panic, so each scenario runs
//! in a child process (this test binary, re-run on that one test) and the parent checks how the
//! child died.

use glib::prelude::*;
use glib::thread_guard::ThreadGuard;
use std::process::Command;

/// Set, to the test's name, in the child that runs the scenario.
const CHILD: &str = "COMPILE_TESTS_RUNTIME_GUARD_CHILD";

// ANCHOR: thread_guard_get
#[test]
fn a_thread_guard_refuses_access_from_another_thread() {
    died_of(
        "a_thread_guard_refuses_access_from_another_thread",
        read_a_guarded_object_on_another_thread,
        "Value accessed from different thread than where it was created",
    );
}

fn read_a_guarded_object_on_another_thread() {
    // A plain GObject: like a widget, neither Send nor Sync.
    let guard = ThreadGuard::new(glib::Object::new::<glib::Object>());
    // ThreadGuard is Send and Sync whatever it holds, so this compiles...
    std::thread::scope(|scope| {
        // ...and get_ref() checks the thread, and panics, when it runs.
        scope.spawn(|| guard.get_ref().ref_count());
    });
}
// ANCHOR_END: thread_guard_get

// ANCHOR: thread_guard_drop
#[test]
fn a_thread_guard_refuses_to_be_dropped_on_another_thread() {
    died_of(
        "a_thread_guard_refuses_to_be_dropped_on_another_thread",
        drop_a_guarded_object_on_another_thread,
        "Value dropped on a different thread than where it was created",
    );
}

fn drop_a_guarded_object_on_another_thread() {
    let guard = ThreadGuard::new(glib::Object::new::<glib::Object>());
    std::thread::scope(|scope| {
        // The guard panics rather than drop the object here; the object is leaked.
        scope.spawn(move || drop(guard));
    });
}
// ANCHOR_END: thread_guard_drop

// ANCHOR: send_weak_ref
#[test]
fn a_send_weak_ref_refuses_to_upgrade_on_another_thread() {
    died_of(
        "a_send_weak_ref_refuses_to_upgrade_on_another_thread",
        upgrade_a_send_weak_ref_on_another_thread,
        "SendWeakRef dereferenced on a different thread",
    );
}

fn upgrade_a_send_weak_ref_on_another_thread() {
    let object = glib::Object::new::<glib::Object>();
    let weak = glib::SendWeakRef::from(object.downgrade());
    std::thread::scope(|scope| {
        // Moving, cloning or dropping a SendWeakRef anywhere is fine; upgrading it is not.
        scope.spawn(move || weak.upgrade().is_some());
    });
}
// ANCHOR_END: send_weak_ref

// ANCHOR: local_source
#[test]
fn a_local_source_refuses_a_thread_that_does_not_own_the_loop() {
    died_of(
        "a_local_source_refuses_a_thread_that_does_not_own_the_loop",
        add_a_local_source_from_a_worker,
        "default main context already acquired by another thread",
    );
}

fn add_a_local_source_from_a_worker() {
    // What a running main loop does: own the default main context.
    let context = glib::MainContext::default();
    let _owner = context.acquire().unwrap();
    std::thread::scope(|scope| {
        // The closure need not be Send, so glib checks instead that the caller owns the loop.
        scope.spawn(|| glib::idle_add_local_once(|| println!("never")));
    });
}
// ANCHOR_END: local_source

// ANCHOR: gtk_second_thread
#[test]
fn gtk_refuses_a_second_thread() {
    if std::env::var_os(CHILD).is_none() {
        let display = ["DISPLAY", "WAYLAND_DISPLAY"]
            .iter()
            .any(|var| std::env::var_os(var).is_some_and(|value| !value.is_empty()));
        assert!(
            display,
            "this test initialises GTK and needs a display, but neither DISPLAY nor \
             WAYLAND_DISPLAY is set: run it under `xvfb-run -a` (`cargo xtask test` does)"
        );
    }
    died_of(
        "gtk_refuses_a_second_thread",
        use_gtk_from_a_second_thread,
        "GTK may only be used from the main thread",
    );
}

fn use_gtk_from_a_second_thread() {
    // This thread becomes GTK's main thread.
    gtk::init().expect("GTK could not start: is there a display?");
    std::thread::scope(|scope| {
        scope.spawn(|| {
            let _label = gtk::Label::new(Some("made by a worker"));
        });
    });
}
// ANCHOR_END: gtk_second_thread

// ANCHOR: died_of
/// In the parent, runs `test` again in a child process and asserts that the child panicked with
/// `message`; in that child, runs `scenario`, which should panic.
fn died_of(test: &str, scenario: fn(), message: &str) {
    if std::env::var(CHILD).is_ok_and(|child| child == test) {
        scenario();
        return; // No panic: the child passes, and the parent fails below.
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture"])
        .env(CHILD, test)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child survived:\n{stderr}");
    assert!(stderr.contains(message), "the child died of something else:\n{stderr}");
}
// ANCHOR_END: died_of
