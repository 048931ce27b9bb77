// Exercise 06-lock-briefly: lock only for the data (lesson 06, locks). Press
// Start: two worker threads add what they compute to one total behind an
// Arc<Mutex<..>>, and the window shows it ten times a second. The window
// freezes: each worker takes the lock once and holds it while it computes,
// so the window's timer, on the main loop, waits seconds for its turn.
// The task, and what is still wrong: cargo xtask exercise 06-lock-briefly
// The same on every save: cargo xtask exercise 06-lock-briefly --watch
// See it: cargo run -p exercises-06-locks --features exercises \
//           --example exercise-06-lock-briefly

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
    // TODO: the lock is taken once, here, and held until the worker ends:
    // through every step's computation. The other worker and the window's
    // timer wait all that time. Compute without the lock, and take it only
    // to add the value.
    let mut totals = totals.lock().unwrap_or_else(PoisonError::into_inner);
    for step in 0..STEPS {
        if closing.load(Ordering::Relaxed) {
            return;
        }
        #[expect(clippy::disallowed_methods, reason = "a worker thread")]
        std::thread::sleep(Duration::from_millis(10)); // the computation
        let value = (seed + step) % 7;
        totals.steps += 1;
        totals.sum += value;
    }
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
