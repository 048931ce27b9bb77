//! Drives a program's window the way a person and a window manager would,
//! through the X server:
//!
//! - [`Driver::click`] moves the pointer and presses a button with XTest, so
//!   the click travels X server -> the program's event queue -> its handler,
//!   exactly like a real one;
//! - [`Driver::key`] gives the window the keyboard focus and types a key the
//!   same way;
//! - [`Driver::ping`] sends the window manager's `_NET_WM_PING` and times the
//!   answer, which the program can only send from its main loop: how window
//!   managers decide that a window is "not responding";
//! - [`Driver::close`] asks the window to close with `WM_DELETE_WINDOW`, as a
//!   title bar's close button does;
//! - [`Driver::watch_paints`] counts what the program drew, from the X server's
//!   damage reports.
//!
//! It knows nothing of GTK: the lessons' autopilots use it from inside the
//! program, and the tests of the examples and the exercises from outside.

mod events;
pub mod session;

pub use session::{Pings, Session};

use events::Pump;
use std::time::{Duration, Instant};
use x11rb::connection::Connection;
use x11rb::protocol::xproto::{
    self, AtomEnum, ChangeWindowAttributesAux, ClientMessageEvent,
    ConnectionExt as _, EventMask, InputFocus, MapState,
};
use x11rb::protocol::{damage, xtest};
use x11rb::rust_connection::RustConnection;
use x11rb::wrapper::ConnectionExt as _;

pub use x11rb::protocol::xproto::Window;

/// What went wrong talking to the X server, in one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error(pub String);

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

fn fail<E: std::fmt::Display>(what: &str) -> impl Fn(E) -> Error + '_ {
    move |e| Error(format!("{what}: {e}"))
}

pub type Result<T> = std::result::Result<T, Error>;

/// How long a click waits for the program to show that the pointer is over the
/// widget.
pub const HOVER: Duration = Duration::from_millis(300);

/// Keysyms the checks type.
pub mod keysym {
    pub const TAB: u32 = 0xff09;
    pub const RETURN: u32 = 0xff0d;
    pub const SPACE: u32 = 0x0020;
}

/// A connection of its own to the X server named by `$DISPLAY`.
pub struct Driver {
    conn: RustConnection,
    root: Window,
    atoms: Atoms,
    pump: Pump,
}

struct Atoms {
    wm_protocols: u32,
    wm_delete_window: u32,
    net_wm_ping: u32,
    net_wm_pid: u32,
}

impl Driver {
    /// Connects to `$DISPLAY` and checks that the server has XTest and DAMAGE.
    pub fn connect() -> Result<Self> {
        let (conn, screen) =
            x11rb::connect(None).map_err(fail("cannot open the X display"))?;
        let root = conn.setup().roots[screen].root;
        let intern = |name: &[u8]| -> Result<u32> {
            let cookie =
                conn.intern_atom(false, name).map_err(fail("intern_atom"))?;
            Ok(cookie.reply().map_err(fail("intern_atom"))?.atom)
        };
        let atoms = Atoms {
            wm_protocols: intern(b"WM_PROTOCOLS")?,
            wm_delete_window: intern(b"WM_DELETE_WINDOW")?,
            net_wm_ping: intern(b"_NET_WM_PING")?,
            net_wm_pid: intern(b"_NET_WM_PID")?,
        };
        xtest::get_version(&conn, 2, 2)
            .map_err(fail("XTest"))?
            .reply()
            .map_err(fail("the X server has no XTest extension"))?;
        damage::query_version(&conn, 1, 1)
            .map_err(fail("DAMAGE"))?
            .reply()
            .map_err(fail("the X server has no DAMAGE extension"))?;
        // Ping answers go to the root window, to whoever listens for its
        // substructure; so do the notices of windows being mapped.
        let listen = ChangeWindowAttributesAux::new()
            .event_mask(EventMask::SUBSTRUCTURE_NOTIFY);
        conn.change_window_attributes(root, &listen)
            .map_err(fail("listen on the root"))?;
        conn.flush().map_err(fail("flush"))?;
        Ok(Self { conn, root, atoms, pump: Pump::default() })
    }

    /// The mapped top-level window of process `pid` (GDK sets `_NET_WM_PID` on
    /// its windows), waiting up to `timeout` for it to appear.
    pub fn find_window(&self, pid: u32, timeout: Duration) -> Result<Window> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(window) = self.window_of(pid)? {
                return Ok(window);
            }
            if !self.pump.wait(&self.conn, deadline)? {
                return Err(Error(format!(
                    "no window of process {pid} within {timeout:?}"
                )));
            }
        }
    }

    fn window_of(&self, pid: u32) -> Result<Option<Window>> {
        let tree =
            self.conn.query_tree(self.root).map_err(fail("query_tree"))?;
        for window in tree.reply().map_err(fail("query_tree"))?.children {
            let owner = self
                .conn
                .get_property(
                    false,
                    window,
                    self.atoms.net_wm_pid,
                    AtomEnum::CARDINAL,
                    0,
                    1,
                )
                .map_err(fail("get_property"))?
                .reply();
            let Ok(owner) = owner else { continue }; // it went away meanwhile
            if owner.value32().and_then(|mut values| values.next()) != Some(pid)
            {
                continue;
            }
            let attributes = self
                .conn
                .get_window_attributes(window)
                .map_err(fail("attributes"))?;
            let viewable = attributes
                .reply()
                .is_ok_and(|a| a.map_state == MapState::VIEWABLE);
            if viewable {
                return Ok(Some(window));
            }
        }
        Ok(None)
    }

    /// The window's size.
    pub fn size(&self, window: Window) -> Result<(u16, u16)> {
        let geometry =
            self.conn.get_geometry(window).map_err(fail("get_geometry"))?;
        let geometry = geometry.reply().map_err(fail("get_geometry"))?;
        Ok((geometry.width, geometry.height))
    }

    /// Moves the pointer to `(x, y)` in `window`, waits until the program has
    /// drawn the change (a button lights up under the pointer) or for `HOVER`
    /// at most, and clicks the first button there. Returns when the X server
    /// has the click, which is the moment a person's click would exist.
    ///
    /// The wait is what a hand does too, and GTK needs it: it sends a press to
    /// the widget it found under the pointer at the last motion, and a motion
    /// handled before its first layout finds no widget at all.
    pub fn click(&self, window: Window, x: i16, y: i16) -> Result<Instant> {
        self.watch_paints(window)?;
        let moved = self.move_to(window, x, y)?;
        let deadline = moved + HOVER;
        while !self.pump.paints().iter().any(|paint| *paint >= moved) {
            if !self.pump.wait(&self.conn, deadline)? {
                break;
            }
        }
        self.press_and_release()
    }

    /// Clicks at `(x, y)` in `window` at once, without waiting for the program
    /// to notice the pointer first: for a program that cannot notice anything
    /// now (its main loop is blocked).
    pub fn click_now(&self, window: Window, x: i16, y: i16) -> Result<Instant> {
        self.move_to(window, x, y)?;
        self.press_and_release()
    }

    /// Moves the pointer to `(x, y)` in `window`, as a hand on the mouse does.
    pub fn move_to(&self, window: Window, x: i16, y: i16) -> Result<Instant> {
        let at = self.conn.translate_coordinates(window, self.root, x, y);
        let at = at.map_err(fail("translate_coordinates"))?.reply();
        let at = at.map_err(fail("translate_coordinates"))?;
        self.fake(xproto::MOTION_NOTIFY_EVENT, 0, (at.dst_x, at.dst_y))?;
        self.sync()
    }

    /// Presses and releases the first button wherever the pointer is.
    pub fn press_and_release(&self) -> Result<Instant> {
        self.fake(xproto::BUTTON_PRESS_EVENT, 1, (0, 0))?;
        self.fake(xproto::BUTTON_RELEASE_EVENT, 1, (0, 0))?;
        self.sync()
    }

    fn fake(&self, kind: u8, detail: u8, (x, y): (i16, i16)) -> Result<()> {
        xtest::fake_input(&self.conn, kind, detail, 0, self.root, x, y, 0)
            .map_err(fail("XTest"))?;
        Ok(())
    }

    /// Gives `window` the keyboard focus and types the key `keysym` (see
    /// [`keysym`]).
    pub fn key(&self, window: Window, keysym: u32) -> Result<Instant> {
        let code = self.keycode(keysym)?;
        let focus = self.conn.set_input_focus(
            InputFocus::PARENT,
            window,
            x11rb::CURRENT_TIME,
        );
        focus.map_err(fail("set_input_focus"))?;
        self.fake(xproto::KEY_PRESS_EVENT, code, (0, 0))?;
        self.fake(xproto::KEY_RELEASE_EVENT, code, (0, 0))?;
        self.sync()
    }

    fn keycode(&self, keysym: u32) -> Result<u8> {
        let setup = self.conn.setup();
        let (first, count) =
            (setup.min_keycode, setup.max_keycode - setup.min_keycode + 1);
        let map = self
            .conn
            .get_keyboard_mapping(first, count)
            .map_err(fail("keyboard"))?;
        let map = map.reply().map_err(fail("keyboard"))?;
        let per = usize::from(map.keysyms_per_keycode).max(1);
        let index = map.keysyms.iter().position(|sym| *sym == keysym);
        let index = index
            .ok_or_else(|| Error(format!("no key types keysym {keysym:#x}")))?;
        u8::try_from(index / per).map(|n| first + n).map_err(fail("keycode"))
    }

    /// Sends `_NET_WM_PING` and waits up to `timeout` for the answer. `None`:
    /// no answer in time, so the program's main loop did not run for that long.
    pub fn ping(
        &self,
        window: Window,
        timeout: Duration,
    ) -> Result<Option<Duration>> {
        let stamp = self.pump.next_stamp();
        let data = [self.atoms.net_wm_ping, stamp, window, 0, 0];
        let message =
            ClientMessageEvent::new(32, window, self.atoms.wm_protocols, data);
        let sent = Instant::now();
        self.conn
            .send_event(false, window, EventMask::NO_EVENT, message)
            .map_err(fail("send_event"))?;
        self.conn.flush().map_err(fail("flush"))?;
        let deadline = sent + timeout;
        loop {
            if let Some(answered) = self.pump.pong(stamp) {
                return Ok(Some(answered.saturating_duration_since(sent)));
            }
            if !self.pump.wait(&self.conn, deadline)? {
                return Ok(None);
            }
        }
    }

    /// Asks `window` to close, as a window manager's close button does
    /// (`WM_DELETE_WINDOW`).
    pub fn close(&self, window: Window) -> Result<Instant> {
        let data = [self.atoms.wm_delete_window, x11rb::CURRENT_TIME, 0, 0, 0];
        let message =
            ClientMessageEvent::new(32, window, self.atoms.wm_protocols, data);
        self.conn
            .send_event(false, window, EventMask::NO_EVENT, message)
            .map_err(fail("send_event"))?;
        self.sync()
    }

    /// Waits until `window` has been drawn, up to `timeout`: asks the program
    /// to redraw all of it (an expose, as when a window in front moves away)
    /// and waits for the paint and for an answer to a ping, twice. The first
    /// paint after mapping may come before the program has laid out its
    /// widgets; by the second round it has, so a click then finds its widget.
    pub fn wait_until_drawn(
        &self,
        window: Window,
        timeout: Duration,
    ) -> Result<()> {
        self.watch_paints(window)?;
        let deadline = Instant::now() + timeout;
        for _ in 0..2 {
            let asked = self.expose(window)?;
            while !self.pump.paints().iter().any(|paint| *paint >= asked) {
                if !self.pump.wait(&self.conn, deadline)? {
                    return Err(Error(format!(
                        "the window did not paint within {timeout:?}"
                    )));
                }
            }
            self.ping(
                window,
                deadline.saturating_duration_since(Instant::now()),
            )?
            .ok_or_else(|| {
                Error(format!("the window did not answer within {timeout:?}"))
            })?;
        }
        Ok(())
    }

    /// Sends `window` an expose of its whole area. Unlike clearing the window,
    /// it makes the server draw nothing itself, so the paint that follows is
    /// the program's own.
    fn expose(&self, window: Window) -> Result<Instant> {
        let (width, height) = self.size(window)?;
        let expose = xproto::ExposeEvent {
            response_type: xproto::EXPOSE_EVENT,
            sequence: 0,
            window,
            x: 0,
            y: 0,
            width,
            height,
            count: 0,
        };
        self.conn
            .send_event(false, window, EventMask::EXPOSURE, expose)
            .map_err(fail("send_event"))?;
        self.sync()
    }

    /// From now on, notes every time the X server reports that `window` was
    /// drawn to: one report per paint, since each report is acknowledged before
    /// the next can come.
    pub fn watch_paints(&self, window: Window) -> Result<()> {
        if self.pump.watching(window) {
            return Ok(());
        }
        let id = self.conn.generate_id().map_err(fail("generate_id"))?;
        damage::create(&self.conn, id, window, damage::ReportLevel::NON_EMPTY)
            .map_err(fail("damage"))?;
        self.conn.flush().map_err(fail("flush"))?;
        Ok(())
    }

    /// The paints seen so far (after [`Driver::watch_paints`]), reading what
    /// has arrived.
    pub fn paints(&self) -> Result<Vec<Instant>> {
        self.pump.drain(&self.conn)?;
        Ok(self.pump.paints())
    }

    /// Reads events for `duration`, so that paints and answers are noted as
    /// they come.
    pub fn pause(&self, duration: Duration) -> Result<()> {
        let deadline = Instant::now() + duration;
        while self.pump.wait(&self.conn, deadline)? {}
        Ok(())
    }

    /// Waits until the server has handled every request sent so far.
    fn sync(&self) -> Result<Instant> {
        self.conn.sync().map_err(fail("sync"))?;
        Ok(Instant::now())
    }
}
