//! Lesson 06 put together: five demos on one window, one at a time. What
//! each button runs on the main loop is in `runs.rs`; the threads' sides in
//! `counters.rs`, `tellers.rs`, `holding.rs`, `poison.rs` and
//! `exchange.rs`; the widgets in `view.rs`.

use crate::exchange::{Exchange, Replies};
use crate::holding::{COMPUTE, PAUSE, Reader, Worker};
use crate::tellers::Order;
use crate::threads::Threads;
use crate::view::View;
use gtk::prelude::*;
use lesson_kit::{About, Lesson, Stage};
use static_assertions::assert_not_impl_any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The fewest rounds a hold-the-lock run has, however short `--work-ms`.
const MIN_ROUNDS: u32 = 3;

pub struct Locks {
    app: Rc<App>,
    /// The widgets, as anyone looking at the window sees them.
    pub view: View,
}

/// The main thread's side: the widgets, the pool and the threads.
pub struct App {
    pub view: View,
    /// One thread for the one-off jobs; `None` once shut down.
    pub pool: RefCell<Option<glib::ThreadPool>>,
    pub threads: Threads,
    /// Set at shutdown: the tellers and the model's worker look at it.
    pub stop: Arc<AtomicBool>,
    /// The exchange under way, for the shutdown to cut.
    pub exchange: RefCell<Option<Arc<Exchange>>>,
    /// Rounds of a hold-the-lock run.
    pub rounds: u32,
    busy: Cell<bool>,
}

// Widgets cannot leave the main thread, so neither can what holds them.
assert_not_impl_any!(App: Send, Sync);

#[derive(Debug, Clone, Copy)]
pub enum Demo {
    Count,
    Tellers(Order),
    Hold(Worker, Reader),
    Poison,
    Exchange(Replies),
}

impl Demo {
    /// What the demo does, for the status line.
    fn what(self) -> &'static str {
        use {Reader::*, Worker::*};
        match self {
            Self::Count => "Two threads count, on each kind of counter.",
            Self::Tellers(Order::Opposite) => {
                "Teller 1 locks A then B, teller 2 B then A."
            }
            Self::Tellers(Order::Same) => "Both tellers lock A, then B.",
            Self::Hold(ComputeUnderLock, TryLock) => {
                "The worker computes under the lock; the window try_locks."
            }
            Self::Hold(ComputeUnderLock, Lock) => {
                "The worker computes under the lock; the window waits in \
                 lock()."
            }
            Self::Hold(CopyThenCompute, _) => {
                "The worker copies under the lock, then computes without it."
            }
            Self::Poison => "A job panics while it holds the lock.",
            Self::Exchange(Replies::Bounded) => {
                "Requests and replies, both on bounded channels."
            }
            Self::Exchange(Replies::Unbounded) => {
                "Requests bounded, replies unbounded."
            }
        }
    }
}

impl App {
    /// Runs one demo at a time; the buttons are greyed out meanwhile.
    fn launch(self: &Rc<Self>, demo: Demo) {
        if self.busy.replace(true) {
            return;
        }
        self.set_buttons_sensitive(false);
        self.view.window.set_status(demo.what());
        glib::spawn_future_local(glib::clone!(
            #[strong(rename_to = app)]
            self,
            async move {
                if let Err(message) = app.run(demo).await {
                    let failed = format!("{demo:?} failed: {message}");
                    app.view.window.set_status(&failed);
                }
                app.busy.set(false);
                app.set_buttons_sensitive(true);
            }
        ));
    }

    fn set_buttons_sensitive(&self, sensitive: bool) {
        for button in self.view.buttons() {
            button.set_sensitive(sensitive);
        }
    }
}

impl Lesson for Locks {
    const ABOUT: About = About {
        id: env!("CARGO_PKG_NAME"),
        title: env!("CARGO_PKG_DESCRIPTION"),
        summary: "Two threads count on a Mutex, an RwLock and an atomic; two \
                  tellers take two locks in opposite orders and deadlock \
                  until a watchdog breaks it, then in one order; a worker \
                  computes under the lock the window reads, or copies first; \
                  a job panics under a lock; two threads deadlock on bounded \
                  channels. --work-ms sets how long each hold-the-lock run \
                  lasts (default 2000 ms).",
        default_work: Duration::from_secs(2),
    };

    fn build(stage: &Stage) -> Self {
        let view = View::new(&stage.window);
        let round = (COMPUTE + PAUSE).as_millis();
        let rounds = stage.options.work.as_millis() / round;
        let pool = glib::ThreadPool::exclusive(1)
            .expect("the system refused to start a thread pool");
        let app = Rc::new(App {
            view: view.clone(),
            pool: RefCell::new(Some(pool)),
            threads: Threads::default(),
            stop: Arc::default(),
            exchange: RefCell::default(),
            rounds: u32::try_from(rounds).unwrap_or(u32::MAX).max(MIN_ROUNDS),
            busy: Cell::new(false),
        });
        let demos = [
            (&view.count, Demo::Count),
            (&view.opposite, Demo::Tellers(Order::Opposite)),
            (&view.same, Demo::Tellers(Order::Same)),
            (
                &view.under_lock,
                Demo::Hold(Worker::ComputeUnderLock, Reader::TryLock),
            ),
            (
                &view.window_waits,
                Demo::Hold(Worker::ComputeUnderLock, Reader::Lock),
            ),
            (
                &view.copy_first,
                Demo::Hold(Worker::CopyThenCompute, Reader::TryLock),
            ),
            (&view.panic, Demo::Poison),
            (&view.both_block, Demo::Exchange(Replies::Bounded)),
            (&view.unbounded, Demo::Exchange(Replies::Unbounded)),
        ];
        for (button, demo) in demos {
            button.connect_clicked(glib::clone!(
                #[weak]
                app,
                move |_| app.launch(demo)
            ));
        }
        Self { app, view }
    }

    // ANCHOR: shutdown
    fn shutdown(&self) -> Result<(), String> {
        // The tellers look at the flag between two tries of a lock, the
        // model's worker every 10 ms.
        self.app.stop.store(true, Ordering::Release);
        // Closing the exchange's channels ends its threads' waits.
        if let Some(exchange) = self.app.exchange.take() {
            exchange.cut();
        }
        // Freeing the pool waits for the job it runs (milliseconds).
        drop(self.app.pool.take());
        self.app.threads.join_all()
    }
    // ANCHOR_END: shutdown
}
