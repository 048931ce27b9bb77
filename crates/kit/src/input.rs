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
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};
use xdriver::Driver;

/// How long a press waits for GTK to show the button hovered before clicking
/// anyway.
const HOVER: Duration = xdriver::HOVER;

/// One click: sent, dispatched by GTK, handler done.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sent {
    pub(crate) sent: Instant,
    pub(crate) dispatched: Instant,
    pub(crate) handled: Instant,
}

pub(crate) struct Hand {
    window: gtk::ApplicationWindow,
    driver: Option<Driver>,
    /// When GTK last dispatched a button or key release to the window.
    released: Rc<Cell<Option<Instant>>>,
    clicks: RefCell<Vec<Sent>>,
}

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
        let released: Rc<Cell<Option<Instant>>> = Rc::default();
        // Capture phase: the window sees every event before any widget handles
        // it.
        let watch = gtk::EventControllerLegacy::new();
        watch.set_propagation_phase(gtk::PropagationPhase::Capture);
        watch.connect_event(glib::clone!(
            #[strong]
            released,
            move |_, event| {
                let kind = event.event_type();
                if matches!(kind, gdk4_x11::gdk::EventType::ButtonRelease) {
                    released.set(Some(Instant::now()));
                }
                glib::Propagation::Proceed
            }
        ));
        window.add_controller(watch);
        Self {
            window: window.clone(),
            driver,
            released,
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
    ) -> Result<Sent, ScenarioError> {
        refuse_greyed_out(button)?;
        let handled = after_clicked(button);
        let sent = match &self.driver {
            Some(driver) => {
                let target = self.target(button)?;
                driver
                    .move_to(target.xid, target.x, target.y)
                    .map_err(x_error)?;
                hovered(button).await;
                driver.press_and_release().map_err(x_error)?
            }
            None => emit(button),
        };
        let handled =
            handled.recv().await.map_err(|_| "the button went away")?;
        Ok(self.note(sent, handled))
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
        impl Future<Output = Result<Sent, ScenarioError>> + use<'_>,
        ScenarioError,
    > {
        refuse_greyed_out(button)?;
        let handled = after_clicked(button);
        let (sent_tx, sent_rx) = async_channel::bounded(1);
        match &self.driver {
            Some(_) => {
                let target = self.target(button)?;
                std::thread::spawn(move || {
                    #[expect(
                        clippy::disallowed_methods,
                        reason = "the autopilot's hand's thread"
                    )]
                    std::thread::sleep(delay);
                    let sent = Driver::connect().and_then(|d| {
                        d.click_now(target.xid, target.x, target.y)
                    });
                    let _ =
                        sent_tx.send_blocking(sent.map_err(|e| e.to_string()));
                });
            }
            None => {
                glib::timeout_add_local_once(
                    delay,
                    glib::clone!(
                        #[strong]
                        button,
                        move || {
                            let _ = sent_tx.try_send(Ok(emit(&button)));
                        }
                    ),
                );
            }
        }
        Ok(async move {
            let sent = sent_rx
                .recv()
                .await
                .map_err(|_| "the click was never sent")??;
            let handled =
                handled.recv().await.map_err(|_| "the button went away")?;
            Ok(self.note(sent, handled))
        })
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

    /// Every click so far, with how long its effect took to be painted.
    pub(crate) fn stats(&self, frames: &FrameProbe) -> InputStats {
        let clicks: Vec<Click> = self
            .clicks
            .borrow()
            .iter()
            .map(|click| Click {
                to_handler: click
                    .dispatched
                    .saturating_duration_since(click.sent),
                to_paint: frames.first_paint_from(click.handled).map(
                    |painted| painted.saturating_duration_since(click.sent),
                ),
            })
            .collect();
        InputStats::from_clicks(self.path(), &clicks)
    }

    fn note(&self, sent: Instant, handled: Instant) -> Sent {
        let dispatched = match (self.driver.is_some(), self.released.get()) {
            (true, Some(released)) if released >= sent => released,
            _ => sent,
        };
        let click = Sent { sent, dispatched, handled };
        self.clicks.borrow_mut().push(click);
        click
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

/// A channel that hears once, when `button`'s `clicked` handlers have all
/// returned.
fn after_clicked(button: &gtk::Button) -> async_channel::Receiver<Instant> {
    let (done, handled) = async_channel::bounded(1);
    let id: Rc<Cell<Option<glib::SignalHandlerId>>> = Rc::default();
    let handler = glib::RustClosure::new_local(glib::clone!(
        #[strong]
        id,
        #[weak]
        button,
        #[upgrade_or]
        None,
        move |_| {
            let _ = done.try_send(Instant::now());
            if let Some(id) = id.take() {
                button.disconnect(id);
            }
            None
        }
    ));
    id.set(Some(button.connect_closure("clicked", true, handler)));
    handled
}

/// Waits, for `HOVER` at most, until GTK shows the pointer over `button`.
async fn hovered(button: &gtk::Button) {
    if button.state_flags().contains(gtk::StateFlags::PRELIGHT) {
        return;
    }
    let (lit, lit_up) = async_channel::bounded(1);
    let id = button.connect_state_flags_changed(move |button, _| {
        if button.state_flags().contains(gtk::StateFlags::PRELIGHT) {
            let _ = lit.try_send(());
        }
    });
    let _ = glib::future_with_timeout(HOVER, lit_up.recv()).await;
    button.disconnect(id);
}

/// The fallback click: `emit_clicked`, from a main-loop source of its own as a
/// real click would arrive, never from inside the scenario's future. (A handler
/// that re-enters the main loop, as lesson 02's does, would otherwise poll
/// futures from inside a future's poll, and glib refuses that by aborting.)
fn emit(button: &gtk::Button) -> Instant {
    let sent = Instant::now();
    glib::timeout_add_local_once(
        Duration::ZERO,
        glib::clone!(
            #[strong]
            button,
            move || button.emit_clicked()
        ),
    );
    sent
}

fn x_error(error: xdriver::Error) -> ScenarioError {
    ScenarioError(format!("X input: {error}"))
}
