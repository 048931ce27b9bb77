//! The pattern's parts without a window: the server and the client on a
//! runtime of the test's own, the mistake on a glib context of its own,
//! and a shutdown that cannot finish in time.

use crate::client;
use crate::runtime;
use crate::server::{self, Heard};
use async_channel::Receiver;
use std::net::SocketAddr;
use std::time::{Duration, Instant};
use tokio::runtime::{Builder, Runtime};
use tokio::time::timeout;

const FIVE_S: Duration = Duration::from_secs(5);

const NO_REACTOR: &str = "there is no reactor running, must be called from \
                          the context of a Tokio 1.x runtime";

/// A runtime with the server on it, the server's address, and what it
/// says after it said where it listens.
fn server(delay: Duration) -> (Runtime, SocketAddr, Receiver<Heard>) {
    let runtime = Builder::new_multi_thread()
        .worker_threads(1)
        .enable_all()
        .build()
        .unwrap();
    let (tell, heard) = async_channel::unbounded();
    runtime.spawn(server::serve(delay, tell));
    let address = match next(&runtime, &heard) {
        Heard::Listening(address) => address,
        other => panic!("the server said {other:?}"),
    };
    (runtime, address, heard)
}

/// What the server says next, within five seconds.
fn next(runtime: &Runtime, heard: &Receiver<Heard>) -> Heard {
    // A tokio timer, made on the runtime: tokio's timers need one too.
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread waits for the test's own runtime"
    )]
    let said = runtime.block_on(async { timeout(FIVE_S, heard.recv()).await });
    said.expect("in time").expect("the server is up")
}

#[test]
fn a_request_gets_its_answer_after_the_servers_delay() {
    let (runtime, address, heard) = server(Duration::from_millis(200));
    let started = Instant::now();
    let asking = client::fetch(address, "/request/7".into());
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread waits for the test's own runtime"
    )]
    let answer = runtime.block_on(asking).unwrap();
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert_eq!(answer.status, "HTTP/1.0 200 OK");
    assert_eq!(answer.body, "the answer to /request/7, after 200 ms");
    assert!(matches!(next(&runtime, &heard), Heard::Asked));
    assert!(matches!(next(&runtime, &heard), Heard::Answered));
}

#[test]
fn the_server_hears_a_client_whose_task_was_aborted() {
    let (runtime, address, heard) = server(Duration::from_secs(60));
    let task = runtime.spawn(client::fetch(address, "/request/1".into()));
    assert!(matches!(next(&runtime, &heard), Heard::Asked));
    let aborted = Instant::now();
    task.abort();
    assert!(matches!(next(&runtime, &heard), Heard::HungUp));
    assert!(aborted.elapsed() < Duration::from_secs(1));
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread waits for the test's own runtime"
    )]
    let outcome = runtime.block_on(task);
    assert!(outcome.is_err_and(|e| e.is_cancelled()));
}

#[test]
fn tokio_io_on_a_glib_loop_panics_and_glib_hands_the_panic_over() {
    let (_runtime, address, _heard) = server(Duration::from_millis(10));
    let context = glib::MainContext::new();
    let task = context.spawn_local(client::fetch(address, "/x".into()));
    #[expect(
        clippy::disallowed_methods,
        reason = "a test's own context, on a test thread: nothing to freeze"
    )]
    let outcome = context.block_on(task);
    let error = outcome.expect_err("no tokio runtime here");
    assert!(error.is_panic(), "{error}");
    let panic = error.into_panic();
    let message = panic.downcast_ref::<String>().map(String::as_str);
    assert_eq!(message, Some(NO_REACTOR));
}

#[test]
fn shutdown_fails_when_a_runtime_thread_is_still_busy() {
    // The classic tokio mistake: a task that blocks its worker thread.
    let handle = runtime::handle().expect("the runtime starts");
    let (started, blocking) = async_channel::bounded(1);
    handle.spawn(async move {
        let _ = started.send(()).await;
        #[expect(
            clippy::disallowed_methods,
            reason = "the test needs a runtime thread that will not stop"
        )]
        std::thread::sleep(Duration::from_secs(2));
    });
    let waiting = Builder::new_current_thread().enable_time().build().unwrap();
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread waits for the test's own runtime"
    )]
    let said =
        waiting.block_on(async { timeout(FIVE_S, blocking.recv()).await });
    said.expect("in time").expect("the task started");
    let asked = Instant::now();
    let outcome = runtime::shut_down(Duration::from_millis(100));
    assert!(asked.elapsed() < Duration::from_secs(1), "{:?}", asked.elapsed());
    let error = outcome.expect_err("a thread is still busy");
    assert!(error.starts_with("1 of the runtime's threads"), "{error}");
    assert!(runtime::handle().is_none(), "the runtime is gone");
    assert_eq!(runtime::shut_down(Duration::ZERO), Ok(()), "only once");
}

#[test]
fn inside_the_runtimes_context_the_same_request_works_on_a_glib_loop() {
    let (runtime, address, _heard) = server(Duration::from_millis(10));
    // The runtime's reactor, on its own threads, watches the socket and
    // wakes the glib task.
    let _inside = runtime.enter();
    let context = glib::MainContext::new();
    let task = context.spawn_local(client::fetch(address, "/x".into()));
    #[expect(
        clippy::disallowed_methods,
        reason = "a test's own context, on a test thread: nothing to freeze"
    )]
    let outcome = context.block_on(task);
    let answer = outcome.expect("no panic").expect("an answer");
    assert_eq!(answer.body, "the answer to /x, after 10 ms");
}
