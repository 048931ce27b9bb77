// The solution of exercise 05-share-the-table (lesson 05, handing data to
// another thread): the window keeps the table in an Arc, which counts its
// owners with atomic instructions and may go to another thread. The pool's
// clone is one more owner of the same table, not a copy of it.
// Check it: cargo xtask exercise 05-share-the-table --solution

use gtk::gio;
use gtk::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const STEPS: usize = 20;
const PER_STEP: usize = 100_000; // 20 steps of 100 000 f64: 16 MB

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Exercise05")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

/// The worker, reading from a slow source; `None` if the window closed.
fn build_table(closing: &AtomicBool) -> Option<Vec<f64>> {
    let mut samples = Vec::with_capacity(STEPS * PER_STEP);
    for step in 0..STEPS {
        if closing.load(Ordering::Relaxed) {
            return None;
        }
        #[expect(clippy::disallowed_methods, reason = "a worker thread")]
        std::thread::sleep(Duration::from_millis(100)); // the slow source
        samples.extend((0..PER_STEP).map(|i| ((step + i) as f64).sin()));
    }
    Some(samples)
}

/// The table's mean and largest sample: a second of number crunching.
fn statistics(samples: &[f64]) -> (f64, f64) {
    #[expect(clippy::disallowed_methods, reason = "it stands in for work")]
    std::thread::sleep(Duration::from_secs(1));
    let mean = samples.iter().sum::<f64>() / samples.len() as f64;
    (mean, samples.iter().copied().fold(f64::MIN, f64::max))
}

fn build_ui(app: &gtk::Application) {
    let closing = Arc::new(AtomicBool::new(false));
    let button = gtk::Button::with_label("Build the table");
    let spinner = gtk::Spinner::new();
    let status = gtk::Label::new(Some("No table yet."));
    button.connect_clicked(glib::clone!(
        #[weak]
        spinner,
        #[weak]
        status,
        #[strong]
        closing,
        move |button| {
            button.set_sensitive(false);
            spinner.start();
            let (sender, received) = async_channel::bounded(1);
            let closing = closing.clone();
            std::thread::spawn(move || {
                if let Some(samples) = build_table(&closing) {
                    let _ = sender.try_send(samples); // the move
                }
            });
            let button = button.clone();
            glib::spawn_future_local(async move {
                if let Ok(samples) = received.recv().await {
                    let table = Arc::new(samples);
                    let for_the_pool = Arc::clone(&table);
                    status.set_label("Working out the statistics...");
                    let job = move || statistics(&for_the_pool);
                    if let Ok((mean, max)) = gio::spawn_blocking(job).await {
                        let n = table.len();
                        status.set_label(&format!(
                            "{n} samples: mean {mean:.5}, largest {max:.5}"
                        ));
                    }
                }
                spinner.stop();
                button.set_sensitive(true);
            });
        }
    ));
    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&button); // first, so that it has the keyboard focus
    column.append(&spinner);
    column.append(&status);
    let window = gtk::ApplicationWindow::builder()
        .application(app)
        .title("Exercise 05: share the table")
        .default_width(360)
        .child(&column)
        .build();
    // The worker looks at the flag between two steps, and stops.
    window.connect_close_request(move |_| {
        closing.store(true, Ordering::Relaxed);
        glib::Propagation::Proceed
    });
    window.present();
}
