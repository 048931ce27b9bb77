//! Lesson 09's pattern: the network on the main loop. Fetch connects with
//! gio's socket client and reads with gio's async reads from a future on
//! the main loop (`fetch.rs`): no thread of the lesson's own, Cancel through
//! a `gio::Cancellable`, a timeout through `glib::future_with_timeout`. For
//! comparison, the same fetch with std::net's blocking calls on a worker
//! thread, and in the click handler (`blocking.rs`).

use crate::blocking::{self, Event, Worker};
use crate::fetch;
use crate::protocol::{Behaviour, Failure, Fetched, PIECES, Progress};
use crate::server::Server;
use crate::view::View;
use gtk::gio;
use gtk::prelude::*;
use lesson_kit::{About, Lesson, Stage};
use std::cell::{Cell, RefCell};
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

pub struct Network {
    pub app: Rc<App>,
}

/// The main thread's side: the widgets, the server, and what is running.
pub struct App {
    pub view: View,
    pub address: SocketAddr,
    /// A fetch that waits this long for the next bytes has timed out.
    pub limit: Duration,
    server: RefCell<Option<Server>>,
    running: RefCell<Option<Running>>,
    /// The last progress shown, for the outcome's line.
    progress: Cell<Progress>,
}

/// The fetch under way, so that Cancel and shutdown can reach it.
enum Running {
    MainLoop { cancellable: gio::Cancellable, task: glib::JoinHandle<()> },
    Thread { worker: Worker, task: glib::JoinHandle<()> },
}

enum Outcome {
    Finished(Fetched),
    Cancelled,
    Failed(Failure),
}

impl App {
    // ANCHOR: start_fetch
    /// Fetch: the whole fetch is one future on the main loop.
    fn start_fetch(self: &Rc<Self>) {
        let cancellable = gio::Cancellable::new();
        let (app, stop) = (self.clone(), cancellable.clone());
        let task = glib::spawn_future_local(async move {
            let started = Instant::now();
            let (ask, show) = (app.view.asked(), |p| app.show(p));
            let fetching = fetch::fetch(app.address, ask, app.limit, show);
            // Cancel ends the fetch at its next poll; the read it was
            // waiting for is dropped, and gio-rs cancels it.
            let outcome =
                match gio::CancellableFuture::new(fetching, stop).await {
                    Ok(Ok(fetched)) => Outcome::Finished(fetched),
                    Ok(Err(failure)) => Outcome::Failed(failure),
                    Err(gio::Cancelled) => Outcome::Cancelled,
                };
            app.ended("on the main loop", outcome, started);
        });
        self.began(Running::MainLoop { cancellable, task });
    }
    // ANCHOR_END: start_fetch

    // ANCHOR: start_on_thread
    /// Fetch on a thread: the blocking fetch on a worker, its progress
    /// and its answer received on the main loop.
    fn start_on_thread(self: &Rc<Self>) {
        let ask = self.view.asked();
        let (worker, events) =
            match Worker::spawn(self.address, ask, self.limit) {
                Ok(spawned) => spawned,
                Err(e) => {
                    let text = format!("Failed: no worker thread: {e}");
                    self.view.outcome.set_label(&text);
                    return;
                }
            };
        let app = self.clone();
        let task = glib::spawn_future_local(async move {
            let started = Instant::now();
            while let Ok(event) = events.recv().await {
                match event {
                    Event::Progress(progress) => app.show(progress),
                    Event::Done(fetched) => {
                        let outcome =
                            fetched.map_or(Outcome::Cancelled, outcome);
                        app.ended("on a thread", outcome, started);
                        return;
                    }
                }
            }
            let lost = Failure::Io("the worker ended without a word".into());
            app.ended("on a thread", Outcome::Failed(lost), started);
        });
        self.began(Running::Thread { worker, task });
    }
    // ANCHOR_END: start_on_thread

    // ANCHOR: fetch_in_handler
    /// Fetch, blocking: the same fetch, in the click handler. Every line
    /// runs, the progress bar is set 64 times, and nothing of it is painted
    /// until the handler returns.
    fn fetch_in_handler(&self) {
        self.view.set_busy(true);
        self.show(Progress::default());
        let started = Instant::now();
        let (ask, limit) = (self.view.asked(), self.limit);
        let fetched = blocking::connect_blocking(self.address, limit).and_then(
            |mut stream| {
                let show = |progress| self.show(progress);
                blocking::fetch_blocking(&mut stream, ask, limit, show)
            },
        );
        self.ended("in the click handler", outcome(fetched), started);
    }
    // ANCHOR_END: fetch_in_handler

    // ANCHOR: cancel
    /// Cancel: the future's cancellable, or the worker's socket.
    fn cancel(&self) {
        match self.running.borrow().as_ref() {
            Some(Running::MainLoop { cancellable, .. }) => cancellable.cancel(),
            Some(Running::Thread { worker, .. }) => worker.cancel(),
            None => {}
        }
    }
    // ANCHOR_END: cancel

    fn began(&self, running: Running) {
        *self.running.borrow_mut() = Some(running);
        self.view.set_busy(true);
        self.show(Progress::default());
        let asked = match self.view.asked() {
            Behaviour::Answer => "answer",
            Behaviour::Stall => "stall",
            Behaviour::Drop => "drop the connection",
        };
        let text = format!("Fetching; the server was asked to {asked}...");
        self.view.outcome.set_label(&text);
    }

    fn show(&self, progress: Progress) {
        self.progress.set(progress);
        self.view.show_progress(progress);
    }

    fn ended(&self, how: &str, outcome: Outcome, started: Instant) {
        let running = self.running.borrow_mut().take();
        // A worker that has said its last word is returning: join it.
        let joined = match running {
            Some(Running::Thread { worker, .. }) => worker.stop(),
            _ => Ok(()),
        };
        let seconds = started.elapsed().as_secs_f64();
        let Progress { received, length } = self.progress.get();
        let mut text = match outcome {
            Outcome::Finished(f) if f.fnv1a == f.expected => format!(
                "Fetched {} bytes {how} in {seconds:.2} s. FNV-1a {:016x}: \
                 intact.",
                f.bytes, f.fnv1a
            ),
            Outcome::Finished(f) => format!(
                "Fetched {} bytes {how} in {seconds:.2} s, damaged: FNV-1a \
                 {:016x}, the server's {:016x}.",
                f.bytes, f.fnv1a, f.expected
            ),
            Outcome::Cancelled => {
                format!("Cancelled after {received} of {length} bytes.")
            }
            Outcome::Failed(failure) => describe(&failure),
        };
        if let Err(e) = joined {
            text.push_str(&format!(" ({e})"));
        }
        self.view.outcome.set_label(&text);
        self.view.set_busy(false);
    }

    // ANCHOR: shutdown
    /// Stops the fetch that runs, if one does, then the server.
    fn stop(&self) -> Result<(), String> {
        let stopped = match self.running.borrow_mut().take() {
            // Dropping the future drops the read, and gio-rs cancels it.
            Some(Running::MainLoop { task, .. }) => {
                task.abort();
                Ok(())
            }
            Some(Running::Thread { worker, task }) => {
                task.abort();
                worker.stop()
            }
            None => Ok(()),
        };
        let server = self.server.borrow_mut().take();
        let server = server.map_or(Ok(()), Server::stop);
        stopped.and(server)
    }
    // ANCHOR_END: shutdown
}

fn outcome(fetched: Result<Fetched, Failure>) -> Outcome {
    fetched.map_or_else(Outcome::Failed, Outcome::Finished)
}

/// A failure as the window says it.
fn describe(failure: &Failure) -> String {
    match failure {
        Failure::TimedOut { progress, silence } => format!(
            "Timed out: no data for {:.1} s, after {} of {} bytes.",
            silence.as_secs_f64(),
            progress.received,
            progress.length
        ),
        Failure::Dropped(Progress { received, length }) => format!(
            "Failed: the server dropped the connection after {received} of \
             {length} bytes."
        ),
        Failure::Io(e) | Failure::Protocol(e) => format!("Failed: {e}"),
    }
}

impl Lesson for Network {
    const ABOUT: About = About {
        id: env!("CARGO_PKG_NAME"),
        title: env!("CARGO_PKG_DESCRIPTION"),
        summary: "Fetch gets 256 KiB from the lesson's own server on \
                  127.0.0.1, slowly and in pieces, with gio's socket client \
                  and async reads on the main loop, with Cancel and a \
                  timeout; the server can be told to stall or to drop the \
                  connection. Fetch on a thread does the same with std::net \
                  on a worker thread; Fetch, blocking, in the click handler, \
                  freezes the window.",
        default_work: Duration::from_secs(3),
    };

    fn build(stage: &Stage) -> Self {
        // The whole payload takes --work-ms: one piece every 1/64 of it.
        let pace = stage.options.work / PIECES as u32;
        let server = Server::start(pace).expect("a port on 127.0.0.1");
        let address = server.address;
        let app = Rc::new(App {
            view: View::new(&stage.window, address, pace),
            address,
            limit: (pace * 10).max(Duration::from_secs(1)),
            server: RefCell::new(Some(server)),
            running: RefCell::default(),
            progress: Cell::default(),
        });
        app.view.set_busy(false);
        stage.window.set_status(
            "Fetch waits for the network with .await on the main loop.",
        );
        connect(&app);
        Self { app }
    }

    fn shutdown(&self) -> Result<(), String> {
        self.app.stop()
    }
}

fn connect(app: &Rc<App>) {
    let view = &app.view;
    let on = |button: &gtk::Button, act: fn(&Rc<App>)| {
        button.connect_clicked(glib::clone!(
            #[weak]
            app,
            move |_| act(&app)
        ));
    };
    on(&view.fetch, |app| app.start_fetch());
    on(&view.on_thread, |app| app.start_on_thread());
    on(&view.blocking, |app| app.fetch_in_handler());
    on(&view.cancel, |app| app.cancel());
}
