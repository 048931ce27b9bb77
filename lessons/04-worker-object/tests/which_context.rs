//! Which main context does a glib timer attach to? The lesson's window shows
//! two timers; these tests pin down three more facts, without a window, on
//! threads of their own.
//!
//! The global default context is shared by the whole process, so the tests
//! that run it take turns, and no test runs it while another needs it left
//! alone.

use gtk::gio::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::sync::{Mutex, MutexGuard, PoisonError, mpsc};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

static DEFAULT_CONTEXT: Mutex<()> = Mutex::new(());

fn take_turn() -> MutexGuard<'static, ()> {
    DEFAULT_CONTEXT.lock().unwrap_or_else(PoisonError::into_inner)
}

fn thread_name() -> String {
    std::thread::current().name().unwrap_or("unnamed").to_owned()
}

/// Runs `context` on this thread until `done()` or the timeout; says whether
/// `done()` came true.
fn run_until(
    context: &glib::MainContext,
    timeout: Duration,
    mut done: impl FnMut() -> bool,
) -> bool {
    let deadline = Instant::now() + timeout;
    while !done() {
        if Instant::now() > deadline {
            return false;
        }
        #[expect(
            clippy::disallowed_methods,
            reason = "a test thread drives a context by hand"
        )]
        context.iteration(false);
        #[expect(
            clippy::disallowed_methods,
            reason = "a test thread waits for a timer on another context"
        )]
        std::thread::park_timeout(Duration::from_millis(1));
    }
    true
}

fn spawn_worker<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> JoinHandle<T> {
    std::thread::Builder::new().name("worker".into()).spawn(f).unwrap()
}

fn join<T>(thread: JoinHandle<T>) -> std::thread::Result<T> {
    #[expect(
        clippy::disallowed_methods,
        reason = "a test waits for its own thread"
    )]
    thread.join()
}

// ANCHOR: timeout_add
#[test]
fn timeout_add_on_a_worker_runs_on_the_default_context() {
    let _turn = take_turn();
    let (ran, ran_on) = mpsc::channel();
    let worker = spawn_worker(move || {
        let context = glib::MainContext::new();
        context
            .with_thread_default(|| {
                glib::timeout_add_once(Duration::from_millis(10), move || {
                    let _ = ran.send(thread_name());
                });
                // The worker runs its own context, well past the timer's
                // due time...
                run_until(&context, Duration::from_millis(200), || false);
            })
            .unwrap();
    });
    join(worker).unwrap();
    // ...and the timer has not fired: it was not on that context.
    assert!(
        ran_on.try_recv().is_err(),
        "the timer fired on the worker's own context"
    );

    // It waits on the global default context. Run that here, and it fires
    // on this thread.
    let mut fired_on = None;
    let fired = run_until(
        &glib::MainContext::default(),
        Duration::from_secs(5),
        || {
            fired_on = ran_on.try_recv().ok();
            fired_on.is_some()
        },
    );
    assert!(fired, "the timer never fired");
    assert_eq!(fired_on, Some(thread_name()));
}
// ANCHOR_END: timeout_add

// ANCHOR: timeout_future
#[test]
fn timeout_future_waits_on_the_thread_default_context() {
    // Nobody may run the default context meanwhile: the test must show it
    // is not needed.
    let _turn = take_turn();
    let worker = spawn_worker(|| {
        let context = glib::MainContext::new();
        context
            .with_thread_default(|| {
                let done = Rc::new(Cell::new(false));
                let done_in_task = done.clone();
                context.spawn_local(async move {
                    glib::timeout_future(Duration::from_millis(10)).await;
                    done_in_task.set(true);
                });
                // Only the worker's context runs. Had the timer gone to the
                // default context, this would time out.
                run_until(&context, Duration::from_secs(5), || done.get())
            })
            .unwrap()
    });
    assert!(
        join(worker).unwrap(),
        "the timer never fired on the worker's context"
    );
}
// ANCHOR_END: timeout_future

// ANCHOR: timeout_add_local
#[test]
fn timeout_add_local_on_a_worker_panics_while_an_application_runs() {
    let _turn = take_turn();
    let app = gtk::gio::Application::new(
        None,
        gtk::gio::ApplicationFlags::NON_UNIQUE,
    );
    let worker_panicked: Rc<Cell<Option<String>>> = Rc::default();
    app.connect_activate(glib::clone!(
        #[strong]
        worker_panicked,
        move |_| {
            let worker = spawn_worker(|| {
                glib::timeout_add_local(Duration::from_millis(10), || {
                    glib::ControlFlow::Break
                });
            });
            let message = join(worker).err().map(|panic| {
                match panic.downcast::<String>() {
                    Ok(message) => *message,
                    Err(_) => "a panic without a message".to_owned(),
                }
            });
            worker_panicked.set(message);
        }
    ));
    app.run_with_args(&["which-context"]);
    let message = worker_panicked
        .take()
        .expect("timeout_add_local worked from the worker");
    assert!(
        message.contains("already acquired by another thread"),
        "{message}"
    );
}
// ANCHOR_END: timeout_add_local
