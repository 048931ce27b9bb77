//! What each button runs, on the main loop. The threads do the work; the
//! main loop starts them, watches them without ever waiting for one of
//! their locks, and shows what they did.

use crate::counters::{self, OPS};
use crate::exchange::{self, REQUESTS, Replies};
use crate::holding::{self, COMPUTE, LOCKED, Model, PAUSE, Reader, Worker};
use crate::pattern::{App, Demo};
use crate::poison::{self, Book, Recovery};
use crate::tellers::{self, Order, TELLERS, TRANSFERS};
use crate::watchdog::{LOOK_EVERY, Seen, Verdict, Watchdog};
use gtk::prelude::*;
use std::cell::RefCell;
use std::sync::{Arc, Mutex};
use std::thread;
use std::time::Duration;

/// How long a thread may take to end once it said it was done.
const JOIN_PATIENCE: Duration = Duration::from_secs(5);
/// What an outcome line says when the watchdog calls a deadlock.
pub const DEADLOCK: &str = "Deadlock";

impl App {
    pub async fn run(&self, demo: Demo) -> Result<(), String> {
        match demo {
            Demo::Count => self.count().await,
            Demo::Tellers(order) => self.tellers(order).await,
            Demo::Hold(worker, reader) => self.hold(worker, reader).await,
            Demo::Poison => self.poison().await,
            Demo::Exchange(replies) => self.exchange(replies).await,
        }
    }

    /// Queues `job` on the pool; its future gives what the job returned, or
    /// its panic.
    fn on_pool<T, F>(
        &self,
        job: F,
    ) -> Result<impl Future<Output = thread::Result<T>> + use<T, F>, String>
    where
        T: Send + 'static,
        F: FnOnce() -> T + Send + 'static,
    {
        match &*self.pool.borrow() {
            Some(pool) => pool.push_future(job).map_err(|e| e.to_string()),
            None => Err("the lesson is shutting down".into()),
        }
    }

    async fn count(&self) -> Result<(), String> {
        let job = self.on_pool(|| counters::contended(OPS))?;
        let counts = job.await.map_err(|_| "the counting job panicked")?;
        self.view.show_counts(&counts);
        Ok(())
    }

    // ANCHOR: tellers
    async fn tellers(&self, order: Order) -> Result<(), String> {
        let (bank, tellers) = tellers::start(order, self.stop.clone())
            .map_err(|e| e.to_string())?;
        for teller in tellers {
            self.threads.add(teller);
        }
        let show = || {
            for (who, line) in self.view.tellers.iter().enumerate() {
                line.set_label(&bank.describe(who));
            }
        };
        let outcome = &self.view.tellers_outcome;
        let deadlock = watch(
            || bank.seen(),
            show,
            |quiet| {
                bank.back_off();
                outcome.set_label(&format!(
                    "{DEADLOCK}: no transfer for {} ms, both tellers waiting; \
                 told them to back off",
                    quiet.as_millis()
                ));
            },
        )
        .await;
        for name in TELLERS {
            self.threads.join(name, JOIN_PATIENCE).await?;
        }
        let ([a, b], done) = (bank.balances(), bank.transfers_done());
        outcome.set_label(&format!(
            "{}; transfers: {done} of {}; balances: A {a} + B {b}; \
             threads: joined",
            if deadlock { "deadlock broken" } else { "no deadlock" },
            2 * TRANSFERS,
        ));
        Ok(())
    }
    // ANCHOR_END: tellers

    // ANCHOR: hold
    async fn hold(&self, worker: Worker, reader: Reader) -> Result<(), String> {
        let model = Arc::new(Mutex::new(Model::new()));
        let stop = self.stop.clone();
        let thread = holding::spawn(worker, self.rounds, model.clone(), stop)
            .map_err(|e| e.to_string())?;
        self.threads.add(thread);
        // The window reads the model every frame, as a view redraws from
        // its model, and keeps what it read last.
        let (reads, last) = (model.clone(), RefCell::new(String::new()));
        let tick = self.view.reading.add_tick_callback(move |label, _| {
            match holding::read(&reads, reader) {
                Some(text) => {
                    label.set_label(&text);
                    last.replace(text);
                }
                None => label.set_label(&format!(
                    "{LOCKED}; still showing {}",
                    last.borrow()
                )),
            }
            glib::ControlFlow::Continue
        });
        let patience = (COMPUTE + PAUSE) * self.rounds * 2 + JOIN_PATIENCE;
        let ended = self.threads.join(holding::THREAD_NAME, patience).await;
        tick.remove();
        ended?;
        // The worker has ended: nobody holds the lock now.
        let last = holding::read(&model, Reader::TryLock);
        self.view.reading.set_label(&last.ok_or("still locked")?);
        Ok(())
    }
    // ANCHOR_END: hold

    async fn poison(&self) -> Result<(), String> {
        let book = Arc::new(Mutex::new(Book::new()));
        let for_job = Arc::clone(&book);
        let job = self.on_pool(move || poison::buggy_transfer(&for_job))?;
        let [job_line, found_line, repair_line] = &self.view.poison;
        job_line.set_label(&match job.await {
            Ok(()) => "the job: returned".to_owned(),
            Err(panic) => format!("the job: panicked ({})", text(&*panic)),
        });
        repair_line.set_label("");
        found_line.set_label(&match poison::recover(&book) {
            Recovery::NotPoisoned => "try_lock: Ok".to_owned(),
            Recovery::StillLocked => "try_lock: WouldBlock".to_owned(),
            Recovery::Repaired { found, repaired, lock_ok } => {
                let undone = found.pending.unwrap_or(0);
                repair_line.set_label(&format!(
                    "undone: {undone}; now: {}; lock() after clear_poison: {}",
                    accounts(&repaired),
                    if lock_ok { "Ok" } else { "Err" }
                ));
                format!("try_lock: Poisoned; found: {}", accounts(&found))
            }
        });
        Ok(())
    }

    // ANCHOR: exchange
    async fn exchange(&self, replies: Replies) -> Result<(), String> {
        let (exchange, threads) =
            exchange::start(replies).map_err(|e| e.to_string())?;
        for thread in threads {
            self.threads.add(thread);
        }
        self.exchange.replace(Some(exchange.clone()));
        let show = || {
            for (who, line) in self.view.exchange.iter().enumerate() {
                line.set_label(&exchange.describe(who));
            }
        };
        let outcome = &self.view.exchange_outcome;
        let deadlock = watch(
            || exchange.seen(),
            show,
            |quiet| {
                exchange.cut();
                outcome.set_label(&format!(
                "{DEADLOCK}: no message moved for {} ms; closed both channels",
                quiet.as_millis()
            ));
            },
        )
        .await;
        self.exchange.take();
        for name in exchange::THREADS {
            self.threads.join(name, JOIN_PATIENCE).await?;
        }
        outcome.set_label(&format!(
            "{}; requests sent: {} of {REQUESTS}; replies read: {}; \
             threads: joined",
            if deadlock { "deadlock broken" } else { "no deadlock" },
            exchange.requests_sent(),
            exchange.replies_read(),
        ));
        Ok(())
    }
    // ANCHOR_END: exchange
}

// ANCHOR: watch
/// Looks at two threads every 10 ms until both have ended, showing them
/// each time; on a deadlock, calls `break_it` once. Returns whether there
/// was one.
async fn watch(
    seen: impl Fn() -> Seen,
    show: impl Fn(),
    break_it: impl Fn(Duration),
) -> bool {
    let (mut watchdog, mut deadlock) = (Watchdog::new(), false);
    loop {
        glib::timeout_future(LOOK_EVERY).await;
        show();
        match watchdog.check(seen()) {
            Verdict::Working => {}
            Verdict::Stuck { quiet } => {
                deadlock = true;
                break_it(quiet);
            }
            Verdict::Over => break,
        }
    }
    show();
    deadlock
}
// ANCHOR_END: watch

/// "A 900 + B 1000 = 1900"
fn accounts(book: &Book) -> String {
    format!("A {} + B {} = {}", book.a, book.b, book.a + book.b)
}

/// A panic's message, if it has one.
fn text(panic: &(dyn std::any::Any + Send)) -> &str {
    panic
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| panic.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("(no message)")
}
