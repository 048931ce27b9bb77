//! A last resort for the autopilot: if the scenario has not finished by the
//! deadline (a lesson that hangs, a main loop blocked for good), the process
//! ends with a message instead of hanging the test suite. It must be a thread:
//! a main-loop timer cannot fire while the loop is blocked.

use std::sync::mpsc;
use std::thread::JoinHandle;
use std::time::Duration;

pub struct Watchdog {
    disarm: mpsc::Sender<()>,
    thread: JoinHandle<()>,
}

impl Watchdog {
    pub fn arm(lesson: &'static str, deadline: Duration) -> Self {
        let (disarm, armed) = mpsc::channel::<()>();
        let thread = std::thread::Builder::new()
            .name("autopilot-watchdog".into())
            .spawn(move || {
                #[expect(
                    clippy::disallowed_methods,
                    reason = "the watchdog's own thread exists to wait; the main loop never does"
                )]
                let outcome = armed.recv_timeout(deadline);
                if outcome == Err(mpsc::RecvTimeoutError::Timeout) {
                    eprintln!("{lesson}: autopilot did not finish within {deadline:?}; giving up");
                    std::process::exit(i32::from(crate::EXIT_SCENARIO_FAILED));
                }
            })
            .expect("spawning the watchdog thread");
        Self { disarm, thread }
    }

    /// Stops the watchdog and joins its thread, which returns at once once
    /// told.
    pub fn disarm(self) {
        let _ = self.disarm.send(());
        #[expect(
            clippy::disallowed_methods,
            reason = "the watchdog thread returns as soon as it is told; this join is instant"
        )]
        let _ = self.thread.join();
    }
}
