// Exercise 01-freeze: unfreeze the window (lesson 01, the frozen window).
// Press Start: the spinner should turn while the work runs and stop when it
// is done. It never turns, because the work runs inside the click handler.
// The task, and what is still wrong: cargo xtask exercise 01-freeze
// The same on every save: cargo xtask exercise 01-freeze --watch
// See it: cargo run -p exercises-01-blocking --features exercises \
//           --example exercise-01-freeze

use gtk::prelude::*;
use std::time::Duration;

/// The work: a stand-in for a long computation or a call that blocks.
fn do_the_work() -> u32 {
    #[expect(clippy::disallowed_methods, reason = "it stands in for work")]
    std::thread::sleep(Duration::from_secs(3));
    42
}

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Exercise01")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

fn build_ui(app: &gtk::Application) {
    let start = gtk::Button::with_label("Start");
    let spinner = gtk::Spinner::new();
    let status = gtk::Label::new(Some("Ready."));

    start.connect_clicked(glib::clone!(
        #[weak]
        spinner,
        #[weak]
        status,
        move |_| {
            status.set_label("Working...");
            spinner.start();
            // TODO: the work runs here, on the main loop, so the window can
            // neither paint nor answer until it returns. Run it on another
            // thread, and show its answer back here when it is done.
            let answer = do_the_work();
            spinner.stop();
            status.set_label(&format!("Done: {answer}."));
        }
    ));

    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&start); // first, so that it has the keyboard focus
    column.append(&spinner);
    column.append(&status);
    gtk::ApplicationWindow::builder()
        .application(app)
        .title("Exercise 01: unfreeze the window")
        .default_width(320)
        .child(&column)
        .build()
        .present();
}
