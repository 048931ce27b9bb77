// Lesson 05 in one file: a worker thread builds a large table (40 MB) and
// hands it to the window by move over an async-channel: only the Vec's
// pointer, length and capacity travel. The worker also computes the summary
// the window shows, so the main loop never walks the 40 MB itself.
// Run it: cargo run -p lesson-05-handing-data --example minimal-05

// ANCHOR: worker
use gtk::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const STEPS: usize = 25;
const PER_STEP: usize = 200_000; // 25 steps of 200 000 f64: 40 MB

/// The worker's result: plain owned data, no lock and no `Arc`.
struct Table {
    samples: Vec<f64>,
    mean: f64,
}

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Minimal05")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

/// The worker, reading from a slow source; `None` if the window closed.
fn build_table(closing: &AtomicBool) -> Option<Table> {
    let mut samples = Vec::with_capacity(STEPS * PER_STEP);
    for step in 0..STEPS {
        if closing.load(Ordering::Relaxed) {
            return None;
        }
        #[expect(clippy::disallowed_methods, reason = "a worker thread")]
        std::thread::sleep(Duration::from_millis(100)); // the slow source
        samples.extend((0..PER_STEP).map(|i| ((step + i) as f64).sin()));
    }
    let mean = samples.iter().sum::<f64>() / samples.len() as f64;
    Some(Table { samples, mean })
}
// ANCHOR_END: worker

// ANCHOR: window
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
                if let Some(table) = build_table(&closing) {
                    let _ = sender.try_send(table); // the move
                }
            });
            // Ends once the worker has ended: its sender is gone then.
            let button = button.clone();
            glib::spawn_future_local(async move {
                if let Ok(table) = received.recv().await {
                    let (n, mean) = (table.samples.len(), table.mean);
                    status.set_label(&format!(
                        "Received {n} samples by move: mean {mean:.5}"
                    ));
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
        .title("Lesson 05: handing data to another thread")
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
// ANCHOR_END: window
