//! The autopilot's hand. On X11 (always so under Xvfb, where the tests run), a
//! press is a real click: the pointer moves onto the button, GTK shows it
//! hovered, and XTest presses and releases the mouse button there, so the click
//! travels X server -> GDK's event queue -> handler as a person's does.
//! Elsewhere it falls back to `emit_clicked` from a main-loop source, and the
//! report says so. Every click is noted: when it was sent, when GTK dispatched
//! it, when its handler returned; the frame probe then says when its effect
//! reached the screen.

use crate::frames::FrameProbe;
use crate::pilot::ScenarioError;
use gdk4_x11::X11Surface;
use gtk::prelude::*;
use lesson_report::{Click, InputPath, InputStats};
use std::cell::RefCell;
use std::ops::RangeBounds;
use std::rc::Rc;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};
use xdriver::Driver;

/// How long a press waits for GTK to show the button hovered before clicking
/// anyway.
const HOVER: Duration = xdriver::HOVER;
/// How many times a press aims at a button that does not light up.
const AIMS: usize = 3;

/// One click: sent, dispatched by GTK, handler done.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Clicked {
    pub(crate) sent: Instant,
    pub(crate) dispatched: Instant,
    pub(crate) handled: Instant,
}

pub(crate) struct Hand {
    window: gtk::ApplicationWindow,
    driver: Option<Driver>,
    buttons: Rc<Buttons>,
    clicks: RefCell<Vec<Clicked>>,
}

/// The clicks on their way through each button the autopilot pressed. A
/// click is *waiting* from the moment it is sent until GTK dispatches its
/// release to the button, then *running* until the button's `clicked`
/// handlers have returned. A handler may run a nested main loop in which the
/// same button is clicked again (lesson 02): running clicks form a stack, and
/// the end of an emission belongs to the innermost one.
#[derive(Default)]
struct Buttons(RefCell<Vec<Track>>);

struct Track {
    button: glib::WeakRef<gtk::Button>,
    waiting: Vec<Waiting>,
    running: Vec<(Instant, Ended)>,
}

/// A click expected on a button. Its `sent` is set right before the click
/// is made, possibly on another thread (`press_later`): a click not sent yet
/// cannot be the one GTK dispatches, and of those sent, the oldest is.
struct Waiting {
    sent: Sent,
    ended: Ended,
}

/// When a click was made, once it is: shared with the thread that makes it.
pub(crate) type Sent = Arc<OnceLock<Instant>>;

/// Where a click's dispatch and end are told, or why it never came.
type Ended = async_channel::Sender<Result<(Instant, Instant), String>>;

impl Buttons {
    /// Follows `button`'s clicks from now on, and expects one more, made at
    /// the instant `sent` will hold.
    fn expect(
        self: &Rc<Self>,
        button: &gtk::Button,
        sent: Sent,
    ) -> (Ended, ClickEnd) {
        let (ended, end) = async_channel::bounded(1);
        let mut tracks = self.0.borrow_mut();
        let known = tracks
            .iter()
            .position(|t| t.button.upgrade().as_ref() == Some(button));
        let index = known.unwrap_or_else(|| {
            self.follow(button);
            tracks.push(Track {
                button: button.downgrade(),
                waiting: Vec::new(),
                running: Vec::new(),
            });
            tracks.len() - 1
        });
        tracks[index].waiting.push(Waiting { sent, ended: ended.clone() });
        (ended, end)
    }

    fn follow(self: &Rc<Self>, button: &gtk::Button) {
        let handler = glib::RustClosure::new_local(glib::clone!(
            #[weak(rename_to = buttons)]
            self,
            #[upgrade_or]
            None,
            move |values| {
                let button = values[0].get::<gtk::Button>().ok()?;
                buttons.finished(&button);
                None
            }
        ));
        button.connect_closure("clicked", true, handler);
    }

    /// GTK dispatched a click to `button`: the oldest click sent runs.
    fn dispatched(&self, button: &gtk::Button, at: Instant) {
        let mut tracks = self.0.borrow_mut();
        let Some(track) = tracks
            .iter_mut()
            .find(|t| t.button.upgrade().as_ref() == Some(button))
        else {
            return;
        };
        let oldest = (0..track.waiting.len())
            .filter_map(|i| track.waiting[i].sent.get().map(|sent| (*sent, i)))
            .min();
        if let Some((_, i)) = oldest {
            let Waiting { ended, .. } = track.waiting.remove(i);
            track.running.push((at, ended));
        }
    }

    /// `button`'s handlers returned: the innermost running click is done.
    fn finished(&self, button: &gtk::Button) {
        let now = Instant::now();
        let mut tracks = self.0.borrow_mut();
        let track = tracks
            .iter_mut()
            .find(|t| t.button.upgrade().as_ref() == Some(button));
        if let Some((dispatched, ended)) = track.and_then(|t| t.running.pop()) {
            let _ = ended.try_send(Ok((dispatched, now)));
        }
    }
}

/// When a click was dispatched, and when its handlers had returned.
type ClickEnd = async_channel::Receiver<Result<(Instant, Instant), String>>;

/// Where a real click on a widget goes: the X window and the point in it.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Target {
    xid: xdriver::Window,
    x: i16,
    y: i16,
}

impl Hand {
    pub(crate) fn new(window: &gtk::ApplicationWindow) -> Self {
        let x11 = WidgetExt::display(window)
            .downcast::<gdk4_x11::X11Display>()
            .is_ok();
        let driver = x11.then(Driver::connect).and_then(|connected| {
            connected
                .map_err(|e| {
                    eprintln!("real clicks unavailable, emitting: {e}")
                })
                .ok()
        });
        let buttons: Rc<Buttons> = Rc::default();
        // Capture phase: the window sees every event before any widget handles
        // it, so a release is noted before the button's handlers run.
        let watch = gtk::EventControllerLegacy::new();
        watch.set_propagation_phase(gtk::PropagationPhase::Capture);
        watch.connect_event(glib::clone!(
            #[weak]
            buttons,
            #[weak]
            window,
            #[upgrade_or]
            glib::Propagation::Proceed,
            move |_, event| {
                let release = gdk4_x11::gdk::EventType::ButtonRelease;
                if event.event_type() == release
                    && let Some(button) = button_at(&window, event)
                {
                    buttons.dispatched(&button, Instant::now());
                }
                glib::Propagation::Proceed
            }
        ));
        window.add_controller(watch);
        Self {
            window: window.clone(),
            driver,
            buttons,
            clicks: RefCell::default(),
        }
    }

    pub(crate) fn path(&self) -> InputPath {
        if self.driver.is_some() { InputPath::Xtest } else { InputPath::Emit }
    }

    /// Clicks `button` and returns once its handler has returned.
    pub(crate) async fn press(
        &self,
        button: &gtk::Button,
    ) -> Result<Clicked, ScenarioError> {
        refuse_greyed_out(button)?;
        let sent = match &self.driver {
            Some(driver) => {
                // A layout change (a label that wraps, a table that widens)
                // can move the button between aiming and clicking: a hand
                // that sees no highlight aims again, a few times.
                for _ in 0..AIMS {
                    let target = self.target(button)?;
                    driver
                        .move_to(target.xid, target.x, target.y)
                        .map_err(x_error)?;
                    if hovered(button).await {
                        break;
                    }
                }
                let sent = Sent::default();
                let (_, end) = self.buttons.expect(button, sent.clone());
                let _ = sent.set(Instant::now());
                driver.press_and_release().map_err(x_error)?;
                (sent, end)
            }
            None => self.emit(button),
        };
        self.finish(sent.0, sent.1).await
    }

    /// Clicks `button` from another thread after `delay`, so the click happens
    /// even while the main loop is blocked; it is then handled when the loop is
    /// free again, as a person's would be. Resolves once the handler has
    /// returned.
    pub(crate) fn press_later(
        &self,
        button: &gtk::Button,
        delay: Duration,
    ) -> Result<
        impl Future<Output = Result<Clicked, ScenarioError>> + use<'_>,
        ScenarioError,
    > {
        refuse_greyed_out(button)?;
        let sent = Sent::default();
        let (ended, end) = self.buttons.expect(button, sent.clone());
        match &self.driver {
            Some(_) => {
                let target = self.target(button)?;
                let sent = sent.clone();
                std::thread::spawn(move || {
                    #[expect(
                        clippy::disallowed_methods,
                        reason = "the autopilot's hand's thread"
                    )]
                    std::thread::sleep(delay);
                    let click = Driver::connect().and_then(|driver| {
                        let _ = sent.set(Instant::now());
                        driver.click_now(target.xid, target.x, target.y)
                    });
                    if let Err(e) = click {
                        let _ = ended.try_send(Err(format!("X input: {e}")));
                    }
                });
            }
            None => {
                drop(ended);
                let sent = sent.clone();
                let buttons = self.buttons.clone();
                let button = button.clone();
                glib::timeout_add_local_once(delay, move || {
                    let _ = sent.set(Instant::now());
                    buttons.dispatched(&button, Instant::now());
                    button.emit_clicked();
                });
            }
        }
        Ok(async move { self.finish(sent, end).await })
    }

    /// Waits for a click's handlers to return, and notes the click.
    async fn finish(
        &self,
        sent: Sent,
        end: ClickEnd,
    ) -> Result<Clicked, ScenarioError> {
        let ended = end.recv().await;
        let (dispatched, handled) =
            ended.map_err(|_| "the click's button went away")??;
        let sent =
            *sent.get().ok_or("a click was handled before it was sent")?;
        let click = Clicked { sent, dispatched: dispatched.max(sent), handled };
        self.clicks.borrow_mut().push(click);
        Ok(click)
    }

    /// The fallback click: `emit_clicked`, from a main-loop source of its own
    /// as a real click would arrive, never from inside the scenario's future.
    /// (A handler that re-enters the main loop, as lesson 02's does, would
    /// otherwise poll futures from inside a future's poll, and glib refuses
    /// that by aborting.)
    fn emit(&self, button: &gtk::Button) -> (Sent, ClickEnd) {
        let sent = Sent::default();
        let (_, end) = self.buttons.expect(button, sent.clone());
        let _ = sent.set(Instant::now());
        let buttons = self.buttons.clone();
        glib::timeout_add_local_once(
            Duration::ZERO,
            glib::clone!(
                #[strong]
                button,
                move || {
                    buttons.dispatched(&button, Instant::now());
                    button.emit_clicked();
                }
            ),
        );
        (sent, end)
    }

    /// Closes the window as a person does, through the window manager's close
    /// request when there is an X server to carry it.
    pub(crate) fn close(&self) {
        let sent = self
            .xid()
            .and_then(|xid| self.driver.as_ref().map(|d| d.close(xid)));
        if !matches!(sent, Some(Ok(_))) {
            self.window.close();
        }
    }

    /// The clicks sent in `sent`, with how long their effects took to be
    /// painted.
    pub(crate) fn stats(
        &self,
        frames: &FrameProbe,
        sent: impl RangeBounds<Instant>,
    ) -> InputStats {
        let clicks: Vec<Click> = self
            .clicks
            .borrow()
            .iter()
            .filter(|click| sent.contains(&click.sent))
            .map(|click| Click {
                to_handler: click
                    .dispatched
                    .saturating_duration_since(click.sent),
                to_paint: frames.to_paint(click.sent, click.handled),
            })
            .collect();
        InputStats::from_clicks(self.path(), &clicks)
    }

    fn xid(&self) -> Option<xdriver::Window> {
        let surface = self.window.surface()?.downcast::<X11Surface>().ok()?;
        xdriver::Window::try_from(surface.xid()).ok()
    }

    /// The middle of `widget`, in the X window's coordinates.
    fn target(
        &self,
        widget: &impl IsA<gtk::Widget>,
    ) -> Result<Target, ScenarioError> {
        let widget = widget.as_ref();
        if !widget.is_drawable() {
            return Err(format!(
                "the scenario clicked {}, which is not on screen",
                name(widget)
            )
            .into());
        }
        let middle = gtk::graphene::Point::new(
            widget.width() as f32 / 2.0,
            widget.height() as f32 / 2.0,
        );
        let point =
            widget.compute_point(&self.window, &middle).ok_or_else(|| {
                format!("{} is not inside the window", name(widget))
            })?;
        // Widget coordinates are the surface's less its transform (a
        // client-side shadow).
        let (dx, dy) = self.window.surface_transform();
        let scale = f64::from(self.window.scale_factor());
        let xid = self.xid().ok_or("the window has no X window")?;
        let to_x = |v: f64| {
            i16::try_from((v * scale).round() as i64).map_err(|e| e.to_string())
        };
        Ok(Target {
            xid,
            x: to_x(f64::from(point.x()) + dx)?,
            y: to_x(f64::from(point.y()) + dy)?,
        })
    }
}

fn name(widget: &gtk::Widget) -> String {
    widget.downcast_ref::<gtk::Button>().and_then(|b| b.label()).map_or_else(
        || widget.type_().name().to_owned(),
        |label| format!("'{label}'"),
    )
}

/// An insensitive button cannot be pressed by a person: pressing one is a bug
/// in the scenario.
fn refuse_greyed_out(button: &gtk::Button) -> Result<(), ScenarioError> {
    if button.is_sensitive() {
        Ok(())
    } else {
        Err(format!(
            "the scenario pressed {}, which is greyed out",
            name(button.upcast_ref())
        )
        .into())
    }
}

/// Waits, for `HOVER` at most, until GTK shows the pointer over `button`.
async fn hovered(button: &gtk::Button) -> bool {
    if button.state_flags().contains(gtk::StateFlags::PRELIGHT) {
        return true;
    }
    let (lit, lit_up) = async_channel::bounded(1);
    let id = button.connect_state_flags_changed(move |button, _| {
        if button.state_flags().contains(gtk::StateFlags::PRELIGHT) {
            let _ = lit.try_send(());
        }
    });
    let lit = glib::future_with_timeout(HOVER, lit_up.recv()).await;
    button.disconnect(id);
    lit.is_ok()
}

/// The button under a pointer event on `window`, if there is one.
fn button_at(
    window: &gtk::ApplicationWindow,
    event: &gdk4_x11::gdk::Event,
) -> Option<gtk::Button> {
    let (x, y) = event.position()?;
    // Event positions are the surface's; widgets' are less its transform.
    let (dx, dy) = window.surface_transform();
    let picked = window.pick(x - dx, y - dy, gtk::PickFlags::DEFAULT)?;
    picked.ancestor(gtk::Button::static_type())?.downcast().ok()
}

fn x_error(error: xdriver::Error) -> ScenarioError {
    ScenarioError(format!("X input: {error}"))
}
