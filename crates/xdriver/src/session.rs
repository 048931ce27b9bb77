//! A program under test, seen from outside as a person and a window manager see
//! it: started, its window found and drawn, driven with real input, its
//! responsiveness measured with pings, and closed with the window manager's
//! close request.

use crate::{Driver, Error, Result, Window, keysym};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

pub struct Session {
    child: Child,
    pub driver: Driver,
    pub window: Window,
}

/// What a series of pings found.
#[derive(Debug, Clone)]
pub struct Pings {
    pub sent: usize,
    pub answered: usize,
    /// The slowest answer, or the time waited for one that never came.
    pub worst: Duration,
}

impl Session {
    /// Starts `command` and waits (up to `timeout`) until its window is up and
    /// drawn.
    pub fn start(mut command: Command, timeout: Duration) -> Result<Self> {
        let child = command
            .stdin(Stdio::null())
            .spawn()
            .map_err(|e| Error(format!("could not start the program: {e}")))?;
        let driver = Driver::connect()?;
        let mut session = Self { child, driver, window: 0 };
        session.window =
            session.driver.find_window(session.child.id(), timeout)?;
        session.driver.wait_until_drawn(session.window, timeout)?;
        Ok(session)
    }

    /// Presses the key `keysym` in the window (see [`keysym`]).
    pub fn key(&self, keysym: u32) -> Result<Instant> {
        self.driver.key(self.window, keysym)
    }

    /// Presses the focused button, as Space does.
    pub fn press_focused(&self) -> Result<Instant> {
        self.key(keysym::SPACE)
    }

    /// Pings the window every `every` for `over`, each ping waiting up to
    /// `every`.
    pub fn pings(&self, over: Duration, every: Duration) -> Result<Pings> {
        let end = Instant::now() + over;
        let mut pings = Pings { sent: 0, answered: 0, worst: Duration::ZERO };
        while Instant::now() < end {
            let started = Instant::now();
            pings.sent += 1;
            match self.driver.ping(self.window, every)? {
                Some(answer) => {
                    pings.answered += 1;
                    pings.worst = pings.worst.max(answer);
                    self.driver
                        .pause(every.saturating_sub(started.elapsed()))?;
                }
                None => pings.worst = pings.worst.max(every),
            }
        }
        Ok(pings)
    }

    /// Closes the window as a window manager's close button does, and waits up
    /// to `timeout` for the program to exit. A program still running then is
    /// killed, and that is an error.
    pub fn close(mut self, timeout: Duration) -> Result<ExitStatus> {
        self.driver.close(self.window)?;
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(status) =
                self.child.try_wait().map_err(|e| Error(e.to_string()))?
            {
                return Ok(status);
            }
            if Instant::now() > deadline {
                let _ = self.child.kill();
                #[expect(
                    clippy::disallowed_methods,
                    reason = "a harness reaping a child it killed, never on a main loop"
                )]
                let _ = self.child.wait();
                return Err(Error(format!(
                    "still running {timeout:?} after its window closed"
                )));
            }
            self.driver.pause(Duration::from_millis(20))?;
        }
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        // A check that failed half way must not leave its program running.
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            #[expect(
                clippy::disallowed_methods,
                reason = "a harness reaping a child it killed, never on a main loop"
            )]
            let _ = self.child.wait();
        }
    }
}
