//! Ctrl+C, `kill` and a closed terminal, handled the glib way: the signal
//! becomes an ordinary main-loop source, and its handler closes the window as a
//! user would. The application then shuts down as usual, so the lesson's
//! `shutdown` stops its workers, joins its threads and removes its files.
//! Without this, the default action of each signal ends the process at once and
//! skips all of that.

use gtk::prelude::*;
use std::cell::Cell;
use std::rc::Rc;
use std::time::Instant;

/// The signals a user stops a program with.
const STOPPING: [(i32, &str); 3] = [
    (libc::SIGINT, "SIGINT"),
    (libc::SIGTERM, "SIGTERM"),
    (libc::SIGHUP, "SIGHUP"),
];

/// A signal that stopped the lesson.
#[derive(Debug, Clone, Copy)]
pub struct Stopped {
    pub number: i32,
    pub name: &'static str,
    /// When the main loop got to the signal's handler.
    pub at: Instant,
}

impl Stopped {
    /// The shell's convention for a program ended by a signal: 128 plus its
    /// number.
    pub fn exit_code(self) -> u8 {
        u8::try_from(128 + self.number).unwrap_or(u8::MAX)
    }
}

// ANCHOR: signals
/// From now on, SIGINT, SIGTERM and SIGHUP close the application's windows and
/// quit it. The handler runs on the main loop like any other source, so it
/// waits for a handler that blocks the loop (lesson 01's freeze) to return
/// first.
pub fn quit_on_stop_signals(
    app: &gtk::Application,
) -> Rc<Cell<Option<Stopped>>> {
    let stopped: Rc<Cell<Option<Stopped>>> = Rc::default();
    for (number, name) in STOPPING {
        glib_unix::unix_signal_add_local(
            number,
            glib::clone!(
                #[weak]
                app,
                #[strong]
                stopped,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move || {
                    if stopped.get().is_none() {
                        stopped.set(Some(Stopped {
                            number,
                            name,
                            at: Instant::now(),
                        }));
                    }
                    for window in app.windows() {
                        window.close();
                    }
                    app.quit();
                    glib::ControlFlow::Continue
                }
            ),
        );
    }
    stopped
}
// ANCHOR_END: signals
