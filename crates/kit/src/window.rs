//! The window every lesson starts from: the source tutorial's "event-loop
//! indicator" (a counter that ticks once a second for as long as the main loop
//! is free), a live graph of the last five seconds of frames and heartbeat gaps
//! with a readout of the longest of each, a status line, the lesson's own
//! widgets and its buttons.

use crate::frames::FrameProbe;
use crate::heartbeat::HeartbeatProbe;
use crate::log::RECENT;
use gtk::prelude::*;
use std::rc::Rc;
use std::time::{Duration, Instant};

const COUNTER_PREFIX: &str = "Counter: ";

/// The lesson's window. Cloning it clones references to the same widgets.
#[derive(Clone)]
pub struct LessonWindow {
    window: gtk::ApplicationWindow,
    counter: gtk::Label,
    status: gtk::Label,
    content: gtk::Box,
    buttons: gtk::Box,
    frames: FrameProbe,
}

impl LessonWindow {
    pub(crate) fn new(
        app: &gtk::Application,
        title: &str,
        probe: Rc<HeartbeatProbe>,
    ) -> Self {
        let counter =
            gtk::Label::builder().label(format!("{COUNTER_PREFIX}0")).build();
        counter.add_css_class("title-1");
        let stall =
            gtk::Label::builder().label("Last 5 s: -").wrap(true).build();
        stall.add_css_class("dim-label");
        let status = gtk::Label::builder().label("Ready.").wrap(true).build();
        let content = gtk::Box::new(gtk::Orientation::Vertical, 8);
        let buttons = gtk::Box::new(gtk::Orientation::Horizontal, 8);
        buttons.set_halign(gtk::Align::Center);

        let column = gtk::Box::builder()
            .orientation(gtk::Orientation::Vertical)
            .spacing(12)
            .margin_top(18)
            .margin_bottom(18)
            .margin_start(18)
            .margin_end(18)
            .build();
        let graph_slot = gtk::Box::new(gtk::Orientation::Vertical, 0);
        for widget in [
            counter.upcast_ref::<gtk::Widget>(),
            graph_slot.upcast_ref(),
            stall.upcast_ref(),
            status.upcast_ref(),
            content.upcast_ref(),
            buttons.upcast_ref(),
        ] {
            column.append(widget);
        }

        let window = gtk::ApplicationWindow::builder()
            .application(app)
            .title(title)
            .default_width(460)
            .child(&column)
            .build();
        let frames = FrameProbe::attach(&window);
        ready_icons(&window);
        graph_slot.append(&crate::graph::new(probe.clone(), frames.clone()));

        // The indicator is an ordinary main-loop timer: when the loop is
        // blocked it cannot fire, and when the loop comes back GLib runs it
        // once, not once per missed second.
        let ticks = std::cell::Cell::new(0u64);
        glib::timeout_add_local(
            Duration::from_secs(1),
            glib::clone!(
                #[weak]
                counter,
                #[weak]
                stall,
                #[strong]
                frames,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move || {
                    ticks.set(ticks.get() + 1);
                    counter
                        .set_label(&format!("{COUNTER_PREFIX}{}", ticks.get()));
                    let now = Instant::now();
                    let from = now - RECENT.min(probe.age());
                    let (gaps, shown) = (
                        probe.stats_between(from, now),
                        frames.stats_between(from, now),
                    );
                    stall.set_label(&format!(
                        "Last {} s: {:.0} frames a second, longest frame interval {:.0} ms, \
                         longest heartbeat gap {:.0} ms",
                        RECENT.as_secs(),
                        shown.per_s,
                        shown.max_interval_ms,
                        gaps.max_gap_ms
                    ));
                    glib::ControlFlow::Continue
                }
            ),
        );

        Self { window, counter, status, content, buttons, frames }
    }

    /// Adds a button to the lesson's button row.
    pub fn add_button(&self, label: &str) -> gtk::Button {
        let button = gtk::Button::with_label(label);
        self.buttons.append(&button);
        button
    }

    /// Adds a widget (a progress bar, a list, ...) between the status line and
    /// the buttons.
    pub fn add(&self, widget: &impl IsA<gtk::Widget>) {
        self.content.append(widget);
    }

    pub fn set_status(&self, text: &str) {
        self.status.set_label(text);
    }

    pub fn status(&self) -> String {
        self.status.label().into()
    }

    /// The number the indicator shows, read back from its label, as a user
    /// would read it.
    pub fn counter(&self) -> u64 {
        self.counter
            .label()
            .strip_prefix(COUNTER_PREFIX)
            .and_then(|n| n.parse().ok())
            .expect("the counter label always reads 'Counter: N'")
    }

    pub fn gtk_window(&self) -> &gtk::ApplicationWindow {
        &self.window
    }

    pub(crate) fn frames(&self) -> FrameProbe {
        self.frames.clone()
    }
}

/// Reads the icon theme and opens the SVG loader now, as the window opens.
/// GTK does both on the main thread the first time a widget shows an icon:
/// 10 ms to 15 ms at startup here, and a frame 10 ms to 20 ms longer when it
/// falls mid-lesson under load. On a desktop the window's title bar shows
/// icons from its first frame; under Xvfb, with no window manager and so no
/// title bar, the first icon would be a lesson's (lesson 03's expander
/// arrow), and its stall would be charged to the pattern.
fn ready_icons(window: &gtk::ApplicationWindow) {
    let theme = gtk::IconTheme::for_display(&WidgetExt::display(window));
    // PRELOAD draws the icon's image on a GTask thread, which opens
    // gdk-pixbuf's SVG loader there.
    theme.lookup_icon(
        "window-close-symbolic",
        &[],
        16,
        window.scale_factor(),
        gtk::TextDirection::None,
        gtk::IconLookupFlags::PRELOAD,
    );
}

/// A `LessonWindow` that does not keep its widgets alive, for handlers of
/// widgets inside it: `glib::clone!(#[weak] window, ...)` captures one, so a
/// button's handler never holds the window that holds the button.
pub struct WeakLessonWindow {
    window: glib::WeakRef<gtk::ApplicationWindow>,
    counter: glib::WeakRef<gtk::Label>,
    status: glib::WeakRef<gtk::Label>,
    content: glib::WeakRef<gtk::Box>,
    buttons: glib::WeakRef<gtk::Box>,
    frames: FrameProbe,
}

impl glib::clone::Downgrade for LessonWindow {
    type Weak = WeakLessonWindow;

    fn downgrade(&self) -> WeakLessonWindow {
        WeakLessonWindow {
            window: ObjectExt::downgrade(&self.window),
            counter: ObjectExt::downgrade(&self.counter),
            status: ObjectExt::downgrade(&self.status),
            content: ObjectExt::downgrade(&self.content),
            buttons: ObjectExt::downgrade(&self.buttons),
            frames: self.frames.clone(),
        }
    }
}

impl glib::clone::Upgrade for WeakLessonWindow {
    type Strong = LessonWindow;

    fn upgrade(&self) -> Option<LessonWindow> {
        Some(LessonWindow {
            window: self.window.upgrade()?,
            counter: self.counter.upgrade()?,
            status: self.status.upgrade()?,
            content: self.content.upgrade()?,
            buttons: self.buttons.upgrade()?,
            frames: self.frames.clone(),
        })
    }
}
