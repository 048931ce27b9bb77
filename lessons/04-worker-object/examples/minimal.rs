// Lesson 04 in one file: a worker thread with a glib main context of its
// own. The window sends it commands over one channel and shows the progress
// it reports over another; closing the window tells it to quit and joins it.
// Run it: cargo run -p lesson-04-worker-object --example minimal-04

// ANCHOR: worker
use async_channel::{Receiver, Sender, TryRecvError};
use gtk::prelude::*;
use std::time::Duration;

const STEPS: u32 = 200;

#[derive(Clone, Copy)]
enum Command {
    Start,
    Cancel,
    Quit,
}

/// The worker's life. It reports the steps done after each step and command.
async fn serve(commands: Receiver<Command>, progress: Sender<u32>) {
    let mut job = None; // steps done, while there is a job
    loop {
        let command = match job {
            // Idle: wait for a command. The worker's loop is free meanwhile.
            None => commands.recv().await.unwrap_or(Command::Quit),
            // Working: a waiting command comes first, else the next step.
            Some(done) => match commands.try_recv() {
                Err(TryRecvError::Empty) => {
                    #[expect(clippy::disallowed_methods, reason = "a worker")]
                    std::thread::sleep(Duration::from_millis(25)); // a step
                    let _ = progress.try_send(done + 1);
                    job = (done + 1 < STEPS).then_some(done + 1);
                    continue;
                }
                command => command.unwrap_or(Command::Quit),
            },
        };
        match command {
            Command::Start => job = job.or(Some(0)), // one job at a time
            Command::Cancel => job = None,
            Command::Quit => return,
        }
        let _ = progress.try_send(job.unwrap_or(0)); // the answer
    }
}
// ANCHOR_END: worker

// ANCHOR: window
fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Minimal04")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

fn build_ui(app: &gtk::Application) {
    let (commands, inbox) = async_channel::unbounded();
    let (outbox, reports) = async_channel::unbounded();
    let worker = std::thread::spawn(move || {
        #[expect(clippy::disallowed_methods, reason = "the worker's own loop")]
        glib::MainContext::new().block_on(serve(inbox, outbox));
    });
    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    let buttons = [("Start", Command::Start), ("Cancel", Command::Cancel)];
    for (label, command) in buttons {
        let commands = commands.clone();
        let button = gtk::Button::with_label(label); // Start first: focused
        button.connect_clicked(move |_| {
            let _ = commands.try_send(command);
        });
        column.append(&button);
    }
    let bar = gtk::ProgressBar::builder().show_text(true).build();
    column.append(&bar);
    // The worker's reports, handled on the main loop one at a time. The
    // loop, and its hold on the bar, end with the worker's sender.
    glib::spawn_future_local(async move {
        while let Ok(done) = reports.recv().await {
            bar.set_fraction(f64::from(done) / f64::from(STEPS));
        }
    });
    let window = gtk::ApplicationWindow::new(app);
    window.set_title(Some("Lesson 04: a worker with its own loop"));
    window.set_default_size(320, -1);
    window.set_child(Some(&column));
    // Quit is read between two steps: the join waits for one step at most.
    let worker = std::cell::Cell::new(Some(worker));
    window.connect_close_request(move |_| {
        let _ = commands.try_send(Command::Quit);
        if let Some(worker) = worker.take() {
            #[expect(clippy::disallowed_methods, reason = "one step at most")]
            let _ = worker.join();
        }
        glib::Propagation::Proceed
    });
    window.present();
}
// ANCHOR_END: window
