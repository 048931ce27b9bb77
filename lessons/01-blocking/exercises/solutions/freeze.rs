// The solution of exercise 01-freeze (lesson 01, the frozen window): the
// work runs on a thread of gio's pool, and the click handler only starts
// it. A future on the main loop awaits its answer, and the main loop is
// free meanwhile: the spinner turns and the window answers.
// Check it: cargo xtask exercise 01-freeze --solution

use gtk::gio;
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
        move |start| {
            start.set_sensitive(false); // one job at a time
            status.set_label("Working...");
            spinner.start();
            // One blocking call: gio::spawn_blocking runs it on a pool
            // thread, and awaiting it leaves the main loop free meanwhile.
            let start = start.clone();
            glib::spawn_future_local(async move {
                let answer = gio::spawn_blocking(do_the_work).await;
                spinner.stop();
                status.set_label(&match answer {
                    Ok(answer) => format!("Done: {answer}."),
                    Err(_) => "The work panicked.".to_owned(),
                });
                start.set_sensitive(true);
            });
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
