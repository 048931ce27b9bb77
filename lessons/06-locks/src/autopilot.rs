//! Lesson 06's scenario: it presses every demo's button with real clicks,
//! one demo at a time, and reads what the window shows: the counters, the
//! tellers' lines and the watchdog's verdict, the model as the window read
//! it each frame, the three lines of the panic, the exchange's lines. The
//! kit's probes measure the main loop and the frames meanwhile. Last, it
//! deadlocks the tellers once more and ends, so that the window closes in
//! the middle of the deadlock.

mod read;

use crate::holding::COMPUTE;
use crate::pattern::Locks;
use crate::view::View;
use gtk::prelude::*;
use lesson_kit::Watch;
use lesson_kit::{Autopilot, Findings, Pilot, Pressed, ScenarioError, ms};
use read::{Counters, ExchangeRun, HoldRun, PoisonRun, TellerRun};
use serde::Serialize;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long any one demo may take.
const PATIENCE: Duration = Duration::from_secs(60);

impl Autopilot for Locks {
    type Details = Details;

    async fn scenario(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let view = &self.view;
        let seen = Seen::watch(view);
        let (first, _) = run_demo(&pilot, view, &view.count).await?;
        let counters = Counters::read(view)?;
        let run = run_demo(&pilot, view, &view.opposite).await?;
        let opposite_orders = TellerRun::read(view, &seen, run)?;
        let run = run_demo(&pilot, view, &view.same).await?;
        let same_order = TellerRun::read(view, &seen, run)?;
        let run = run_demo(&pilot, view, &view.under_lock).await?;
        let compute_under_lock = HoldRun::read(&pilot, &seen.reading, run);
        let run = run_demo(&pilot, view, &view.copy_first).await?;
        let copy_then_compute = HoldRun::read(&pilot, &seen.reading, run);
        run_demo(&pilot, view, &view.panic).await?;
        let poison = PoisonRun::read(view)?;
        let run = run_demo(&pilot, view, &view.both_block).await?;
        let both_block = ExchangeRun::read(view, &seen, run)?;
        let run = run_demo(&pilot, view, &view.unbounded).await?;
        let replies_unbounded = ExchangeRun::read(view, &seen, run)?;
        // The window stayed free until here; the next run blocks it.
        let span = pilot.span_since(first.sent);
        let run = run_demo(&pilot, view, &view.window_waits).await?;
        let window_waits = HoldRun::read(&pilot, &seen.reading, run);
        pilot.screenshot().await;

        // Last, a deadlock left in place: the window closes in the middle
        // of it, and the shutdown must still end both tellers.
        pilot.settled(&view.opposite).await?;
        pilot.press(&view.opposite).await?;
        let deadlocked = || {
            view.tellers.iter().all(|line| line.label().contains("waits for"))
                && view
                    .tellers
                    .iter()
                    .all(|line| line.label().contains("holds"))
        };
        let patience = Duration::from_secs(5);
        pilot
            .wait_until("the tellers to deadlock", patience, deadlocked)
            .await?;
        Ok(Findings {
            span,
            work_wall: span.to - span.from,
            details: Details {
                no_lost_updates: counters.lost_none(),
                counters,
                deadlock_detected: opposite_orders.deadlock_found(),
                deadlock_detected_after_ms: opposite_orders
                    .deadlock_detected_at_ms,
                ordered_locking_finished: same_order.finished_all(),
                opposite_orders,
                same_order,
                compute_ms: ms(COMPUTE),
                compute_under_lock,
                copy_then_compute,
                window_waits,
                poison,
                message_deadlock_detected: both_block.deadlock_found(),
                both_block,
                replies_unbounded,
                deadlocked_at_close: deadlocked(),
            },
        })
    }
}

/// The labels the scenario follows from the start.
pub struct Seen {
    pub tellers: [Watch; 2],
    pub tellers_outcome: Watch,
    pub reading: Watch,
    pub exchange: [Watch; 2],
    pub exchange_outcome: Watch,
}

impl Seen {
    fn watch(view: &View) -> Self {
        Self {
            tellers: view.tellers.each_ref().map(Watch::label),
            tellers_outcome: Watch::label(&view.tellers_outcome),
            reading: Watch::label(&view.reading),
            exchange: view.exchange.each_ref().map(Watch::label),
            exchange_outcome: Watch::label(&view.exchange_outcome),
        }
    }
}

/// Presses a demo's button once the layout has settled, and waits until
/// the buttons are back: the demo is over then.
async fn run_demo(
    pilot: &Pilot,
    view: &View,
    button: &gtk::Button,
) -> Result<(Pressed, Instant), ScenarioError> {
    pilot.settled(button).await?;
    let pressed = pilot.press(button).await?;
    if button.is_sensitive() {
        return Err("the press started no demo".into());
    }
    let over = || view.count.is_sensitive();
    pilot.wait_until("the demo to end", PATIENCE, over).await?;
    let ended = Instant::now();
    let status = view.window.status();
    if status.contains("failed") {
        return Err(status.into());
    }
    Ok((pressed, ended))
}

// ANCHOR: details
/// What lesson 06 reports besides the common fields. `work.wall_ms` is
/// every demo but the one whose window waits on `lock()`, from the first
/// press to the last demo's end; the heartbeat and the frames cover the
/// same stretch. That demo is measured on its own, in `window_waits`.
#[derive(Serialize)]
pub struct Details {
    /// **Count**: two threads at one counter of each kind (flattened).
    #[serde(flatten)]
    counters: Counters,
    /// The `Mutex` and the atomic counted every increment, and the
    /// `RwLock`'s readers read every value.
    no_lost_updates: bool,
    /// With locks taken in opposite orders, the watchdog saw both tellers
    /// wait with no progress, and had them back off.
    deadlock_detected: bool,
    /// When the window showed it, from the press on **Opposite orders**.
    deadlock_detected_after_ms: Option<f64>,
    /// With both locks taken in one order, every transfer was made and no
    /// deadlock was seen.
    ordered_locking_finished: bool,
    /// **Opposite orders**: teller 1 locks A then B, teller 2 B then A.
    opposite_orders: TellerRun,
    /// **Same order**: both lock A then B.
    same_order: TellerRun,
    /// How long one computation of the model's worker takes.
    compute_ms: f64,
    /// **Compute under the lock**: the window reads with `try_lock`.
    compute_under_lock: HoldRun,
    /// **Copy, then compute**: the same, with the lock for the data only.
    copy_then_compute: HoldRun,
    /// **...and lock() in the window**: computed under the lock, and the
    /// window waits for it with `lock()`.
    window_waits: HoldRun,
    /// **Panic under the lock**.
    poison: PoisonRun,
    /// With bounded channels both ways, the watchdog saw both threads
    /// stuck, and closed the channels.
    message_deadlock_detected: bool,
    /// **Both block**: requests and replies on bounded channels.
    both_block: ExchangeRun,
    /// **Replies unbounded**: the replies' channel never makes the server
    /// wait.
    replies_unbounded: ExchangeRun,
    /// When the scenario ended and the window was closed, both tellers
    /// held one lock and waited for the other's: the shutdown had to end
    /// them.
    deadlocked_at_close: bool,
}
// ANCHOR_END: details
