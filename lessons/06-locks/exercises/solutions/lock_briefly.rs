// The solution of exercise 06-lock-briefly (lesson 06, locks): each worker
// computes its value without the lock and takes it only to add the value,
// two additions. The guard is dropped at the end of every step, so nobody
// waits for the lock longer than that.
// Check it: cargo xtask exercise 06-lock-briefly --solution

use gtk::prelude::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

const STEPS: u64 = 300; // per worker, 10 ms each

/// What the two workers share.
#[derive(Default)]
struct Totals {
    steps: u64,
    sum: u64,
}

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Exercise06")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

/// One worker: it computes each value, then adds it to the totals.
fn work(totals: &Mutex<Totals>, seed: u64, closing: &AtomicBool) {
    for step in 0..STEPS {
        if closing.load(Ordering::Relaxed) {
            return;
        }
        #[expect(clippy::disallowed_methods, reason = "a worker thread")]
        std::thread::sleep(Duration::from_millis(10)); // the computation
        let value = (seed + step) % 7;
        let mut totals = totals.lock().unwrap_or_else(PoisonError::into_inner);
        totals.steps += 1;
        totals.sum += value;
    } // the guard goes at the end of each step: two additions under the lock
}

fn build_ui(app: &gtk::Application) {
    let closing = Arc::new(AtomicBool::new(false));
    let button = gtk::Button::with_label("Start two workers");
    let spinner = gtk::Spinner::new();
    let label = gtk::Label::new(Some("No work yet."));
    button.connect_clicked(glib::clone!(
        #[weak]
        spinner,
        #[weak]
        label,
        #[strong]
        closing,
        move |button| {
            button.set_sensitive(false);
            spinner.start();
            let totals = Arc::new(Mutex::new(Totals::default()));
            // Each worker holds a sender: the channel closes when both end.
            let (alive, ended) = async_channel::bounded::<()>(1);
            for seed in [0, 1_000] {
                let (totals, closing) = (totals.clone(), closing.clone());
                let alive = alive.clone();
                std::thread::spawn(move || {
                    work(&totals, seed, &closing);
                    drop(alive);
                });
            }
            let button = button.clone();
            glib::timeout_add_local(Duration::from_millis(100), move || {
                let read =
                    totals.lock().unwrap_or_else(PoisonError::into_inner);
                let (steps, sum) = (read.steps, read.sum);
                drop(read); // the window locks only to copy the data
                let over = ended.is_closed();
                let state = if over { "done" } else { "working" };
                label.set_label(&format!("{state}: {steps} steps, sum {sum}"));
                spinner.set_spinning(!over);
                button.set_sensitive(over);
                glib::ControlFlow::from(!over) // Break once both have ended
            });
        }
    ));
    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&button); // first, so that it has the keyboard focus
    column.append(&spinner);
    column.append(&label);
    let window = gtk::ApplicationWindow::builder()
        .application(app)
        .title("Exercise 06: lock only for the data")
        .default_width(360)
        .child(&column)
        .build();
    // The workers look at the flag between two steps, and stop.
    window.connect_close_request(move |_| {
        closing.store(true, Ordering::Relaxed);
        glib::Propagation::Proceed
    });
    window.present();
}
