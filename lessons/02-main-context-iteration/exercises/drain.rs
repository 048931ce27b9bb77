// Exercise 02-drain: stop draining the main loop (lesson 02, processing
// events by hand). Press Start: the work runs in ten chunks, and between two
// chunks the handler lets the main loop run what is pending, Qt's
// processEvents(). The window is not frozen, but it only paints between
// chunks: the spinner jerks along at three frames a second.
// The task, and what is still wrong: cargo xtask exercise 02-drain
// The same on every save: cargo xtask exercise 02-drain --watch
// See it: cargo run -p exercises-02-main-context-iteration \
//           --features exercises --example exercise-02-drain

use gtk::prelude::*;
use std::time::{Duration, Instant};

const CHUNKS: u32 = 10;

/// One chunk of the work: a stand-in for a slice of a long computation.
fn one_chunk() {
    #[expect(clippy::disallowed_methods, reason = "it stands in for work")]
    std::thread::sleep(Duration::from_millis(300));
}

/// Qt's processEvents(): runs what the main loop has pending, right here.
fn process_pending_events() {
    let context = glib::MainContext::default();
    let deadline = Instant::now() + Duration::from_millis(50);
    #[expect(clippy::disallowed_methods, reason = "the mistake to undo")]
    while context.iteration(false) && Instant::now() < deadline {}
}

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Exercise02")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

fn build_ui(app: &gtk::Application) {
    let start = gtk::Button::with_label("Start");
    let spinner = gtk::Spinner::new();
    let status = gtk::Label::new(Some("Ready."));
    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&start); // first, so that it has the keyboard focus
    column.append(&spinner);
    column.append(&status);
    let window = gtk::ApplicationWindow::builder()
        .application(app)
        .title("Exercise 02: stop draining the main loop")
        .default_width(320)
        .child(&column)
        .build();

    start.connect_clicked(glib::clone!(
        #[weak]
        window,
        #[weak]
        spinner,
        #[weak]
        status,
        move |start| {
            start.set_sensitive(false); // one job at a time
            spinner.start();
            // TODO: every chunk runs here, on the main loop, which paints
            // only in the drains between chunks. Run the chunks on another
            // thread, one after the other, and let the main loop show the
            // progress as each one ends, without process_pending_events().
            for chunk in 1..=CHUNKS {
                one_chunk();
                status.set_label(&format!("Working: {chunk}/{CHUNKS}"));
                process_pending_events();
                if !window.is_visible() {
                    return; // it was closed during the drain
                }
            }
            spinner.stop();
            status.set_label("Done.");
            start.set_sensitive(true);
        }
    ));
    window.present();
}
