//! What the scenario reads off the window after each demo, and the report
//! fields it makes of it. Lines are `what: answer` pairs separated by `; `,
//! so that a person and the scenario read the same text.

use super::Seen;
use crate::exchange::REQUESTS;
use crate::holding::LOCKED;
use crate::poison::TOTAL;
use crate::runs::DEADLOCK;
use crate::view::View;
use lesson_kit::Watch;
use lesson_kit::{Pilot, Pressed, Span, ms};
use serde::Serialize;
use std::collections::BTreeSet;
use std::time::Instant;

/// A demo's press, and the moment the window showed it was over.
pub type Run = (Pressed, Instant);

/// The answer to `what` in a line of `what: answer` pairs.
fn answer(text: &str, what: &str) -> Result<String, String> {
    let mut pairs = text.split("; ").filter_map(|pair| pair.split_once(": "));
    let found = pairs.find(|(name, _)| *name == what);
    let missing = || format!("no '{what}' in '{text}'");
    found.map(|(_, answer)| answer.to_owned()).ok_or_else(missing)
}

/// "9 of 20": (9, 20).
fn of(text: &str) -> Result<(u64, u64), String> {
    let bad = || format!("not 'n of m': '{text}'");
    let (n, m) = text.split_once(" of ").ok_or_else(bad)?;
    Ok((n.parse().map_err(|_| bad())?, m.parse().map_err(|_| bad())?))
}

/// What a thread's line says it does: "teller 1: holds A (0 of 10 done)"
/// says "holds A".
fn doing(line: &str) -> String {
    let after = line.split_once(": ").map_or(line, |(_, rest)| rest);
    after.rsplit_once(" (").map_or(after, |(what, _)| what).to_owned()
}

/// The number after the last `=` of "A 900 + B 1000 = 1900".
fn total(text: &str) -> Result<i64, String> {
    let (_, sum) = text.rsplit_once("= ").ok_or(format!("'{text}'"))?;
    sum.parse().map_err(|_| format!("'{text}'"))
}

fn since_press(run: &Run, at: Instant) -> f64 {
    ms(at.saturating_duration_since(run.0.sent))
}

/// The two counters' lines and when the outcome first said deadlock.
fn detection(
    lines: &[Watch; 2],
    outcome: &Watch,
    run: &Run,
) -> (Option<f64>, Option<[String; 2]>) {
    let is_deadlock = |text: &str| text.starts_with(DEADLOCK);
    let Some(at) = outcome.first(run.0.sent, is_deadlock) else {
        return (None, None);
    };
    let then = lines.each_ref().map(|line| doing(&line.at(at)));
    (Some(since_press(run, at)), Some(then))
}

/// **Count**: two threads at one counter of each kind.
#[derive(Serialize)]
pub struct Counters {
    /// One `lock()`, `+= 1` and unlock of a `Mutex<u64>`, in nanoseconds.
    mutex_increment_ns: f64,
    /// One `read()` of an `RwLock<u64>`, two threads reading at once.
    rwlock_read_ns: f64,
    /// One `fetch_add` on an `AtomicU64`.
    atomic_increment_ns: f64,
    /// What each counted (the readers: the sum of what they read, a 1 each
    /// time), and what two threads' worth of operations make.
    mutex_count: u64,
    rwlock_reads: u64,
    atomic_count: u64,
    expected_count: u64,
}

impl Counters {
    pub fn read(view: &View) -> Result<Self, String> {
        let cell = |row: usize| {
            let [ns, count] = view.counters[row].each_ref().map(|c| c.label());
            let ns = ns.strip_suffix(" ns").ok_or(format!("'{ns}'"))?;
            let ns: f64 = ns.parse().map_err(|_| format!("'{ns}'"))?;
            Ok::<_, String>((ns, of(&count)?))
        };
        let (mutex_increment_ns, (mutex_count, expected_count)) = cell(0)?;
        let (rwlock_read_ns, (rwlock_reads, _)) = cell(1)?;
        let (atomic_increment_ns, (atomic_count, _)) = cell(2)?;
        Ok(Self {
            mutex_increment_ns,
            rwlock_read_ns,
            atomic_increment_ns,
            mutex_count,
            rwlock_reads,
            atomic_count,
            expected_count,
        })
    }

    pub fn lost_none(&self) -> bool {
        let counts = [self.mutex_count, self.rwlock_reads, self.atomic_count];
        counts.iter().all(|count| *count == self.expected_count)
    }
}

/// One run of the two tellers.
#[derive(Serialize)]
pub struct TellerRun {
    /// Transfers asked of both tellers together, and made.
    transfers_asked: u64,
    transfers_done: u64,
    /// From the press to the window showing the run's end.
    run_ms: f64,
    /// When the window showed the watchdog's verdict, from the press;
    /// absent if it never did.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deadlock_detected_at_ms: Option<f64>,
    /// What each teller's line said then.
    #[serde(skip_serializing_if = "Option::is_none")]
    phases_when_detected: Option<[String; 2]>,
    /// What each teller's line said at the end.
    endings: [String; 2],
    /// Accounts A and B at the end.
    balances: [i64; 2],
    /// A and B still hold what they opened with between them.
    balances_conserved: bool,
    /// The window said both teller threads were joined.
    tellers_joined: bool,
}

impl TellerRun {
    pub fn read(view: &View, seen: &Seen, run: Run) -> Result<Self, String> {
        let outcome = view.tellers_outcome.label();
        let (done, asked) = of(&answer(&outcome, "transfers")?)?;
        let balances = answer(&outcome, "balances")?;
        let (a, b) = balances.split_once(" + ").ok_or("no balances")?;
        let balance = |text: &str| {
            let amount = text.split(' ').nth(1).unwrap_or_default();
            amount.parse::<i64>().map_err(|_| format!("'{balances}'"))
        };
        let balances = [balance(a)?, balance(b)?];
        let (detected_at, then) =
            detection(&seen.tellers, &seen.tellers_outcome, &run);
        Ok(Self {
            transfers_asked: asked,
            transfers_done: done,
            run_ms: since_press(&run, run.1),
            deadlock_detected_at_ms: detected_at,
            phases_when_detected: then,
            endings: view.tellers.each_ref().map(|line| doing(&line.label())),
            balances,
            balances_conserved: balances.iter().sum::<i64>() == 2_000,
            tellers_joined: answer(&outcome, "threads")? == "joined",
        })
    }

    pub fn deadlock_found(&self) -> bool {
        self.deadlock_detected_at_ms.is_some()
    }

    pub fn finished_all(&self) -> bool {
        !self.deadlock_found()
            && self.endings.iter().all(|ending| ending == "finished")
            && self.transfers_done == self.transfers_asked
    }
}

/// One run of the model's worker, as the window's line showed it.
#[derive(Serialize)]
pub struct HoldRun {
    /// From the press to the window showing the run's end.
    run_ms: f64,
    /// Rounds whose result the window showed.
    rounds_shown: usize,
    /// How long, in all, the line said that `try_lock` found the model
    /// locked.
    locked_ms: f64,
    /// The same, in percent of the run.
    locked_pct: f64,
    /// The longest of those stretches.
    longest_locked_ms: f64,
    /// The frames and the main loop over the run.
    frames_per_s: f64,
    frames_max_interval_ms: f64,
    heartbeat_max_gap_ms: f64,
}

impl HoldRun {
    pub fn read(pilot: &Pilot, reading: &Watch, run: Run) -> Self {
        let (pressed, ended) = run;
        let shown = reading.since(pressed.handled);
        let ends = shown.iter().skip(1).map(|(at, _)| *at).chain([ended]);
        let (mut locked, mut longest) = (0.0, 0.0_f64);
        let mut rounds = BTreeSet::new();
        for ((from, text), to) in shown.iter().zip(ends) {
            if text.starts_with(LOCKED) {
                let stretch = ms(to.saturating_duration_since(*from));
                (locked, longest) = (locked + stretch, longest.max(stretch));
            }
            let round = text.split("round ").nth(1).and_then(|rest| {
                rest.split(':').next().and_then(|n| n.parse::<u32>().ok())
            });
            rounds.extend(round.filter(|round| *round > 0));
        }
        let run_ms = ms(ended - pressed.sent);
        let measured = pilot.measure(Span { from: pressed.handled, to: ended });
        Self {
            run_ms,
            rounds_shown: rounds.len(),
            locked_ms: (locked * 10.0).round() / 10.0,
            locked_pct: (1000.0 * locked / run_ms).round() / 10.0,
            longest_locked_ms: (longest * 10.0).round() / 10.0,
            frames_per_s: measured.frames.per_s,
            frames_max_interval_ms: measured.frames.max_interval_ms,
            heartbeat_max_gap_ms: measured.heartbeat.max_gap_ms,
        }
    }
}

/// **Panic under the lock**, as its three lines told it.
#[derive(Serialize)]
pub struct PoisonRun {
    /// How the job ended: "panicked (its message)".
    job: String,
    /// What `try_lock` returned after the panic: `Poisoned` means the lock
    /// was free (its guard was dropped as the panic unwound); `WouldBlock`
    /// would mean it was still held.
    try_lock: String,
    /// The two accounts together as the panic left them, and after the
    /// repair; what they hold when no transfer is half done.
    found_total: i64,
    repaired_total: i64,
    expected_total: i64,
    /// The pending transfer the repair undid.
    undone: i64,
    /// What `lock()` returned once the poison was cleared.
    lock_after_repair: String,
}

impl PoisonRun {
    pub fn read(view: &View) -> Result<Self, String> {
        let [job, found, repair] = view.poison.each_ref().map(|l| l.label());
        let undone = answer(&repair, "undone")?;
        Ok(Self {
            job: answer(&job, "the job")?,
            try_lock: answer(&found, "try_lock")?,
            found_total: total(&answer(&found, "found")?)?,
            repaired_total: total(&answer(&repair, "now")?)?,
            expected_total: TOTAL,
            undone: undone.parse().map_err(|_| format!("'{undone}'"))?,
            lock_after_repair: answer(&repair, "lock() after clear_poison")?,
        })
    }
}

/// One run of the client and the server.
#[derive(Serialize)]
pub struct ExchangeRun {
    /// Requests the client had to send, sent, and replies it read.
    requests: u32,
    requests_sent: u64,
    replies_read: u64,
    /// From the press to the window showing the run's end.
    run_ms: f64,
    /// When the window showed the watchdog's verdict, from the press;
    /// absent if it never did.
    #[serde(skip_serializing_if = "Option::is_none")]
    deadlock_detected_at_ms: Option<f64>,
    /// What the client's and the server's lines said then.
    #[serde(skip_serializing_if = "Option::is_none")]
    doing_when_detected: Option<[String; 2]>,
    /// What they said at the end.
    endings: [String; 2],
    /// The window said both threads were joined.
    threads_joined: bool,
}

impl ExchangeRun {
    pub fn read(view: &View, seen: &Seen, run: Run) -> Result<Self, String> {
        let outcome = view.exchange_outcome.label();
        let (sent, _) = of(&answer(&outcome, "requests sent")?)?;
        let read = answer(&outcome, "replies read")?;
        let (detected_at, then) =
            detection(&seen.exchange, &seen.exchange_outcome, &run);
        Ok(Self {
            requests: REQUESTS,
            requests_sent: sent,
            replies_read: read.parse().map_err(|_| format!("'{read}'"))?,
            run_ms: since_press(&run, run.1),
            deadlock_detected_at_ms: detected_at,
            doing_when_detected: then,
            endings: view.exchange.each_ref().map(|line| doing(&line.label())),
            threads_joined: answer(&outcome, "threads")? == "joined",
        })
    }

    pub fn deadlock_found(&self) -> bool {
        self.deadlock_detected_at_ms.is_some()
    }
}
