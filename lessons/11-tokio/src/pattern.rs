//! Lesson 11's pattern: tokio beside GTK. Requests run on a tokio runtime
//! with threads of its own (`runtime.rs`), with tokio's networking
//! (`client.rs`), to a server the lesson starts on the same runtime
//! (`server.rs`). Each answer comes back over an async-channel to a future
//! on the main loop, which shows it. Fetch on the GTK loop makes the
//! classic mistake: the same request, awaited where no runtime runs.

use crate::client::{self, Answer};
use crate::runtime::{self, THREAD_NAME, WORKERS};
use crate::server::{self, Heard};
use crate::view::{Counts, View};
use gtk::prelude::*;
use lesson_kit::{About, Lesson, Stage};
use std::any::Any;
use std::cell::{Cell, RefCell};
use std::io;
use std::net::SocketAddr;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long a request may take beyond the server's delay.
const FETCH_PATIENCE: Duration = Duration::from_secs(10);
/// How long shutdown waits for the runtime's threads to end.
const RUNTIME_PATIENCE: Duration = Duration::from_millis(500);

pub struct Tokio {
    pub app: Rc<App>,
}

/// The main thread's side: the widgets, the server's address, and the
/// request in flight.
pub struct App {
    pub view: View,
    /// How long the server waits before it answers: `--work-ms`.
    pub delay: Duration,
    address: Cell<Option<SocketAddr>>,
    counts: Cell<Counts>,
    requests: Cell<u32>,
    in_flight: RefCell<Option<InFlight>>,
    listening: RefCell<Option<glib::JoinHandle<()>>>,
}

/// A request on the runtime, and the future on the main loop that waits
/// for its answer.
struct InFlight {
    task: tokio::task::JoinHandle<()>,
    shown: glib::JoinHandle<()>,
    cancelled: bool,
}

type Received = Result<io::Result<Answer>, async_channel::RecvError>;

impl App {
    fn refresh(&self) {
        let listening = self.address.get().is_some();
        let in_flight = self.in_flight.borrow().is_some();
        self.view.refresh(listening, in_flight);
    }

    // ANCHOR: fetch
    /// Fetch with tokio: the request runs on the runtime, and its answer
    /// comes back over a channel to a future on the main loop.
    fn fetch(self: &Rc<Self>) {
        let (Some(address), Some(runtime)) =
            (self.address.get(), runtime::handle())
        else {
            return;
        };
        self.requests.set(self.requests.get() + 1);
        let path = format!("/request/{}", self.requests.get());
        let patience = self.delay + FETCH_PATIENCE;
        let (sender, receiver) = async_channel::bounded(1);
        let asked_for = path.clone();
        let task = runtime.spawn(async move {
            let asking = client::fetch(address, asked_for);
            let answer = match tokio::time::timeout(patience, asking).await {
                Ok(answer) => answer,
                Err(_) => Err(io::Error::from(io::ErrorKind::TimedOut)),
            };
            // If the window has closed, nobody listens: that is fine.
            let _ = sender.send(answer).await;
        });
        let app = self.clone();
        let started = Instant::now();
        let shown = glib::spawn_future_local(async move {
            let answer = receiver.recv().await;
            app.answered(answer, started);
        });
        let in_flight = InFlight { task, shown, cancelled: false };
        *self.in_flight.borrow_mut() = Some(in_flight);
        self.view.answer.set_label(&format!("Asked for {path}, waiting..."));
        self.refresh();
    }
    // ANCHOR_END: fetch

    // ANCHOR: cancel
    /// Cancel: aborts the request's task. A runtime thread drops it, and
    /// with it its socket and its end of the channel, which is how the
    /// future on the main loop learns of it.
    fn cancel(&self) {
        if let Some(in_flight) = self.in_flight.borrow_mut().as_mut() {
            in_flight.cancelled = true;
            in_flight.task.abort();
            self.view.answer.set_label("Cancelling...");
        }
    }
    // ANCHOR_END: cancel

    fn answered(&self, answer: Received, started: Instant) {
        let cancelled = self.in_flight.take().is_some_and(|f| f.cancelled);
        let took = started.elapsed().as_secs_f64();
        let text = match answer {
            Ok(Ok(Answer { status, body })) => {
                format!("Answer after {took:.2} s: {status}: {body}")
            }
            Ok(Err(e)) => format!("The request failed after {took:.2} s: {e}"),
            Err(_) if cancelled => format!(
                "Cancelled after {took:.2} s: the task was dropped, and its \
                 channel closed."
            ),
            Err(_) => "No answer: the request's task ended without one.".into(),
        };
        self.view.answer.set_label(&text);
        self.refresh();
    }

    // ANCHOR: on_gtk_loop
    /// The mistake: the same request, awaited on the GTK loop. No tokio
    /// runtime runs on this thread, so tokio's socket panics at the first
    /// poll; glib catches the panic and hands it to the task's JoinHandle.
    fn fetch_on_gtk_loop(self: &Rc<Self>) {
        let Some(address) = self.address.get() else { return };
        let path = "/on-the-gtk-loop".to_owned();
        let task = glib::spawn_future_local(client::fetch(address, path));
        let app = self.clone();
        glib::spawn_future_local(async move {
            let text = match task.await {
                Ok(Ok(answer)) => format!("an answer: {}", answer.status),
                Ok(Err(e)) => format!("failed: {e}"),
                Err(error) => match error.try_into_panic() {
                    Ok(panic) => {
                        format!("the task panicked: {}", said(&*panic))
                    }
                    Err(error) => error.to_string(),
                },
            };
            let text = format!("On the GTK loop: {text}");
            app.view.on_gtk_loop.set_label(&text);
        });
        self.view.on_gtk_loop.set_label("On the GTK loop: awaiting...");
    }
    // ANCHOR_END: on_gtk_loop

    /// Shows what the server says, as it comes.
    fn listen(self: &Rc<Self>, heard: async_channel::Receiver<Heard>) {
        let app = self.clone();
        let task = glib::spawn_future_local(async move {
            while let Ok(news) = heard.recv().await {
                app.heard(news);
            }
        });
        *self.listening.borrow_mut() = Some(task);
    }

    fn heard(&self, news: Heard) {
        let mut counts = self.counts.get();
        match news {
            Heard::Listening(address) => self.address.set(Some(address)),
            Heard::Asked => counts.asked += 1,
            Heard::Answered => counts.answered += 1,
            Heard::HungUp => counts.hung_up += 1,
            Heard::Failed(e) => {
                self.view.server.set_label(&format!("Server: {e}"));
                return;
            }
        }
        self.counts.set(counts);
        if let Some(address) = self.address.get() {
            self.view.show_server(address, self.delay, counts);
        }
        self.refresh();
    }

    // ANCHOR: shutdown
    /// Stops what the lesson started: the futures on the main loop first,
    /// so that they let go of the widgets, then the runtime, with the
    /// server and any request still in flight.
    fn stop(&self) -> Result<(), String> {
        if let Some(in_flight) = self.in_flight.take() {
            in_flight.task.abort();
            in_flight.shown.abort();
        }
        if let Some(listening) = self.listening.take() {
            listening.abort();
        }
        runtime::shut_down(RUNTIME_PATIENCE)
    }
    // ANCHOR_END: shutdown
}

/// What a panic said, when it said it with a string.
fn said(panic: &(dyn Any + Send)) -> &str {
    let text = panic.downcast_ref::<String>().map(String::as_str);
    text.or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)")
}

impl Lesson for Tokio {
    const ABOUT: About = About {
        id: env!("CARGO_PKG_NAME"),
        title: env!("CARGO_PKG_DESCRIPTION"),
        summary: "Fetch with tokio sends a request from a tokio runtime on \
                  threads of its own to a server the lesson runs on \
                  127.0.0.1, answering after --work-ms; the answer comes \
                  back over an async-channel to the main loop. Cancel \
                  drops the request's task. Fetch on the GTK loop awaits \
                  the same request where no runtime runs: it panics, and \
                  the window shows why.",
        default_work: Duration::from_secs(2),
    };

    // ANCHOR: build
    fn build(stage: &Stage) -> Self {
        let app = Rc::new(App {
            view: View::new(&stage.window),
            delay: stage.options.work,
            address: Cell::default(),
            counts: Cell::default(),
            requests: Cell::default(),
            in_flight: RefCell::default(),
            listening: RefCell::default(),
        });
        app.refresh();
        let (tell, heard) = async_channel::unbounded();
        if let Some(runtime) = runtime::handle() {
            runtime.spawn(server::serve(app.delay, tell));
        }
        app.listen(heard);
        connect(&app);
        stage.window.set_status(&format!(
            "A tokio runtime on {WORKERS} threads of its own ({THREAD_NAME}); \
             its answers come back over a channel."
        ));
        Self { app }
    }
    // ANCHOR_END: build

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
    on(&view.fetch, |app| app.fetch());
    on(&view.cancel, |app| app.cancel());
    on(&view.fetch_on_gtk_loop, |app| app.fetch_on_gtk_loop());
}
