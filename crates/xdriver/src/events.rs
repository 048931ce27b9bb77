//! What comes back from the X server: the answers to pings and the damage
//! reports. Whoever waits reads them all and notes them here, so that nothing
//! is lost while waiting for another.

use crate::{Error, Result, fail};
use nix::poll::{PollFd, PollFlags, PollTimeout, poll};
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::os::fd::AsFd;
use std::time::Instant;
use x11rb::connection::Connection;
use x11rb::protocol::Event;
use x11rb::protocol::damage::ConnectionExt as _;
use x11rb::rust_connection::RustConnection;

#[derive(Default)]
pub(crate) struct Pump {
    stamps: Cell<u32>,
    pongs: RefCell<HashMap<u32, Instant>>,
    paints: RefCell<Vec<Instant>>,
    watched: RefCell<Vec<u32>>,
}

impl Pump {
    /// A number for the next ping, so that its answer can be told from older
    /// ones.
    pub(crate) fn next_stamp(&self) -> u32 {
        self.stamps.set(self.stamps.get() + 1);
        self.stamps.get()
    }

    /// When the answer to ping `stamp` arrived, if it has.
    pub(crate) fn pong(&self, stamp: u32) -> Option<Instant> {
        self.pongs.borrow().get(&stamp).copied()
    }

    /// Whether paints of `window` are watched already; if not, they are from
    /// now on.
    pub(crate) fn watching(&self, window: u32) -> bool {
        let mut watched = self.watched.borrow_mut();
        let already = watched.contains(&window);
        watched.push(window);
        already
    }

    pub(crate) fn paints(&self) -> Vec<Instant> {
        self.paints.borrow().clone()
    }

    /// Notes every event that has arrived, without waiting for more.
    pub(crate) fn drain(&self, conn: &RustConnection) -> Result<()> {
        while let Some(event) =
            conn.poll_for_event().map_err(fail("reading events"))?
        {
            self.note(conn, event)?;
        }
        Ok(())
    }

    /// Notes the next event, waiting for one until `deadline`. `false`: none
    /// came in time.
    pub(crate) fn wait(
        &self,
        conn: &RustConnection,
        deadline: Instant,
    ) -> Result<bool> {
        loop {
            if let Some(event) =
                conn.poll_for_event().map_err(fail("reading events"))?
            {
                self.note(conn, event)?;
                return Ok(true);
            }
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                return Ok(false);
            }
            // Sleeps until the server writes something or the time is up: no
            // polling loop.
            let left = PollTimeout::try_from(left).unwrap_or(PollTimeout::MAX);
            let stream = conn.stream().as_fd();
            let mut fds = [PollFd::new(stream, PollFlags::POLLIN)];
            poll(&mut fds, left)
                .map_err(|e| Error(format!("waiting for the X server: {e}")))?;
        }
    }

    fn note(&self, conn: &RustConnection, event: Event) -> Result<()> {
        let now = Instant::now();
        match event {
            Event::ClientMessage(message) if message.format == 32 => {
                // A ping's answer: the program sent our message back to the
                // root window.
                let [_, stamp, ..] = message.data.as_data32();
                self.pongs.borrow_mut().insert(stamp, now);
            }
            Event::DamageNotify(notify) => {
                self.paints.borrow_mut().push(now);
                // Acknowledge the damage, so that the next paint is reported
                // again.
                conn.damage_subtract(notify.damage, x11rb::NONE, x11rb::NONE)
                    .map_err(fail("damage_subtract"))?;
                conn.flush().map_err(fail("flush"))?;
            }
            _ => {}
        }
        Ok(())
    }
}
