//! What the window shows: the server's address and pace, three toggle
//! buttons that say how the server should behave, a progress bar, the
//! last fetch's outcome, and the buttons; and which buttons make sense
//! when.

use crate::protocol::{Behaviour, PIECE_BYTES, PIECES, Progress};
use gtk::prelude::*;
use lesson_kit::LessonWindow;
use std::net::SocketAddr;
use std::time::Duration;

pub struct View {
    pub server: gtk::Label,
    pub answers: gtk::ToggleButton,
    pub stalls: gtk::ToggleButton,
    pub drops: gtk::ToggleButton,
    pub progress: gtk::ProgressBar,
    pub outcome: gtk::Label,
    pub fetch: gtk::Button,
    pub on_thread: gtk::Button,
    pub blocking: gtk::Button,
    pub cancel: gtk::Button,
}

impl View {
    pub fn new(
        window: &LessonWindow,
        address: SocketAddr,
        pace: Duration,
    ) -> Self {
        let server = gtk::Label::builder().wrap(true).build();
        server.set_label(&format!(
            "Server: {address}, on a thread of the lesson's own: {PIECES} \
             pieces of {} KiB, one every {:.0} ms.",
            PIECE_BYTES / 1024,
            pace.as_secs_f64() * 1000.0
        ));
        window.add(&server);
        let answers = gtk::ToggleButton::with_label("It answers");
        let stalls = gtk::ToggleButton::with_label("It stalls");
        let drops = gtk::ToggleButton::with_label("It drops the connection");
        stalls.set_group(Some(&answers));
        drops.set_group(Some(&answers));
        answers.set_active(true);
        let row = gtk::Box::new(gtk::Orientation::Horizontal, 8);
        row.set_halign(gtk::Align::Center);
        for toggle in [&answers, &stalls, &drops] {
            row.append(toggle);
        }
        window.add(&row);
        let progress = gtk::ProgressBar::builder()
            .show_text(true)
            .text("Nothing fetched yet.")
            .build();
        window.add(&progress);
        let outcome = gtk::Label::builder()
            .label("Press a Fetch button.")
            .wrap(true)
            .build();
        window.add(&outcome);
        Self {
            server,
            answers,
            stalls,
            drops,
            progress,
            outcome,
            fetch: window.add_button("Fetch"),
            on_thread: window.add_button("Fetch on a thread"),
            blocking: window.add_button("Fetch, blocking"),
            cancel: window.add_button("Cancel"),
        }
    }

    /// How the toggle buttons ask the server to behave.
    pub fn asked(&self) -> Behaviour {
        if self.stalls.is_active() {
            Behaviour::Stall
        } else if self.drops.is_active() {
            Behaviour::Drop
        } else {
            Behaviour::Answer
        }
    }

    /// While a fetch runs, only Cancel: one fetch at a time.
    pub fn set_busy(&self, busy: bool) {
        for button in [&self.fetch, &self.on_thread, &self.blocking] {
            button.set_sensitive(!busy);
        }
        self.cancel.set_sensitive(busy);
    }

    pub fn show_progress(&self, progress: Progress) {
        let length = progress.length.max(1);
        self.progress.set_fraction(progress.received as f64 / length as f64);
        self.progress.set_text(Some(&format!(
            "{} of {} bytes",
            progress.received, progress.length
        )));
    }
}
