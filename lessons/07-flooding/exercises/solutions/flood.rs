// The solution of exercise 07-flood (lesson 07, flooding the main loop):
// the worker overwrites the latest count, which nothing queues, and the
// window reads it once per frame, right before GTK lays out and paints:
// one update per frame, however fast the worker goes.
// Check it: cargo xtask exercise 07-flood --solution

use gtk::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

const ITEMS: u64 = 2_500_000;
const PER_MS: u64 = 1_000;

/// What the worker and the window share: the latest count, which the worker
/// overwrites and the window reads, and a stop flag.
#[derive(Default)]
struct Shared {
    done: AtomicU64,
    stop: AtomicBool,
}

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Exercise07")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

/// The worker: many small items, a thousand a millisecond, and a report
/// after every one.
fn work(shared: &Shared) {
    for done in 1..=ITEMS {
        if done % PER_MS == 0 {
            if shared.stop.load(Ordering::Relaxed) {
                return; // the window is closing
            }
            #[expect(clippy::disallowed_methods, reason = "a worker thread")]
            std::thread::sleep(Duration::from_millis(1)); // the items' work
        }
        shared.done.store(done, Ordering::Relaxed);
    }
}

fn build_ui(app: &gtk::Application) {
    let shared = Arc::new(Shared::default());
    let start = gtk::Button::with_label("Start");
    let spinner = gtk::Spinner::new();
    let bar = gtk::ProgressBar::builder().show_text(true).build();

    start.connect_clicked(glib::clone!(
        #[weak]
        spinner,
        #[weak]
        bar,
        #[strong]
        shared,
        move |start| {
            start.set_sensitive(false);
            spinner.start();
            shared.done.store(0, Ordering::Relaxed);
            let worker = shared.clone();
            gtk::gio::spawn_blocking(move || work(&worker));
            // Once per frame: the latest count, whatever came before it.
            bar.add_tick_callback(glib::clone!(
                #[strong]
                shared,
                #[weak]
                start,
                #[weak]
                spinner,
                #[upgrade_or]
                glib::ControlFlow::Break,
                move |bar, _| {
                    let done = shared.done.load(Ordering::Relaxed);
                    bar.set_fraction(done as f64 / ITEMS as f64);
                    bar.set_text(Some(&format!("{done} of {ITEMS}")));
                    if done < ITEMS {
                        return glib::ControlFlow::Continue;
                    }
                    spinner.stop();
                    start.set_sensitive(true);
                    glib::ControlFlow::Break
                }
            ));
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
        shared.stop.store(true, Ordering::Relaxed);
        glib::Propagation::Proceed
    });
    window.present();
}
