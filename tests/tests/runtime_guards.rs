//! Where Rust's types stop and run-time checks take over.
//!
//! `glib::thread_guard::ThreadGuard` and `glib::SendWeakRef` are `Send` and
//! `Sync` whatever they hold: the compiler lets them cross threads, and they
//! check the thread when they are used. glib's `*_local` functions check that
//! the caller owns the main context, and gtk-rs checks that GTK is called on
//! the thread that initialised it. Each check is a panic, so each scenario runs
//! in a child process (this test binary, re-run on that one test) and the
//! parent checks how the child died.

use glib::prelude::*;
use glib::thread_guard::ThreadGuard;
use gtk::prelude::*;
use std::cell::RefCell;
use std::process::Command;
use std::rc::Rc;
use std::sync::mpsc;

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
        // The guard panics rather than drop the object here; the object is
        // leaked.
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
        // Moving, cloning or dropping a SendWeakRef anywhere is fine; upgrading
        // it is not.
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
        // The closure need not be Send, so glib checks instead that the caller
        // owns the loop.
        scope.spawn(|| glib::idle_add_local_once(|| println!("never")));
    });
}
// ANCHOR_END: local_source

// ANCHOR: gtk_second_thread
#[test]
fn gtk_refuses_a_second_thread() {
    if std::env::var_os(CHILD).is_none() {
        assert_display();
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

// ANCHOR: borrow_in_a_handler
#[test]
fn a_borrow_conflict_in_a_click_handler_aborts_the_process() {
    if std::env::var_os(CHILD).is_none() {
        assert_display();
    }
    let test = "a_borrow_conflict_in_a_click_handler_aborts_the_process";
    let out = child(test, hold_a_borrow_across_a_click);
    assert!(!out.status.success(), "the child survived:\n{}", out.stderr);
    // RefCell's check fires, inside a handler that GTK's C code called: Rust
    // cannot unwind through C, so the panic becomes an abort. No code after the
    // click runs.
    assert!(out.stderr.contains("already borrowed"), "{}", out.stderr);
    assert!(
        out.stderr.contains("panic in a function that cannot unwind"),
        "{}",
        out.stderr
    );
    assert!(!out.stdout.contains("lives on"), "{}", out.stdout);
}

fn hold_a_borrow_across_a_click() {
    gtk::init().expect("GTK could not start: is there a display?");
    let message = Rc::new(RefCell::new(String::from("Pressed")));
    let question = gtk::Button::new();
    question.connect_clicked(glib::clone!(
        #[strong]
        message,
        move |_| *message.borrow_mut() = "OH NO".into()
    ));
    // Held across something that runs other handlers:
    let shown = message.borrow();
    question.emit_clicked();
    drop(shown);
    println!("the application lives on");
}
// ANCHOR_END: borrow_in_a_handler

// ANCHOR: borrow_in_a_task
#[test]
fn a_borrow_conflict_in_a_spawned_future_ends_only_that_future() {
    let test = "a_borrow_conflict_in_a_spawned_future_ends_only_that_future";
    let out = child(test, hold_a_borrow_across_a_task);
    // The same conflict inside a future: glib's executor catches the panic,
    // ends the task and hands the panic to its JoinHandle. The application
    // carries on.
    assert!(out.status.success(), "the child died:\n{}", out.stderr);
    assert!(out.stderr.contains("already borrowed"), "{}", out.stderr);
    assert!(
        out.stdout.contains("the task panicked; the application lives on"),
        "{}",
        out.stdout
    );
}

fn hold_a_borrow_across_a_task() {
    let context = glib::MainContext::new();
    let message = Rc::new(RefCell::new(String::from("Pressed")));
    let shown = message.borrow();
    let task = context.spawn_local(glib::clone!(
        #[strong]
        message,
        async move { *message.borrow_mut() = "OH NO".into() }
    ));
    #[expect(
        clippy::disallowed_methods,
        reason = "a test drives its own context"
    )]
    let ended = context.block_on(task);
    drop(shown);
    if ended.is_err_and(|error| error.is_panic()) {
        println!("the task panicked; the application lives on");
    }
}
// ANCHOR_END: borrow_in_a_task

// ANCHOR: invoke_runs_at_once
#[test]
fn invoke_runs_at_once_on_the_caller_when_no_thread_owns_it() {
    let test = "invoke_runs_at_once_on_the_caller_when_no_thread_owns_it";
    let out = child(test, invoke_from_a_worker);
    assert!(out.status.success(), "the child died:\n{}", out.stderr);
    let expected = concat!(
        "loop not running: ran on 'worker' before invoke returned\n",
        "loop running: ran on the owner's thread after invoke returned\n",
    );
    assert_eq!(out.stdout, expected);
}

fn invoke_from_a_worker() {
    let context = glib::MainContext::default();
    let ask = |context: &glib::MainContext| {
        let context = context.clone();
        let (ran_on, ran) = mpsc::channel();
        let worker = std::thread::Builder::new().name("worker".into());
        let returned = worker.spawn(move || {
            context.invoke(move || {
                let _ = ran_on
                    .send(std::thread::current().name().map(str::to_owned));
            });
        });
        #[expect(
            clippy::disallowed_methods,
            reason = "a test joins its own thread"
        )]
        returned.unwrap().join().unwrap();
        ran
    };
    // Nobody owns the default context yet (no loop runs): invoke calls the
    // closure there and then, on the worker. It is not queued for the main
    // thread, as Qt's invokeMethod would be.
    let ran = ask(&context);
    let name = ran
        .try_recv()
        .expect("the closure had not run when invoke returned")
        .unwrap();
    println!("loop not running: ran on '{name}' before invoke returned");
    // The main thread owns the context, as a running loop does: now the call is
    // queued, and the owner runs it at its next iteration.
    let _owner = context.acquire().unwrap();
    let ran = ask(&context);
    assert!(
        ran.try_recv().is_err(),
        "the closure ran before the owner's loop did"
    );
    #[expect(clippy::disallowed_methods, reason = "the test is the loop here")]
    context.iteration(true);
    let name = ran.try_recv().expect("the owner's iteration ran the closure");
    assert_eq!(
        name.as_deref(),
        std::thread::current().name(),
        "ran on another thread"
    );
    println!("loop running: ran on the owner's thread after invoke returned");
}
// ANCHOR_END: invoke_runs_at_once

// ANCHOR: which_context
#[test]
fn a_local_source_added_early_by_a_worker_panics_later() {
    let test = "a_local_source_added_early_by_a_worker_panics_later";
    let out = child(test, add_local_sources_before_the_loop_runs);
    // spawn_future_local went to the worker's own context and ran there...
    assert!(
        out.stdout.contains("spawn_future_local ran on 'worker'"),
        "{}",
        out.stdout
    );
    // ...idle_add_local went to the global default context, and only the main
    // thread's first iteration found the closure to belong to another thread:
    // inside C, so an abort.
    assert!(out.stdout.contains("idle_add_local returned"), "{}", out.stdout);
    assert!(!out.status.success(), "the child survived:\n{}", out.stderr);
    assert!(
        out.stderr.contains("Value accessed from different thread"),
        "{}",
        out.stderr
    );
}

fn add_local_sources_before_the_loop_runs() {
    let worker =
        std::thread::Builder::new().name("worker".into()).spawn(|| {
            let own = glib::MainContext::new();
            own.with_thread_default(|| {
                // Nobody owns the default context yet, so this succeeds...
                glib::idle_add_local_once(|| println!("never"));
                println!("idle_add_local returned");
                // ...and this goes to the worker's own, thread-default context.
                let task = glib::spawn_future_local(async {
                    let thread =
                        std::thread::current().name().map(str::to_owned);
                    println!(
                        "spawn_future_local ran on '{}'",
                        thread.unwrap_or_default()
                    );
                });
                #[expect(
                    clippy::disallowed_methods,
                    reason = "the worker runs its own context"
                )]
                own.block_on(task).unwrap();
            })
            .unwrap();
        });
    #[expect(
        clippy::disallowed_methods,
        reason = "a test joins its own thread"
    )]
    worker.unwrap().join().unwrap();
    // The main thread's loop starts, and dispatches the worker's idle callback.
    #[expect(
        clippy::disallowed_methods,
        reason = "the test is the main loop here"
    )]
    glib::MainContext::default().iteration(true);
}
// ANCHOR_END: which_context

fn assert_display() {
    let display = ["DISPLAY", "WAYLAND_DISPLAY"].iter().any(|var| {
        std::env::var_os(var).is_some_and(|value| !value.is_empty())
    });
    assert!(
        display,
        "this test initialises GTK and needs a display, but neither DISPLAY nor \
         WAYLAND_DISPLAY is set: run it under `xvfb-run -a` (`cargo xtask test` does)"
    );
}

/// What a child process printed and how it ended.
struct Child {
    status: std::process::ExitStatus,
    stdout: String,
    stderr: String,
}

/// In the parent, runs `test` again in a child process and returns what the
/// child did; in that child, runs `scenario` and exits 0 if it returns.
#[expect(
    clippy::disallowed_methods,
    reason = "the test runs itself as a child and waits for it; no main loop"
)]
fn child(test: &str, scenario: fn()) -> Child {
    if std::env::var(CHILD).is_ok_and(|child| child == test) {
        scenario();
        std::process::exit(0);
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args(["--exact", test, "--nocapture", "--quiet"])
        .env(CHILD, test)
        .output()
        .unwrap();
    // The test harness adds lines of its own around the scenario's output.
    let stdout = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|line| {
            !line.is_empty()
                && !line.starts_with("running ")
                && !line.starts_with("test ")
        })
        .filter(|line| {
            !line.starts_with('.') && !line.starts_with("test result")
        })
        .map(|line| format!("{line}\n"))
        .collect();
    Child {
        status: out.status,
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).into(),
    }
}

// ANCHOR: died_of
/// In the parent, runs `test` again in a child process and asserts that the
/// child panicked with `message`; in that child, runs `scenario`, which should
/// panic.
#[expect(
    clippy::disallowed_methods,
    reason = "the test runs itself as a child and waits for it; no main loop"
)]
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
    assert!(
        stderr.contains(message),
        "the child died of something else:\n{stderr}"
    );
}
// ANCHOR_END: died_of
