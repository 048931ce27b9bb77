// Lesson 02 in one file: Qt's processEvents() in GTK. DANGER! does its work
// in 50 chunks and, between two chunks, lets the main loop run whatever is
// pending, from inside its click handler. The window stays alive, but "?"
// changes the message in the middle of the loop, and DANGER! pressed again
// starts a second loop inside the first.
// Run it: cargo run -p lesson-02-main-context-iteration --example minimal-02

// ANCHOR: main
use gtk::prelude::*;
use std::cell::RefCell;
use std::rc::Rc;
use std::time::{Duration, Instant};

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Minimal02")
        .build();
    app.connect_activate(build_ui);
    app.run()
}
// ANCHOR_END: main

// ANCHOR: drain
// GTK's processEvents(): run what the main loop has pending, right here.
// One iteration dispatches only the ready sources of the highest priority,
// hence the loop; the limit stops a source that is always ready.
fn process_pending_events() {
    let context = glib::MainContext::default();
    let deadline = Instant::now() + Duration::from_millis(50);
    #[expect(clippy::disallowed_methods, reason = "the mistake shown")]
    while context.iteration(false) && Instant::now() < deadline {}
}
// ANCHOR_END: drain

// ANCHOR: build_ui
fn build_ui(app: &gtk::Application) {
    let danger = gtk::Button::with_label("DANGER!");
    let question = gtk::Button::with_label("?");
    let status = gtk::Label::new(Some("Ready."));
    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&danger); // first, so that it has the keyboard focus
    column.append(&question);
    column.append(&status);
    let window = gtk::ApplicationWindow::builder()
        .application(app)
        .title("Lesson 02: processing events by hand")
        .default_width(320)
        .child(&column)
        .build();

    let message = Rc::new(RefCell::new(String::new()));
    question.connect_clicked(glib::clone!(
        #[strong]
        message,
        move |_| *message.borrow_mut() = "OH NO".to_owned()
    ));
    danger.connect_clicked(glib::clone!(
        #[weak]
        window,
        #[weak]
        status,
        #[strong]
        message,
        move |_| {
            *message.borrow_mut() = "Pressed".to_owned();
            for chunk in 1..=50 {
                #[expect(clippy::disallowed_methods, reason = "one chunk")]
                std::thread::sleep(Duration::from_millis(100));
                // A copy: a borrow held across the drain would make "?"'s
                // borrow_mut() panic, and the application abort.
                let text = message.borrow().clone();
                status.set_label(&format!("{text} ({chunk}/50)"));
                process_pending_events(); // "?", DANGER!... run in here
                if !window.is_visible() {
                    return; // it was closed in there
                }
            }
        }
    ));
    window.present();
}
// ANCHOR_END: build_ui
