//! Lesson 05: how data crosses threads, and what each way costs and rules out.
//!
//! **Measure the costs** hands a large table to pool threads by move, by `Clone` and behind an
//! `Arc`, and times contended `Mutex`, `RwLock` and atomic counters. Three buttons replay the
//! aliasing bug of the Qt tutorials (a worker goes on writing into a buffer it has shared with the
//! window) and its two fixes. Two more deadlock two threads on two locks taken in opposite orders,
//! let a watchdog detect and break it, then take the locks in one order.

mod aliasing;
mod costs;
mod locks;
mod report;
mod threads;

use aliasing::{Handoff, Message, Summary};
use async_channel::TryRecvError;
use costs::CostFigures;
use gtk::prelude::*;
use lesson_kit::{About, Findings, Lesson, LessonWindow, Pilot, ScenarioError, Stage, ms};
use locks::{Bank, Order, Phase, Verdict, Watchdog};
use report::{AliasFindings, Details, LockFindings};
use static_assertions::assert_not_impl_any;
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};
use threads::{Pool, Threads};

fn main() -> std::process::ExitCode {
    lesson_kit::run::<SharedData>()
}

/// The payload grows with `--work-ms`: 10 MB for each second, 50 MB by default.
const PAYLOAD_BYTES_PER_SECOND: f64 = 10_000_000.0;
/// ...within these bounds.
const PAYLOAD_BYTES: std::ops::RangeInclusive<usize> = 1_000_000..=200_000_000;
/// How often the window repaints a batch it was sent.
const REPAINT: Duration = Duration::from_millis(5);
/// How often the watchdog looks at the tellers.
const WATCH_EVERY: Duration = Duration::from_millis(10);
/// How long a demo's threads may take to end once they said they were done.
const JOIN_PATIENCE: Duration = Duration::from_secs(5);
/// The widths of the window's lines of text and of the table's cells, in characters.
const LINE_CHARS: i32 = 96;
const CELL_CHARS: i32 = 30;

fn payload_bytes(work: Duration) -> usize {
    let bytes = (work.as_secs_f64() * PAYLOAD_BYTES_PER_SECOND) as usize;
    bytes.clamp(*PAYLOAD_BYTES.start(), *PAYLOAD_BYTES.end())
}

struct SharedData {
    app: Rc<App>,
}

#[derive(Clone)]
struct Buttons {
    costs: gtk::Button,
    share: gtk::Button,
    clone: gtk::Button,
    take: gtk::Button,
    opposite: gtk::Button,
    same: gtk::Button,
}

impl Buttons {
    fn all(&self) -> [&gtk::Button; 6] {
        [&self.costs, &self.share, &self.clone, &self.take, &self.opposite, &self.same]
    }
}

/// The main thread's side: the widgets, the pool and threads it started, and what the demos
/// found.
struct App {
    view: View,
    pool: Pool,
    threads: Threads,
    /// Set at shutdown: the aliasing worker and the tellers look at it and end.
    stop: Arc<AtomicBool>,
    payload_bytes: usize,
    busy: Cell<bool>,
    results: RefCell<Results>,
    /// The tellers of the last lock demo, for the autopilot to look at.
    bank: RefCell<Option<Arc<Bank>>>,
}

// Widgets cannot leave the main thread, so neither can anything that holds them.
assert_not_impl_any!(App: Send, Sync);

#[derive(Default)]
struct Results {
    costs: Option<CostFigures>,
    shared_buffer: Option<AliasFindings>,
    clone_under_lock: Option<AliasFindings>,
    moved_out: Option<AliasFindings>,
    opposite_orders: Option<LockFindings>,
    same_order: Option<LockFindings>,
    failure: Option<String>,
}

struct View {
    window: LessonWindow,
    buttons: Buttons,
    costs: [gtk::Label; 4],
    alias: [gtk::Label; 3],
    tellers: [gtk::Label; 2],
    locks: [gtk::Label; 2],
}

/// A demo one of the buttons starts.
#[derive(Debug, Clone, Copy)]
enum Demo {
    Costs,
    Alias(Handoff),
    Locks(Order),
}

impl App {
    fn launch(self: &Rc<Self>, demo: Demo) {
        if self.busy.replace(true) {
            return;
        }
        self.view.set_buttons_sensitive(false);
        glib::spawn_future_local(glib::clone!(
            #[strong(rename_to = app)]
            self,
            async move {
                let outcome = match demo {
                    Demo::Costs => app.measure_costs().await,
                    Demo::Alias(handoff) => app.alias(handoff).await,
                    Demo::Locks(order) => app.locks(order).await,
                };
                if let Err(message) = outcome {
                    app.view.window.set_status(&format!("{demo:?} failed: {message}"));
                    app.results.borrow_mut().failure = Some(format!("{demo:?}: {message}"));
                }
                app.busy.set(false);
                app.view.set_buttons_sensitive(true);
            }
        ));
    }

    async fn measure_costs(&self) -> Result<(), String> {
        self.view.window.set_status(&format!(
            "Measuring: a pool thread builds a table of {} MB...",
            self.payload_bytes / 1_000_000
        ));
        let figures = costs::measure(&self.pool, self.payload_bytes, |way, text| {
            self.view.costs[way as usize].set_label(&text);
        })
        .await?;
        self.view.window.set_status(&format!(
            "Measured. Moving {} MB cost {:.2} ms there and back; copying it, {:.1} ms.",
            figures.payload_bytes / 1_000_000,
            figures.move_round_trip_ms,
            figures.clone_ms
        ));
        self.results.borrow_mut().costs = Some(figures);
        Ok(())
    }

    // ANCHOR: alias
    /// Starts a worker that hands the window batch 1 as `handoff` says, and displays that batch
    /// until the worker is done writing batch 2, repainting it every few milliseconds as a view
    /// redraws its model.
    async fn alias(&self, handoff: Handoff) -> Result<(), String> {
        let label = &self.view.alias[handoff as usize];
        let (thread, messages) =
            aliasing::spawn(handoff, self.stop.clone()).map_err(|e| e.to_string())?;
        self.threads.add(thread);
        let Ok(Message::Sent { readings, at_send, handoff_took }) = messages.recv().await else {
            return Err("the worker sent no batch".into());
        };
        let mut versions = vec![readings.summary()];
        loop {
            match messages.try_recv() {
                Ok(Message::Done) => break,
                Err(TryRecvError::Empty) => {}
                Ok(Message::Sent { .. }) | Err(TryRecvError::Closed) => {
                    return Err("the worker ended without finishing batch 2".into());
                }
            }
            glib::timeout_future(REPAINT).await;
            let now = readings.summary();
            if versions.last() != Some(&now) {
                versions.push(now);
            }
            label.set_label(&describe_batch(handoff, &at_send, &now, versions.len()));
        }
        let displayed = readings.summary();
        label.set_label(&describe_batch(handoff, &at_send, &displayed, versions.len()));
        self.threads.join(aliasing::THREAD_NAME, JOIN_PATIENCE).await?;

        let findings = AliasFindings {
            at_send,
            displayed,
            versions_seen: versions.len(),
            handoff_us: (handoff_took.as_secs_f64() * 1e7).round() / 10.0,
        };
        let mut results = self.results.borrow_mut();
        let slot = match handoff {
            Handoff::ShareTheBuffer => &mut results.shared_buffer,
            Handoff::CloneUnderLock => &mut results.clone_under_lock,
            Handoff::Move => &mut results.moved_out,
        };
        *slot = Some(findings);
        Ok(())
    }
    // ANCHOR_END: alias

    // ANCHOR: locks
    /// Starts the two tellers and watches them from the main loop until both have ended.
    async fn locks(&self, order: Order) -> Result<(), String> {
        let (bank, tellers) = locks::start(order, self.stop.clone()).map_err(|e| e.to_string())?;
        for teller in tellers {
            self.threads.add(teller);
        }
        *self.bank.borrow_mut() = Some(bank.clone());
        let started = Instant::now();
        let mut watchdog = Watchdog::new(bank.clone());
        let mut detected = None;
        loop {
            glib::timeout_future(WATCH_EVERY).await;
            self.view.show_tellers(&bank);
            match watchdog.check() {
                Verdict::Working => {}
                Verdict::Stuck(stuck) => {
                    detected = Some((started.elapsed(), stuck.phases));
                    self.view.window.set_status(&format!(
                        "Deadlock: no transfer for {} ms, both tellers waiting. Told them to \
                         back off.",
                        stuck.quiet.as_millis()
                    ));
                }
                Verdict::Over => break,
            }
        }
        let run = started.elapsed();
        self.view.show_tellers(&bank);
        let mut tellers_joined = true;
        for name in locks::TELLERS {
            tellers_joined &= self.threads.join(name, JOIN_PATIENCE).await.is_ok();
        }

        let balances = bank.balances();
        let findings = LockFindings {
            transfers_asked: 2 * locks::TRANSFERS,
            transfers_done: bank.transfers_done(),
            run_ms: ms(run),
            deadlock_detected_at_ms: detected.map(|(at, _)| ms(at)),
            phases_when_detected: detected.map(|(_, phases)| phases),
            endings: bank.phases(),
            balances,
            balances_conserved: balances.iter().sum::<i64>() == 2 * locks::OPENING_BALANCE,
            tellers_joined,
        };
        let line = &self.view.locks[order as usize];
        line.set_label(&describe_lock_run(order, &findings));
        self.view.window.set_status(&describe_lock_run(order, &findings));
        let mut results = self.results.borrow_mut();
        match order {
            Order::Opposite => results.opposite_orders = Some(findings),
            Order::Same => results.same_order = Some(findings),
        }
        Ok(())
    }
    // ANCHOR_END: locks
}

fn describe_batch(handoff: Handoff, sent: &Summary, shown: &Summary, versions: usize) -> String {
    let how = match handoff {
        Handoff::ShareTheBuffer => "Shared buffer",
        Handoff::CloneUnderLock => "Clone under the lock",
        Handoff::Move => "Moved out",
    };
    let verdict = if shown == sent { "what was sent" } else { "NOT what was sent" };
    let versions =
        if versions == 1 { "1 version".to_owned() } else { format!("{versions} versions") };
    format!(
        "{how}: sent batch {}, the window shows batch {}: {verdict} ({versions} shown)",
        sent.batch(),
        shown.batch()
    )
}

fn describe_lock_run(order: Order, run: &LockFindings) -> String {
    let what = match order {
        Order::Opposite => "Opposite orders",
        Order::Same => "Same order",
    };
    let outcome = match run.deadlock_detected_at_ms {
        Some(at) => format!("deadlock detected after {at:.0} ms, both backed off"),
        None => "no deadlock".to_owned(),
    };
    format!(
        "{what}: {outcome}; {} of {} transfers in {:.0} ms; balances A {} + B {}",
        run.transfers_done, run.transfers_asked, run.run_ms, run.balances[0], run.balances[1]
    )
}

impl View {
    fn new(window: &LessonWindow) -> Self {
        let section = |title: &str| {
            let heading = gtk::Label::builder().label(title).xalign(0.0).margin_top(6).build();
            heading.add_css_class("heading");
            window.add(&heading);
        };
        let line = |text: &str| {
            let label = gtk::Label::builder()
                .label(text)
                .xalign(0.0)
                .wrap(true)
                // A minimum as well as a maximum: wrapping labels with no minimum width would
                // let the window ask for the height of a very narrow layout.
                .width_chars(LINE_CHARS)
                .max_width_chars(LINE_CHARS)
                .build();
            window.add(&label);
            label
        };

        section("Handing a large table to another thread");
        let grid = gtk::Grid::builder().column_spacing(16).row_spacing(4).build();
        let cell = |text: &str, column: i32, row: i32| {
            let label = gtk::Label::builder()
                .label(text)
                .xalign(0.0)
                .wrap(true)
                .width_chars(CELL_CHARS)
                .max_width_chars(CELL_CHARS)
                .build();
            grid.attach(&label, column, row, 1, 1);
            label
        };
        for (column, title) in ["", "cost, measured", "rules out"].into_iter().enumerate() {
            cell(title, column as i32, 0).add_css_class("dim-label");
        }
        let ways = [
            ("move", "the sender touching it after the send: a compile error"),
            ("Clone", "nothing: the copy is the receiver's own"),
            ("Arc<T>", "mutation while shared: an Arc gives out &T only"),
            ("Arc<Mutex<T>>, RwLock, atomics", "access without the lock (not deadlocks)"),
        ];
        let costs = std::array::from_fn(|i| {
            let (way, rules_out) = ways[i];
            let row = i as i32 + 1;
            cell(way, 0, row);
            cell(rules_out, 2, row);
            cell("not measured yet", 1, row)
        });
        cell("Rc<T>", 0, 5);
        cell("does not compile", 1, 5);
        cell("crossing threads at all: Rc is not Send", 2, 5);
        window.add(&grid);
        let [costs_button] = button_row(window, ["Measure the costs"]);

        section("The aliasing bug: a worker keeps writing into what it sent");
        let alias = ["Shared buffer", "Clone under the lock", "Moved out"]
            .map(|how| line(&format!("{how}: not run yet")));
        let [share, clone, take] =
            button_row(window, ["Share the buffer (bug)", "Send a clone", "Send by move"]);

        section("Lock ordering: two tellers, two accounts, two locks");
        let tellers = ["teller 1: idle", "teller 2: idle"].map(line);
        let locks = ["Opposite orders: not run yet", "Same order: not run yet"].map(line);
        let [opposite, same] = button_row(window, ["Opposite orders", "Same order"]);

        let buttons = Buttons { costs: costs_button, share, clone, take, opposite, same };
        Self { window: window.clone(), buttons, costs, alias, tellers, locks }
    }

    fn set_buttons_sensitive(&self, sensitive: bool) {
        for button in self.buttons.all() {
            button.set_sensitive(sensitive);
        }
    }

    fn show_tellers(&self, bank: &Bank) {
        for (who, label) in self.tellers.iter().enumerate() {
            label.set_label(&bank.describe(who));
        }
    }
}

/// A row of buttons under the section above it.
fn button_row<const N: usize>(window: &LessonWindow, labels: [&str; N]) -> [gtk::Button; N] {
    let row = gtk::Box::new(gtk::Orientation::Horizontal, 8);
    let buttons = labels.map(|label| {
        let button = gtk::Button::with_label(label);
        row.append(&button);
        button
    });
    window.add(&row);
    buttons
}

impl Lesson for SharedData {
    const ABOUT: About = About {
        id: "lesson-05-shared-data",
        title: "Lesson 05: shared data",
        summary: "Hands a large table to pool threads by move, by Clone and behind an Arc, and \
                  measures each; replays the aliasing bug of a buffer shared behind \
                  Arc<Mutex<..>> and its two fixes; deadlocks two threads on two locks taken in \
                  opposite orders, detects and breaks it, then takes them in one order. \
                  --work-ms sets the table's size: 10 MB per second (default 5000 ms: 50 MB).",
        default_work: Duration::from_secs(5),
    };
    type Details = Details;

    fn build(stage: &Stage) -> Self {
        let view = View::new(&stage.window);
        let buttons = view.buttons.clone();
        let app = Rc::new(App {
            view,
            pool: Pool::new(2).expect("the system refused to start a thread pool"),
            threads: Threads::default(),
            stop: Arc::default(),
            payload_bytes: payload_bytes(stage.options.work),
            busy: Cell::new(false),
            results: RefCell::default(),
            bank: RefCell::default(),
        });
        let demos = [
            (&buttons.costs, Demo::Costs),
            (&buttons.share, Demo::Alias(Handoff::ShareTheBuffer)),
            (&buttons.clone, Demo::Alias(Handoff::CloneUnderLock)),
            (&buttons.take, Demo::Alias(Handoff::Move)),
            (&buttons.opposite, Demo::Locks(Order::Opposite)),
            (&buttons.same, Demo::Locks(Order::Same)),
        ];
        for (button, demo) in demos {
            button.connect_clicked(glib::clone!(
                #[weak]
                app,
                move |_| app.launch(demo)
            ));
        }
        Self { app }
    }

    // ANCHOR: autopilot
    async fn autopilot(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let buttons = self.app.view.buttons.clone();
        let began = Instant::now();
        for button in [
            &buttons.costs,
            &buttons.share,
            &buttons.clone,
            &buttons.take,
            &buttons.opposite,
            &buttons.same,
        ] {
            self.run_demo(&pilot, button).await?;
        }
        let work_wall = began.elapsed();
        let heartbeat = pilot.heartbeat_since(began);
        pilot.screenshot().await;

        // Last, a deadlock left in place: the kit closes the window in the middle of it, and
        // the shutdown must still end both tellers and join them.
        self.press(&pilot, &buttons.opposite).await?;
        let app = &self.app;
        let deadlocked = || app.bank.borrow().as_ref().is_some_and(|bank| bank.deadlocked());
        pilot.wait_until("the tellers to deadlock", Duration::from_secs(5), deadlocked).await?;
        let deadlocked_at_close = deadlocked();

        let mut results = self.app.results.borrow_mut();
        let costs = found("the costs", &mut results.costs)?;
        let shared_buffer = found("the shared buffer", &mut results.shared_buffer)?;
        let clone_under_lock = found("the clone", &mut results.clone_under_lock)?;
        let moved_out = found("the move", &mut results.moved_out)?;
        let opposite_orders = found("opposite orders", &mut results.opposite_orders)?;
        let same_order = found("the same order", &mut results.same_order)?;
        Ok(Findings {
            heartbeat,
            work_wall,
            details: Details {
                aliasing_bug_observed: shared_buffer.displayed != shared_buffer.at_send,
                aliasing_fixed_by_clone: clone_under_lock.displayed == clone_under_lock.at_send,
                aliasing_fixed_by_move: moved_out.displayed == moved_out.at_send,
                deadlock_detected: opposite_orders.deadlock_detected_at_ms.is_some(),
                deadlock_detected_after_ms: opposite_orders.deadlock_detected_at_ms,
                ordered_locking_finished: same_order.deadlock_detected_at_ms.is_none()
                    && same_order.endings == [Phase::Finished, Phase::Finished]
                    && same_order.transfers_done == same_order.transfers_asked,
                deadlocked_at_close,
                costs,
                shared_buffer,
                clone_under_lock,
                moved_out,
                opposite_orders,
                same_order,
            },
        })
    }
    // ANCHOR_END: autopilot

    // ANCHOR: shutdown
    fn shutdown(&self) -> Result<(), String> {
        // The aliasing worker looks at this flag between two steps, the tellers between two
        // steps and between two tries of a lock.
        self.app.stop.store(true, Ordering::Release);
        // Queued jobs are cancelled, the running one is waited for (a measurement takes
        // milliseconds), and the pool's threads are joined.
        self.app.pool.shut_down(Duration::from_secs(2))?;
        self.app.threads.join_all()
    }
    // ANCHOR_END: shutdown
}

impl SharedData {
    /// Presses a demo's button and waits for the demo to end.
    async fn run_demo(&self, pilot: &Pilot, button: &gtk::Button) -> Result<(), ScenarioError> {
        self.press(pilot, button).await?;
        let app = &self.app;
        pilot.wait_until("the demo to end", Duration::from_secs(60), || !app.busy.get()).await?;
        match self.app.results.borrow_mut().failure.take() {
            Some(failure) => Err(ScenarioError(failure)),
            None => Ok(()),
        }
    }

    /// Presses a button as a user would, and only one a user could.
    async fn press(&self, pilot: &Pilot, button: &gtk::Button) -> Result<(), ScenarioError> {
        if !button.is_sensitive() {
            let label = button.label().unwrap_or_default();
            return Err(format!("the scenario pressed '{label}', which is greyed out").into());
        }
        pilot.press(button).await;
        if !self.app.busy.get() {
            return Err("the press started no demo".into());
        }
        Ok(())
    }
}

fn found<T>(what: &str, slot: &mut Option<T>) -> Result<T, ScenarioError> {
    slot.take().ok_or_else(|| ScenarioError(format!("no findings for {what}")))
}
