// Lesson 03 in one file: the work runs on a pool of three threads, and the
// main loop only hears from it. Press Start a job a few times: three jobs
// run, the others wait for a free thread, and each shows its progress and
// its result in its own bar. Close the window mid-work: the jobs stop.
// Run it: cargo run -p lesson-03-thread-pool --example minimal-03

// ANCHOR: job
use gtk::prelude::*;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// What a job tells the main loop: Qt's WorkerSignals, as plain data.
enum Update {
    Started,
    Progress(f64),
    Done(String),
}

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Minimal03")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

/// The job, Qt's QRunnable::run: three seconds of work in steps, on a pool
/// thread. It captures only `Send` data, never a widget.
fn job(updates: async_channel::Sender<Update>, closing: Arc<AtomicBool>) {
    let started = Instant::now();
    let _ = updates.try_send(Update::Started);
    for step in 1..=30 {
        if closing.load(Ordering::Relaxed) {
            return; // the window is closing: stop now
        }
        #[expect(clippy::disallowed_methods, reason = "a pool thread")]
        std::thread::sleep(Duration::from_millis(100));
        let _ = updates.try_send(Update::Progress(f64::from(step) / 30.0));
    }
    let took = started.elapsed().as_secs_f64();
    let _ = updates.try_send(Update::Done(format!("done in {took:.1} s")));
}
// ANCHOR_END: job

// ANCHOR: build_ui
fn build_ui(app: &gtk::Application) {
    // Qt's QThreadPool with maxThreadCount 3: jobs beyond three wait.
    let pool = glib::ThreadPool::exclusive(3).expect("glib starts threads");
    let closing = Arc::new(AtomicBool::new(false));
    let start = gtk::Button::with_label("Start a job");
    let bars = gtk::Box::new(gtk::Orientation::Vertical, 6);

    start.connect_clicked(glib::clone!(
        #[weak]
        bars,
        #[strong]
        closing,
        move |_| {
            let bar = gtk::ProgressBar::builder().show_text(true).build();
            bar.set_text(Some("queued"));
            bars.append(&bar);
            let (updates, received) = async_channel::unbounded();
            let closing = closing.clone();
            if let Err(error) = pool.push(move || job(updates, closing)) {
                bar.set_text(Some(&format!("not queued: {error}")));
                return;
            }
            // The main loop's side of the signals: the only place that
            // touches the bar. The loop ends when the job drops its sender.
            glib::spawn_future_local(async move {
                while let Ok(update) = received.recv().await {
                    match update {
                        Update::Started => bar.set_text(Some("running")),
                        Update::Progress(done) => bar.set_fraction(done),
                        Update::Done(result) => bar.set_text(Some(&result)),
                    }
                }
            });
        }
    ));

    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&start); // first, so that it has the keyboard focus
    column.append(&bars);
    let window = gtk::ApplicationWindow::builder()
        .application(app)
        .title("Lesson 03: the thread pool")
        .default_width(320)
        .child(&column)
        .build();
    // Dropping the pool (with the button's handler, when the window goes)
    // waits for every job it holds, queued ones included: tell them to stop.
    window.connect_close_request(move |_| {
        closing.store(true, Ordering::Relaxed);
        glib::Propagation::Proceed
    });
    window.present();
}
// ANCHOR_END: build_ui
