//! What we found while building lesson 02's autopilot: glib's future
//! executor will not poll a future from inside another future's poll. A
//! handler that drains the main loop, called from async code, therefore takes
//! the process down. The abort is a runtime guard of glib's, so the test runs
//! it in a child process and checks how the child died.

use std::process::Command;
use std::time::{Duration, Instant};

const CHILD: &str = "LESSON_02_REENTRANT_CHILD";

#[test]
#[expect(
    clippy::disallowed_methods,
    reason = "the test runs itself as a child and waits for it; no main loop"
)]
fn draining_the_loop_from_inside_a_future_aborts() {
    if std::env::var_os(CHILD).is_some() {
        drain_from_inside_a_future();
        return;
    }
    let out = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "draining_the_loop_from_inside_a_future_aborts",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "the child survived:\n{stderr}");
    assert!(
        stderr.contains("EnterError"),
        "the child died of something else:\n{stderr}"
    );
    assert!(
        stderr.contains("cannot unwind"),
        "the panic was caught, not fatal:\n{stderr}"
    );
}

// ANCHOR: drain_from_future
fn drain_from_inside_a_future() {
    let context = glib::MainContext::new();
    context
        .with_thread_default(|| {
            // One future waiting on a timer, so it will be ready while the
            // other one runs...
            context.spawn_local(glib::timeout_future(Duration::from_millis(5)));
            // ...and one that drains the loop, like lesson 02's handler when
            // an async caller invokes it. The timer fires in the drain and
            // the first future's turn comes inside this future's poll.
            context.spawn_local(async {
                let until = Instant::now() + Duration::from_millis(500);
                while Instant::now() < until {
                    #[expect(
                        clippy::disallowed_methods,
                        reason = "re-entering on purpose"
                    )]
                    glib::MainContext::ref_thread_default().iteration(false);
                }
            });
            for _ in 0..10 {
                #[expect(
                    clippy::disallowed_methods,
                    reason = "the test drives its own loop"
                )]
                context.iteration(true);
            }
        })
        .unwrap();
    unreachable!("glib let one future be polled inside another");
}
// ANCHOR_END: drain_from_future
