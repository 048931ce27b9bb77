//! What the chapter says about cancelling gio's async calls and about
//! `gio::spawn_blocking`, pinned without a window: each test drives a main
//! context of its own on its test thread.

use gtk::gio;
use gtk::gio::prelude::*;
use std::path::PathBuf;
use std::time::{Duration, Instant};

/// Runs `future` to its end on a fresh main context, made the thread's
/// default meanwhile: gio's calls and glib's timers attach to it.
fn on_own_context<T>(future: impl Future<Output = T>) -> T {
    let context = glib::MainContext::new();
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread drives its own context; no window waits on it"
    )]
    context.block_on(future)
}

/// A file of `bytes` bytes in a directory of its own; remove the directory
/// when done.
fn a_file(bytes: usize) -> (PathBuf, gio::File) {
    let template = std::env::temp_dir().join("lesson-08-test-XXXXXX");
    let dir = glib::mkdtemp(template).expect("a temporary directory");
    let path = dir.join("data.bin");
    std::fs::write(&path, vec![7u8; bytes]).expect("writing the test file");
    (dir, gio::File::for_path(&path))
}

// ANCHOR: callback_form
/// gio's own way, the one its C API and the `_async` methods use: the call
/// takes a `Cancellable`, and once that is cancelled the call fails with
/// `IOErrorEnum::Cancelled`, even if the data had been read by then.
#[test]
fn a_call_given_a_cancelled_cancellable_fails_with_io_error_cancelled() {
    let (dir, file) = a_file(1 << 20);
    let result = on_own_context(async {
        let stream = file
            .read_future(glib::Priority::DEFAULT)
            .await
            .expect("opening the file");
        let cancellable = gio::Cancellable::new();
        let (sender, receiver) = async_channel::bounded(1);
        let buffer = vec![0u8; 64 * 1024];
        stream.read_async(
            buffer,
            glib::Priority::DEFAULT,
            Some(&cancellable),
            move |result| {
                let _ = sender.try_send(
                    result.map(|(_, read)| read).map_err(|(_, error)| error),
                );
            },
        );
        // Give gio's pool time to finish the read. Its answer waits for this
        // thread's context to dispatch it, and the context is not running
        // while this thread sleeps.
        #[expect(
            clippy::disallowed_methods,
            reason = "a test thread, holding back its own context on purpose"
        )]
        std::thread::sleep(Duration::from_millis(50));
        cancellable.cancel();
        receiver.recv().await.expect("gio always calls back")
    });
    let error = result.expect_err("a cancelled read must not succeed");
    assert!(error.matches(gio::IOErrorEnum::Cancelled), "{error}");
    std::fs::remove_dir_all(dir).unwrap();
}
// ANCHOR_END: callback_form

// ANCHOR: future_form
/// gio-rs's `_future` methods take no `Cancellable`. `CancellableFuture`
/// ties one to any future: cancelling wakes the future, which ends with
/// `Err(gio::Cancelled)` at its next poll, and the inner future is dropped.
#[test]
fn a_cancellable_future_ends_with_cancelled_at_its_next_poll() {
    let (result, took) = on_own_context(async {
        let cancellable = gio::Cancellable::new();
        let canceller = cancellable.clone();
        glib::MainContext::ref_thread_default().spawn_local(async move {
            glib::timeout_future(Duration::from_millis(10)).await;
            canceller.cancel();
        });
        let started = Instant::now();
        let a_minute = glib::timeout_future(Duration::from_secs(60));
        let result = gio::CancellableFuture::new(a_minute, cancellable).await;
        (result, started.elapsed())
    });
    assert!(
        matches!(result, Err(gio::Cancelled)),
        "the wait was not cancelled"
    );
    assert!(
        took < Duration::from_secs(5),
        "the cancelled wait still took {took:?}"
    );
    // Where an API wants a glib::Error, the conversion gives gio's usual one.
    assert!(
        glib::Error::from(gio::Cancelled).matches(gio::IOErrorEnum::Cancelled)
    );
}

/// A `Cancellable` stays cancelled: a future given one that was cancelled
/// before ends at once. This is why every read gets a new one.
#[test]
fn a_cancellable_stays_cancelled() {
    let cancellable = gio::Cancellable::new();
    cancellable.cancel();
    let result =
        on_own_context(gio::CancellableFuture::new(async { 42 }, cancellable));
    assert!(result.is_err(), "a future under a cancelled Cancellable ran");
}
// ANCHOR_END: future_form

// ANCHOR: spawn_blocking
/// `gio::spawn_blocking` runs its closure on gio's pool, never on the thread
/// that awaits it, and a panic in the closure comes back as an `Err` from
/// the await instead of ending the program.
#[test]
fn spawn_blocking_runs_elsewhere_and_returns_a_panic_as_an_error() {
    on_own_context(async {
        let here = std::thread::current().id();
        let there = gio::spawn_blocking(|| std::thread::current().id()).await;
        assert_ne!(there.expect("the job returned"), here);

        // `resume_unwind` panics without printing a message, which keeps the
        // test output clean.
        let job = gio::spawn_blocking(|| -> u64 {
            std::panic::resume_unwind(Box::new("a bug"))
        });
        let panic = job.await.expect_err("the panic reaches the awaiting task");
        assert_eq!(panic.downcast_ref::<&str>(), Some(&"a bug"));
    });
}
// ANCHOR_END: spawn_blocking
