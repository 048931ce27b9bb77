//! What lesson 05's autopilot reports besides the common fields: the costs, the aliasing runs
//! and the lock-ordering runs, each field documented, so the JSON explains itself.

use crate::aliasing::Summary;
use crate::costs::CostFigures;
use crate::locks::Phase;
use serde::Serialize;

/// One run of the aliasing demo.
#[derive(Serialize)]
pub struct AliasFindings {
    /// Batch 1 as the worker sent it.
    pub at_send: Summary,
    /// Batch 1 as the window displayed it once the worker had written batch 2.
    pub displayed: Summary,
    /// How many different contents the window's repaints showed for this one batch: 1 if it
    /// stayed what was sent.
    pub versions_seen: usize,
    /// What preparing the handoff cost the worker, in microseconds: the copy, for a clone.
    pub handoff_us: f64,
}

/// One run of the two tellers.
#[derive(Serialize)]
pub struct LockFindings {
    /// Transfers asked of both tellers together.
    pub transfers_asked: u32,
    /// Transfers they made.
    pub transfers_done: u32,
    /// From starting the tellers to both having ended.
    pub run_ms: f64,
    /// When the watchdog called a deadlock, from the start; absent if it never did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadlock_detected_at_ms: Option<f64>,
    /// Where each teller was when the watchdog called the deadlock; absent if it never did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phases_when_detected: Option<[Phase; 2]>,
    /// How each teller ended.
    pub endings: [Phase; 2],
    /// The balances of accounts A and B at the end.
    pub balances: [i64; 2],
    /// A and B still hold what they opened with between them: no transfer was torn.
    pub balances_conserved: bool,
    /// Both teller threads ended and were joined at the end of the run.
    pub tellers_joined: bool,
}

/// What lesson 05 reports besides the common fields. `work.wall_ms` is the six demos in a row,
/// from the first press to the last demo's end; the heartbeat covers the same stretch.
#[derive(Serialize)]
pub struct Details {
    /// The costs of each way to hand over the table (flattened: `clone_ms`, ...).
    #[serde(flatten)]
    pub costs: CostFigures,
    /// With a shared `Arc<Mutex<Vec<u64>>>`, the window displayed something other than what
    /// the worker sent.
    pub aliasing_bug_observed: bool,
    /// With a copy taken under the lock, it displayed what was sent.
    pub aliasing_fixed_by_clone: bool,
    /// With the buffer moved out of the mutex, it displayed what was sent.
    pub aliasing_fixed_by_move: bool,
    /// **Share the buffer (bug)**: the window got an `Arc` clone of the worker's buffer.
    pub shared_buffer: AliasFindings,
    /// **Send a clone**: the window got a copy of the buffer, taken under its lock.
    pub clone_under_lock: AliasFindings,
    /// **Send by move**: the window got the buffer itself, taken out of the mutex.
    pub moved_out: AliasFindings,
    /// With locks taken in opposite orders, the watchdog saw both tellers wait with no
    /// progress, and had them back off.
    pub deadlock_detected: bool,
    /// When, from the start of that run.
    pub deadlock_detected_after_ms: Option<f64>,
    /// With both locks taken in one order, every transfer was made and no deadlock was seen.
    pub ordered_locking_finished: bool,
    /// **Opposite orders**: teller 1 locks A then B, teller 2 B then A.
    pub opposite_orders: LockFindings,
    /// **Same order**: both lock A then B.
    pub same_order: LockFindings,
    /// When the scenario ended, and the kit closed the window, two tellers were deadlocked:
    /// the shutdown had to end them.
    pub deadlocked_at_close: bool,
}
