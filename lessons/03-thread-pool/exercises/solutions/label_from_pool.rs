// The solution of exercise 03-label-from-pool (lesson 03, the thread pool):
// the job gets the sending end of a channel and sends each step; a future on
// the main loop receives them and is the only code that touches the widgets.
// Its loop ends when the job returns and drops its sender.
// Check it: cargo xtask exercise 03-label-from-pool --solution

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
/// pool thread. It sees only `Send` data, never a widget.
fn job(steps: &async_channel::Sender<u32>, closing: &AtomicBool) {
    for step in 1..=STEPS {
        if closing.load(Ordering::Relaxed) {
            return; // the window is closing: stop now
        }
        #[expect(clippy::disallowed_methods, reason = "a pool thread")]
        std::thread::sleep(Duration::from_millis(100));
        let _ = steps.try_send(step);
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
            let (steps, received) = async_channel::unbounded();
            let closing = closing.clone();
            if let Err(error) = pool.push(move || job(&steps, &closing)) {
                label.set_label(&format!("The job was not queued: {error}"));
                spinner.stop();
                start.set_sensitive(true);
                return;
            }
            let start = start.clone();
            glib::spawn_future_local(async move {
                while let Ok(step) = received.recv().await {
                    label.set_label(&format!("Step {step} of {STEPS}"));
                }
                label.set_label("Done.");
                spinner.stop();
                start.set_sensitive(true);
            });
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
