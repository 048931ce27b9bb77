// Exercise 07-flood: stop the flood (lesson 07, flooding the main loop).
// Press Start: a worker goes through two and a half million small items, a
// thousand a millisecond, and sends a report after every one; the window
// shows each report as it comes. The window freezes: the reports come faster
// than the main loop shows them, and it shows them before it paints.
// The task, and what is still wrong: cargo xtask exercise 07-flood
// The same on every save: cargo xtask exercise 07-flood --watch
// See it: cargo run -p exercises-07-flooding --features exercises \
//           --example exercise-07-flood

use gtk::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const ITEMS: u64 = 2_500_000;
const PER_MS: u64 = 1_000;

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Exercise07")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

/// The worker: many small items, a thousand a millisecond, and a report
/// after every one.
fn work(reports: &async_channel::Sender<u64>, stop: &AtomicBool) {
    for done in 1..=ITEMS {
        if done % PER_MS == 0 {
            if stop.load(Ordering::Relaxed) {
                return; // the window is closing
            }
            #[expect(clippy::disallowed_methods, reason = "a worker thread")]
            std::thread::sleep(Duration::from_millis(1)); // the items' work
        }
        let _ = reports.try_send(done);
    }
}

fn build_ui(app: &gtk::Application) {
    let stop = Arc::new(AtomicBool::new(false));
    let start = gtk::Button::with_label("Start");
    let spinner = gtk::Spinner::new();
    let bar = gtk::ProgressBar::builder().show_text(true).build();

    start.connect_clicked(glib::clone!(
        #[weak]
        spinner,
        #[weak]
        bar,
        #[strong]
        stop,
        move |start| {
            start.set_sensitive(false);
            spinner.start();
            // TODO: every report goes through this channel, and the future
            // below shows each one on the main loop: two and a half million
            // updates of the bar, while the screen changes sixty times a
            // second. Let the worker overwrite the latest count instead
            // (an AtomicU64 it shares with the window), and show it once
            // per frame (the bar's add_tick_callback) until it is complete.
            let (reports, received) = async_channel::unbounded();
            let worker = stop.clone();
            gtk::gio::spawn_blocking(move || work(&reports, &worker));
            let start = start.clone();
            glib::spawn_future_local(async move {
                while let Ok(done) = received.recv().await {
                    bar.set_fraction(done as f64 / ITEMS as f64);
                    bar.set_text(Some(&format!("{done} of {ITEMS}")));
                }
                spinner.stop();
                start.set_sensitive(true);
            });
        }
    ));

    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&start); // first, so that it has the keyboard focus
    column.append(&spinner);
    column.append(&bar);
    let window = gtk::ApplicationWindow::builder()
        .application(app)
        .title("Exercise 07: stop the flood")
        .default_width(320)
        .child(&column)
        .build();
    window.connect_close_request(move |_| {
        stop.store(true, Ordering::Relaxed);
        glib::Propagation::Proceed
    });
    window.present();
}
