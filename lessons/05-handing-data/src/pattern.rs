//! Lesson 05 put together. Measure the costs hands a large table to a pool
//! thread by move, by `Clone` and behind an `Arc` (`costs.rs`, the table in
//! `table.rs`); three buttons replay the aliasing bug and its two fixes
//! (`aliasing.rs`). The widgets are in `view.rs`.

use crate::aliasing::{self, Handoff, Message};
use crate::costs::{self, Pool};
use crate::threads::Threads;
use crate::view::{View, human};
use async_channel::TryRecvError;
use gtk::prelude::*;
use lesson_kit::{About, Lesson, Stage};
use static_assertions::assert_not_impl_any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// The table grows with `--work-ms`: 10 MB for each second, 50 MB by
/// default...
const BYTES_PER_SECOND: f64 = 10_000_000.0;
/// ...within these bounds.
const BYTES: std::ops::RangeInclusive<usize> = 1_000_000..=200_000_000;
/// How often the window redraws the batch it was sent.
const REDRAW: Duration = Duration::from_millis(5);
/// How long the aliasing worker may take to end once it said it was done.
const JOIN_PATIENCE: Duration = Duration::from_secs(5);
/// The status line while the costs are measured.
pub const MEASURING: &str = "Measuring";

pub struct HandingData {
    app: Rc<App>,
    /// The widgets, as anyone looking at the window sees them.
    pub view: View,
}

/// The main thread's side: the widgets, the pool and the threads.
struct App {
    view: View,
    pool: Pool,
    threads: Threads,
    /// Set at shutdown: the aliasing worker looks at it between two steps.
    stop: Arc<AtomicBool>,
    table_bytes: usize,
    busy: Cell<bool>,
}

// Widgets cannot leave the main thread, so neither can what holds them.
assert_not_impl_any!(App: Send, Sync);

#[derive(Debug, Clone, Copy)]
enum Demo {
    Costs,
    Alias(Handoff),
}

impl App {
    /// Runs one demo at a time; the buttons are greyed out meanwhile.
    fn launch(self: &Rc<Self>, demo: Demo) {
        if self.busy.replace(true) {
            return;
        }
        self.set_buttons_sensitive(false);
        glib::spawn_future_local(glib::clone!(
            #[strong(rename_to = app)]
            self,
            async move {
                let outcome = match demo {
                    Demo::Costs => app.measure_costs().await,
                    Demo::Alias(handoff) => app.alias(handoff).await,
                };
                if let Err(message) = outcome {
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

    async fn measure_costs(&self) -> Result<(), String> {
        let mb = self.table_bytes / 1_000_000;
        self.view.window.set_status(&format!(
            "{MEASURING}: a pool thread builds a table of {mb} MB..."
        ));
        let figures = costs::measure(&self.pool, self.table_bytes).await?;
        self.view.show_costs(&figures);
        self.view.window.set_status(&format!(
            "Measured: moving {mb} MB there and back took {}; copying it, {}.",
            human(figures.round_trip.large),
            human(figures.clone.large),
        ));
        Ok(())
    }

    // ANCHOR: alias
    /// Starts a worker that hands the window batch 1 as `handoff` says, and
    /// shows that batch until the worker is done writing batch 2, redrawing
    /// it every few milliseconds as a view redraws its model.
    async fn alias(&self, handoff: Handoff) -> Result<(), String> {
        let row = &self.view.alias[handoff as usize];
        let (thread, messages) = aliasing::spawn(handoff, self.stop.clone())
            .map_err(|e| e.to_string())?;
        self.threads.add(thread);
        let Ok(Message::Sent { readings, at_send, took }) =
            messages.recv().await
        else {
            return Err("the worker sent no batch".into());
        };
        row.took.set_label(&human(took));
        row.sent.set_label(&at_send.to_string());
        loop {
            // A label set to the text it has already does not change.
            row.shown.set_label(&readings.summary().to_string());
            match messages.try_recv() {
                Ok(Message::Done) => break,
                Err(TryRecvError::Empty) => {}
                Ok(Message::Sent { .. }) | Err(TryRecvError::Closed) => {
                    return Err("the worker ended before batch 2".into());
                }
            }
            glib::timeout_future(REDRAW).await;
        }
        row.shown.set_label(&readings.summary().to_string());
        self.threads.join(aliasing::THREAD_NAME, JOIN_PATIENCE).await
    }
    // ANCHOR_END: alias
}

impl Lesson for HandingData {
    const ABOUT: About = About {
        id: env!("CARGO_PKG_NAME"),
        title: env!("CARGO_PKG_DESCRIPTION"),
        summary: "Measure the costs hands a large table to a pool thread by \
                  move, by Clone and behind an Arc, and shows what each \
                  costs. Three more buttons replay the aliasing bug of a \
                  buffer shared behind Arc<Mutex<..>> and its two fixes. \
                  --work-ms sets the table's size: 10 MB per second (default \
                  5000 ms: 50 MB).",
        default_work: Duration::from_secs(5),
    };

    fn build(stage: &Stage) -> Self {
        let view = View::new(&stage.window);
        let seconds = stage.options.work.as_secs_f64();
        let bytes = (seconds * BYTES_PER_SECOND) as usize;
        let pool = glib::ThreadPool::exclusive(1)
            .expect("the system refused to start a thread pool");
        let app = Rc::new(App {
            view: view.clone(),
            pool: RefCell::new(Some(pool)),
            threads: Threads::default(),
            stop: Arc::default(),
            table_bytes: bytes.clamp(*BYTES.start(), *BYTES.end()),
            busy: Cell::new(false),
        });
        let demos = [
            (&view.measure, Demo::Costs),
            (&view.share, Demo::Alias(Handoff::ShareTheBuffer)),
            (&view.clone, Demo::Alias(Handoff::CloneUnderLock)),
            (&view.take, Demo::Alias(Handoff::Move)),
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
        // The aliasing worker looks at the flag between two steps.
        self.app.stop.store(true, Ordering::Release);
        // Freeing the pool waits for the job it runs (milliseconds); a
        // measurement still going finds no pool for its next job, and ends.
        drop(self.app.pool.take());
        self.app.threads.join_all()
    }
    // ANCHOR_END: shutdown
}
