//! What the window shows: a line for the server, one for the answer, one
//! for the request awaited on the GTK loop, and the buttons; and which
//! buttons make sense when.

use gtk::prelude::*;
use lesson_kit::LessonWindow;
use std::net::SocketAddr;
use std::time::Duration;

pub struct View {
    pub server: gtk::Label,
    pub answer: gtk::Label,
    pub on_gtk_loop: gtk::Label,
    pub fetch: gtk::Button,
    pub cancel: gtk::Button,
    pub fetch_on_gtk_loop: gtk::Button,
}

/// What the server has said so far, as its line shows it.
#[derive(Clone, Copy, Default)]
pub struct Counts {
    pub asked: u32,
    pub answered: u32,
    pub hung_up: u32,
}

impl View {
    pub fn new(window: &LessonWindow) -> Self {
        let line = |text: &str| {
            let label = gtk::Label::builder().label(text).wrap(true).build();
            window.add(&label);
            label
        };
        Self {
            server: line("Server: starting..."),
            answer: line("Answer: press Fetch with tokio."),
            on_gtk_loop: line("On the GTK loop: not tried yet."),
            fetch: window.add_button("Fetch with tokio"),
            cancel: window.add_button("Cancel"),
            fetch_on_gtk_loop: window.add_button("Fetch on the GTK loop"),
        }
    }

    /// Which buttons make sense now.
    pub fn refresh(&self, listening: bool, in_flight: bool) {
        self.fetch.set_sensitive(listening && !in_flight);
        self.cancel.set_sensitive(in_flight);
        self.fetch_on_gtk_loop.set_sensitive(listening);
    }

    pub fn show_server(&self, at: SocketAddr, delay: Duration, heard: Counts) {
        self.server.set_label(&format!(
            "Server on {at}, answering after {:.2} s: {} asked, {} answered, \
             {} hung up on.",
            delay.as_secs_f64(),
            heard.asked,
            heard.answered,
            heard.hung_up
        ));
    }
}
