// Exercise 03-label-from-pool: report from the pool (lesson 03, the thread
// pool). Press Start: a job on a pool thread works for three seconds, in
// thirty steps, and shows each step in the label. Or it would: it does not
// compile, because the job touches the label, the spinner and the button,
// and GTK's widgets may be touched only on the main thread.
// The task, and what is still wrong: cargo xtask exercise 03-label-from-pool
// The same on every save: cargo xtask exercise 03-label-from-pool --watch
// See it: cargo run -p exercises-03-thread-pool --features exercises \
//           --example exercise-03-label-from-pool

use gtk::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

const STEPS: u32 = 30;

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Exercise03")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

/// The job, Qt's QRunnable::run: thirty steps of a tenth of a second, on a
/// pool thread.
fn job(label: &gtk::Label, closing: &AtomicBool) {
    for step in 1..=STEPS {
        if closing.load(Ordering::Relaxed) {
            return; // the window is closing: stop now
        }
        #[expect(clippy::disallowed_methods, reason = "a pool thread")]
        std::thread::sleep(Duration::from_millis(100));
        label.set_label(&format!("Step {step} of {STEPS}"));
    }
}

fn build_ui(app: &gtk::Application) {
    // Qt's QThreadPool with maxThreadCount 3.
    let pool = glib::ThreadPool::exclusive(3).expect("glib starts threads");
    let closing = Arc::new(AtomicBool::new(false));
    let start = gtk::Button::with_label("Start");
    let spinner = gtk::Spinner::new();
    let label = gtk::Label::new(Some("Ready."));

    start.connect_clicked(glib::clone!(
        #[weak]
        spinner,
        #[weak]
        label,
        #[strong]
        closing,
        move |start| {
            start.set_sensitive(false); // one job at a time
            spinner.start();
            let (start, closing) = (start.clone(), closing.clone());
            // TODO: the job gets the widgets, and the closure runs on a pool
            // thread: the compiler refuses to send them there. Give the job
            // what it needs to tell the main loop instead (the sending end
            // of a channel), and touch the widgets on the main loop, in a
            // future that receives what the job sends.
            let pushed = pool.push(move || {
                job(&label, &closing);
                label.set_label("Done.");
                spinner.stop();
                start.set_sensitive(true);
            });
            if let Err(error) = pushed {
                eprintln!("The job was not queued: {error}");
            }
        }
    ));

    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&start); // first, so that it has the keyboard focus
    column.append(&spinner);
    column.append(&label);
    let window = gtk::ApplicationWindow::builder()
        .application(app)
        .title("Exercise 03: report from the pool")
        .default_width(320)
        .child(&column)
        .build();
    // Dropping the pool (with the button's handler, when the window goes)
    // waits for its jobs: tell them to stop.
    window.connect_close_request(move |_| {
        closing.store(true, Ordering::Relaxed);
        glib::Propagation::Proceed
    });
    window.present();
}
