// Lesson 07 in one file: a worker reports after each of its many small
// items, a hundred times per frame, and the window shows only the latest
// report, once per frame. Nothing queues up: the worker never waits for the
// window, and the window does one update per frame, however fast the worker.
// Run it: cargo run -p lesson-07-flooding --example minimal-07

// ANCHOR: worker
use gtk::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

const ITEMS: u64 = 20_000;

/// What the worker and the window share: the latest count, which the worker
/// overwrites and the window reads, and a stop flag.
#[derive(Default)]
struct Shared {
    done: AtomicU64,
    stop: AtomicBool,
}

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Minimal07")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

/// The worker: an item takes a little over a tenth of a millisecond, and it
/// reports after every one, thousands of times a second.
fn work(shared: &Shared) {
    for done in 1..=ITEMS {
        if shared.stop.load(Ordering::Relaxed) {
            return; // the window is closing
        }
        #[expect(clippy::disallowed_methods, reason = "a worker thread")]
        std::thread::sleep(Duration::from_micros(100));
        shared.done.store(done, Ordering::Relaxed);
    }
}
// ANCHOR_END: worker

// ANCHOR: build_ui
fn build_ui(app: &gtk::Application) {
    let shared = Arc::new(Shared::default());
    let start = gtk::Button::with_label("Start");
    let bar = gtk::ProgressBar::builder().show_text(true).build();

    start.connect_clicked(glib::clone!(
        #[weak]
        bar,
        #[strong]
        shared,
        move |start| {
            start.set_sensitive(false);
            shared.done.store(0, Ordering::Relaxed);
            let worker = shared.clone();
            gtk::gio::spawn_blocking(move || work(&worker));
            // Once per frame, right before GTK lays out and paints the
            // window: show the latest count, whatever came before it.
            bar.add_tick_callback(glib::clone!(
                #[strong]
                shared,
                #[weak]
                start,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move |bar, _| {
                    let done = shared.done.load(Ordering::Relaxed);
                    bar.set_fraction(done as f64 / ITEMS as f64);
                    bar.set_text(Some(&format!("{done} of {ITEMS}")));
                    if done < ITEMS {
                        return glib::ControlFlow::Continue;
                    }
                    start.set_sensitive(true);
                    glib::ControlFlow::Break
                }
            ));
        }
    ));

    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&start); // first, so that it has the keyboard focus
    column.append(&bar);
    let window = gtk::ApplicationWindow::builder()
        .application(app)
        .title("Lesson 07: the latest, once per frame")
        .default_width(320)
        .child(&column)
        .build();
    window.connect_close_request(move |_| {
        shared.stop.store(true, Ordering::Relaxed);
        glib::Propagation::Proceed
    });
    window.present();
}
// ANCHOR_END: build_ui
