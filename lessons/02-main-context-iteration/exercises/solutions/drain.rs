// The solution of exercise 02-drain (lesson 02, processing events by hand):
// the click handler starts a future on the main loop, and the future runs
// each chunk on a thread of gio's pool and awaits it. Between two awaits the
// main loop is simply free, so nothing needs draining: the spinner turns at
// the full frame rate and the progress shows as each chunk ends.
// Check it: cargo xtask exercise 02-drain --solution

use gtk::gio;
use gtk::prelude::*;
use std::time::Duration;

const CHUNKS: u32 = 10;

/// One chunk of the work: a stand-in for a slice of a long computation.
fn one_chunk() {
    #[expect(clippy::disallowed_methods, reason = "it stands in for work")]
    std::thread::sleep(Duration::from_millis(300));
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
        spinner,
        #[weak]
        status,
        move |start| {
            start.set_sensitive(false); // one job at a time
            spinner.start();
            let start = start.clone();
            // No loop inside the handler any more: closing the window
            // returns from app.run() and ends the program, mid-chunk or not.
            glib::spawn_future_local(async move {
                let mut outcome = "Done.";
                for chunk in 1..=CHUNKS {
                    if gio::spawn_blocking(one_chunk).await.is_err() {
                        outcome = "The work panicked.";
                        break;
                    }
                    status.set_label(&format!("Working: {chunk}/{CHUNKS}"));
                }
                spinner.stop();
                status.set_label(outcome);
                start.set_sensitive(true);
            });
        }
    ));
    window.present();
}
