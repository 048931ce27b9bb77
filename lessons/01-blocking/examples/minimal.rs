// Lesson 01 in one file: the work runs inside the click handler, so the
// window freezes. Press DANGER! and the counter stops for five seconds.
// Run it: cargo run -p lesson-01-blocking --example minimal-01

use gtk::prelude::*;
use std::time::Duration;

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Minimal01")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

fn build_ui(app: &gtk::Application) {
    let counter = gtk::Label::new(Some("0"));
    let status = gtk::Label::new(Some("Ready."));
    let danger = gtk::Button::with_label("DANGER!");

    // The indicator: a main-loop timer. It ticks only while the loop is free.
    let mut seconds = 0;
    glib::timeout_add_seconds_local(
        1,
        glib::clone!(
            #[weak]
            counter,
            #[upgrade_or]
            glib::ControlFlow::Break,
            move || {
                seconds += 1;
                counter.set_label(&seconds.to_string());
                glib::ControlFlow::Continue
            }
        ),
    );

    danger.connect_clicked(glib::clone!(
        #[weak]
        status,
        move |_| {
            status.set_label("Working..."); // never painted
            #[expect(clippy::disallowed_methods, reason = "the mistake shown")]
            std::thread::sleep(Duration::from_secs(5));
            status.set_label("Done.");
        }
    ));

    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&danger); // first, so that it has the keyboard focus
    column.append(&counter);
    column.append(&status);
    gtk::ApplicationWindow::builder()
        .application(app)
        .title("Lesson 01: the frozen window")
        .default_width(320)
        .child(&column)
        .build()
        .present();
}
