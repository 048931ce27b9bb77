//! Lesson 05's scenario: it presses the four demo buttons with real clicks,
//! one demo at a time, and reads what the window shows: the table of costs,
//! and, for each way of handing the batch over, what the worker sent and
//! every version of it the window showed. Last, it presses Measure the
//! costs again and ends, so that the window closes in the middle of it.

use crate::pattern::{HandingData, MEASURING};
use crate::view::{
    AliasRow, CostTable, IN_PLACE, ONCE_UNIQUE, Row, SAME, SHARED, TRAVEL,
    View, WHILE_SHARED,
};
use gtk::prelude::*;
use lesson_kit::Watch;
use lesson_kit::{Autopilot, Findings, Pilot, Pressed, ScenarioError};
use serde::Serialize;
use std::rc::Rc;
use std::time::{Duration, Instant};

impl Autopilot for HandingData {
    type Details = Details;

    async fn scenario(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let view = &self.view;
        let shown: [Watch; 3] =
            std::array::from_fn(|i| Watch::label(&view.alias[i].shown));
        let first = run_demo(&pilot, view, &view.measure).await?;
        let costs = Costs::read(&view.costs)?;
        let mut runs = Vec::new();
        let handoffs = [&view.share, &view.clone, &view.take];
        for (i, button) in handoffs.into_iter().enumerate() {
            let pressed = run_demo(&pilot, view, button).await?;
            runs.push(AliasRun::read(&view.alias[i], &shown[i], pressed.sent)?);
        }
        let span = pilot.span_since(first.sent);
        pilot.screenshot().await;

        // Last, a measurement left running: the window closes during it.
        pilot.settled(&view.measure).await?;
        pilot.press(&view.measure).await?;
        let measuring = || view.window.status().starts_with(MEASURING);
        let patience = Duration::from_secs(5);
        pilot.wait_until("the measurement", patience, measuring).await?;
        let measuring_at_close = !view.measure.is_sensitive() && measuring();
        let [shared_buffer, clone_under_lock, moved_out] =
            <[AliasRun; 3]>::try_from(runs).ok().expect("three runs");
        Ok(Findings {
            span,
            work_wall: span.to - span.from,
            details: Details {
                aliasing_bug_observed: shared_buffer.displayed
                    != shared_buffer.at_send,
                aliasing_fixed_by_clone: clone_under_lock.displayed
                    == clone_under_lock.at_send,
                aliasing_fixed_by_move: moved_out.displayed
                    == moved_out.at_send,
                costs,
                shared_buffer,
                clone_under_lock,
                moved_out,
                measuring_at_close,
            },
        })
    }
}

/// Presses a demo's button once the layout has settled, and waits until
/// the buttons are back: the demo is over.
async fn run_demo(
    pilot: &Pilot,
    view: &View,
    button: &gtk::Button,
) -> Result<Pressed, ScenarioError> {
    pilot.settled(button).await?;
    let pressed = pilot.press(button).await?;
    if button.is_sensitive() {
        return Err("the press started no demo".into());
    }
    let over = || view.measure.is_sensitive();
    pilot.wait_until("the demo to end", Duration::from_secs(60), over).await?;
    let status = view.window.status();
    if status.contains("failed") {
        return Err(status.into());
    }
    Ok(pressed)
}

/// A time as the window shows it ("6.1 µs"), in milliseconds.
fn ms(label: &gtk::Label) -> Result<f64, String> {
    let text = label.label();
    let (value, unit) = text.split_once(' ').ok_or(format!("'{text}'"))?;
    let value: f64 = value.parse().map_err(|_| format!("'{text}'"))?;
    let scale = match unit {
        "ns" => 1e-6,
        "µs" => 1e-3,
        "ms" => 1.0,
        _ => return Err(format!("'{text}': unit")),
    };
    // What the window shows has three significant digits at most.
    Ok((value * scale * 1e9).round() / 1e9)
}

/// The answer to `what` in a cell of `what: answer` pairs.
fn answer(label: &gtk::Label, what: &str) -> Result<String, String> {
    let text = label.label();
    let mut pairs = text.split("; ").filter_map(|pair| pair.split_once(": "));
    let found = pairs.find(|(name, _)| *name == what);
    found.map(|(_, answer)| answer.to_owned()).ok_or(format!("'{what}'"))
}

/// A number the window shows first in a cell ("24", "10002432 bytes").
fn number(text: &str) -> Result<f64, String> {
    let first = text.split(' ').next().unwrap_or_default();
    first.trim_end_matches(',').parse().map_err(|_| format!("'{text}'"))
}

impl Costs {
    fn read(table: &CostTable) -> Result<Self, String> {
        let size = table.size.large.label();
        let rows = size.split(", ").nth(1).ok_or("no rows")?;
        let pair =
            |row: &Row| Ok::<_, String>((ms(&row.large)?, ms(&row.small)?));
        let (move_round_trip_ms, move_round_trip_small_ms) =
            pair(&table.round_trip)?;
        let (send_to_ui_ms, send_to_ui_small_ms) = pair(&table.to_window)?;
        let (clone_ms, clone_small_ms) = pair(&table.clone)?;
        let (drop_on_worker_ms, drop_on_worker_small_ms) = pair(&table.drop)?;
        let (arc_clone_ns, arc_clone_small_ns) = pair(&table.arc_clone)?;
        // `Some` for either table is a `&mut` to what is shared.
        let get_mut = |when| {
            let [large, small] = [&table.get_mut.large, &table.get_mut.small]
                .map(|cell| answer(cell, when).map(|answer| answer == "Some"));
            Ok::<_, String>((large?, small?))
        };
        let (shared_large, shared_small) = get_mut(WHILE_SHARED)?;
        let (unique_large, unique_small) = get_mut(ONCE_UNIQUE)?;
        Ok(Self {
            payload_bytes: number(&size)?,
            payload_rows: number(rows)?,
            moved_bytes: number(&answer(&table.size.checked, TRAVEL)?)?,
            move_round_trip_ms,
            move_round_trip_small_ms,
            moved_without_copy: answer(&table.round_trip.checked, IN_PLACE)?
                == "yes",
            send_to_ui_ms,
            send_to_ui_small_ms,
            clone_ms,
            clone_small_ms,
            clone_is_deep: answer(&table.clone.checked, SHARED)? == "none",
            drop_on_worker_ms,
            drop_on_worker_small_ms,
            arc_clone_ns: (arc_clone_ns * 1e7).round() / 10.0,
            arc_clone_small_ns: (arc_clone_small_ns * 1e7).round() / 10.0,
            arc_worker_read_same_rows: answer(&table.arc_clone.checked, SAME)?
                == "yes",
            arc_mutable_while_shared: shared_large || shared_small,
            arc_mutable_when_unique: unique_large && unique_small,
        })
    }
}

impl AliasRun {
    /// One run, read from its row: what the worker sent, and every version
    /// of the batch the window showed after `pressed`.
    fn read(
        row: &AliasRow,
        shown: &Watch,
        pressed: Instant,
    ) -> Result<Self, String> {
        let versions = shown.since(pressed);
        let last = versions.last().ok_or("the window showed no batch")?;
        Ok(Self {
            at_send: Batch::parse(&row.sent.label())?,
            displayed: Batch::parse(&last.1)?,
            versions_seen: versions.len(),
            handoff_us: (ms(&row.took)? * 1e4).round() / 10.0,
        })
    }
}

impl Batch {
    /// "batch 1: 10000 readings from 1000000, sum 10049995000"
    fn parse(text: &str) -> Result<Self, String> {
        let bad = || format!("not a batch: '{text}'");
        let words: Vec<&str> = text.split([' ', ':', ',']).collect();
        let at = |i: usize| words.get(i).and_then(|w| w.parse().ok());
        let (Some(len), Some(first), Some(sum)) = (at(3), at(6), at(9)) else {
            return Err(bad());
        };
        Ok(Self { len, first, sum })
    }
}

// ANCHOR: details
/// What lesson 05 reports besides the common fields. `work.wall_ms` is the
/// four demos in a row, from the first press to the last demo's end; the
/// heartbeat and the frames cover the same stretch.
#[derive(Serialize)]
pub struct Details {
    /// The table of costs, as the window showed it (flattened: `clone_ms`,
    /// ...).
    #[serde(flatten)]
    costs: Costs,
    /// With a shared `Arc<Mutex<Vec<u64>>>`, the window showed something
    /// other than what the worker sent.
    aliasing_bug_observed: bool,
    /// With a copy taken under the lock, it showed what was sent.
    aliasing_fixed_by_clone: bool,
    /// With the buffer moved out of the mutex, it showed what was sent.
    aliasing_fixed_by_move: bool,
    /// **Share the buffer (bug)**: the window got an `Arc` clone of the
    /// worker's buffer.
    shared_buffer: AliasRun,
    /// **Send a clone**: a copy of the buffer, taken under its lock.
    clone_under_lock: AliasRun,
    /// **Send by move**: the buffer itself, taken out of the mutex.
    moved_out: AliasRun,
    /// When the scenario ended and the window was closed, a measurement
    /// was running: the buttons greyed out, the status saying so.
    measuring_at_close: bool,
}

/// The window's table of costs. Times are medians of a few tries, for the
/// large table and for a table of one row (`_small`).
#[derive(Serialize)]
struct Costs {
    /// The large table's size: 10 MB for each second of `--work-ms`, in
    /// whole rows of 8 KiB.
    payload_bytes: f64,
    payload_rows: f64,
    /// What travels when a table moves, whatever its size.
    moved_bytes: f64,
    /// From handing the table to a pool job to its coming back on the main
    /// loop: two moves, two thread hops.
    move_round_trip_ms: f64,
    move_round_trip_small_ms: f64,
    /// After every round trip the rows were where they started.
    moved_without_copy: bool,
    /// From a pool job's sending the table to the main loop's receiving it.
    send_to_ui_ms: f64,
    send_to_ui_small_ms: f64,
    /// `table.clone()`, on a pool thread.
    clone_ms: f64,
    clone_small_ms: f64,
    /// No row of any copy shared memory with the original.
    clone_is_deep: bool,
    /// Dropping the table, on a pool thread.
    drop_on_worker_ms: f64,
    drop_on_worker_small_ms: f64,
    /// One `Arc::clone` on the main loop: an atomic increment.
    arc_clone_ns: f64,
    arc_clone_small_ns: f64,
    /// A pool job given an `Arc` clone read the rows the main loop holds.
    arc_worker_read_same_rows: bool,
    /// `Arc::get_mut` gave `Some` while the job's clone existed (for
    /// either table): `false`, it gave `None`.
    arc_mutable_while_shared: bool,
    /// `Arc::get_mut` gave `Some` once the job had dropped its clone (for
    /// both tables).
    arc_mutable_when_unique: bool,
}

/// One run of the aliasing worker.
#[derive(Serialize)]
struct AliasRun {
    /// Batch 1 as the worker sent it.
    at_send: Batch,
    /// The batch as the window showed it once the worker had written batch
    /// 2.
    displayed: Batch,
    /// How many different contents the window showed for this one batch: 1
    /// if it stayed what was sent.
    versions_seen: usize,
    /// What preparing the handoff cost the worker, in microseconds: the
    /// copy, for a clone.
    handoff_us: f64,
}

/// A batch as the window shows it.
#[derive(Serialize, PartialEq)]
struct Batch {
    len: u64,
    /// Batch `n`'s readings start at `n` million.
    first: u64,
    sum: u64,
}
// ANCHOR_END: details
