//! Lesson 06's claims, checked on a real run of its autopilot (under a
//! display: `cargo xtask test` provides Xvfb). One run serves every test;
//! each test checks one claim.

use lesson_report::{
    InputPath, Report, check_command_line, check_stop_signals, run_autopilot,
};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_lesson-06-locks");
/// Each hold-the-lock run: three rounds of a 300 ms computation.
const WORK_MS: &str = "1000";

fn screenshot_path() -> PathBuf {
    std::env::temp_dir()
        .join(format!("lesson-06-test-{}.png", std::process::id()))
}

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    // `run_autopilot` fails unless the lesson exits 0, so every test here
    // also checks that.
    REPORT.get_or_init(|| {
        let shot = screenshot_path();
        let shot = shot.to_str().expect("utf-8 temp dir");
        let args = ["--work-ms", WORK_MS, "--screenshot", shot];
        run_autopilot(Path::new(EXE), &args, Duration::from_secs(180))
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

fn number(field: &str) -> f64 {
    report().number(field).unwrap()
}

fn flag(field: &str) -> bool {
    report().flag(field).unwrap()
}

/// One of the report's runs.
fn run(name: &str) -> &'static Value {
    &report().details[name]
}

/// A number of one of the report's runs.
fn figure(name: &str, field: &str) -> f64 {
    let value = &run(name)[field];
    value.as_f64().unwrap_or_else(|| panic!("{name}.{field}: {value}"))
}

#[test]
fn shared_counters_lose_no_update() {
    assert!(flag("no_lost_updates"));
    let expected = number("expected_count");
    assert_eq!(expected, 400_000.0, "two threads of 200 000 operations");
    for count in ["mutex_count", "rwlock_reads", "atomic_count"] {
        assert_eq!(number(count), expected, "{count}");
    }
    for ns in ["mutex_increment_ns", "rwlock_read_ns", "atomic_increment_ns"] {
        assert!(number(ns) > 0.0, "{ns}");
    }
}

#[test]
fn opposite_lock_orders_deadlock_and_the_watchdog_breaks_it() {
    assert!(flag("deadlock_detected"));
    let run = run("opposite_orders");
    let waiting = json!(["holds A, waits for B", "holds B, waits for A"]);
    assert_eq!(run["phases_when_detected"], waiting);
    let let_go = json!(["let go of A and ended", "let go of B and ended"]);
    assert_eq!(run["endings"], let_go);
    assert_eq!(run["tellers_joined"], json!(true));
    assert_eq!(run["balances_conserved"], json!(true));
    // The watchdog waits 300 ms without progress; a loaded machine may add
    // to that.
    let after = number("deadlock_detected_after_ms");
    assert!((300.0..3000.0).contains(&after), "detected after {after} ms");
}

#[test]
fn one_lock_order_finishes_every_transfer() {
    assert!(flag("ordered_locking_finished"));
    let run = run("same_order");
    assert_eq!(run["transfers_asked"], json!(20));
    assert_eq!(run["transfers_done"], run["transfers_asked"]);
    assert_eq!(run["endings"], json!(["finished", "finished"]));
    assert_eq!(run["balances"], json!([1000, 1000]));
    assert_eq!(run["tellers_joined"], json!(true));
    assert!(run.get("deadlock_detected_at_ms").is_none(), "{run}");
}

#[test]
fn computing_under_the_lock_keeps_the_window_from_reading() {
    let compute = number("compute_ms");
    let run = "compute_under_lock";
    // Each round holds the lock for 300 ms of every 360.
    let share = figure(run, "locked_pct");
    assert!(share >= 50.0, "the window was locked out {share} % of the run");
    let longest = figure(run, "longest_locked_ms");
    assert!(longest >= 0.75 * compute, "longest lock-out {longest} ms");
    assert_eq!(figure(run, "rounds_shown"), 3.0, "every round was shown");
    // `try_lock` never waits: the window itself stays free.
    let frames = figure(run, "frames_max_interval_ms");
    assert!(frames < 0.5 * compute, "a frame waited {frames} ms");
}

#[test]
fn a_window_that_waits_in_lock_freezes_for_each_computation() {
    let compute = number("compute_ms");
    let run = "window_waits";
    let frames = figure(run, "frames_max_interval_ms");
    assert!(frames >= 0.75 * compute, "longest frame interval {frames} ms");
    let gap = figure(run, "heartbeat_max_gap_ms");
    assert!(gap >= 0.75 * compute, "longest heartbeat gap {gap} ms");
    // It never saw the lock taken: it waited instead, and so did the rest
    // of the main loop.
    assert_eq!(figure(run, "locked_ms"), 0.0);
    let (waiting, free) = (
        figure(run, "frames_per_s"),
        figure("compute_under_lock", "frames_per_s"),
    );
    assert!(waiting < 0.5 * free, "{waiting} frames a second, free: {free}");
}

#[test]
fn copying_first_holds_the_lock_only_for_the_data() {
    let compute = number("compute_ms");
    let run = "copy_then_compute";
    let share = figure(run, "locked_pct");
    assert!(share < 10.0, "the window was locked out {share} % of the run");
    let longest = figure(run, "longest_locked_ms");
    assert!(longest < 0.25 * compute, "longest lock-out {longest} ms");
    assert_eq!(figure(run, "rounds_shown"), 3.0, "every round was shown");
    let frames = figure(run, "frames_max_interval_ms");
    assert!(frames < 0.5 * compute, "a frame waited {frames} ms");
}

#[test]
fn a_panic_under_the_lock_poisons_it_and_the_window_repairs_it() {
    let run = run("poison");
    let job = run["job"].as_str().unwrap();
    assert!(job.starts_with("panicked ("), "the job: {job}");
    // Poisoned, not WouldBlock: the guard unlocked as the panic unwound.
    assert_eq!(run["try_lock"], json!("Poisoned"));
    let (found, expected) = (figure("poison", "found_total"), 2000.0);
    assert_eq!(found, expected - figure("poison", "undone"));
    assert_ne!(found, expected, "the panic left half a transfer");
    assert_eq!(figure("poison", "repaired_total"), expected);
    assert_eq!(run["lock_after_repair"], json!("Ok"));
}

#[test]
fn bounded_channels_both_ways_deadlock_and_the_watchdog_cuts_them() {
    assert!(flag("message_deadlock_detected"));
    let run = run("both_block");
    let sent = figure("both_block", "requests_sent");
    assert!(sent < 20.0, "{sent} requests sent");
    assert_eq!(run["replies_read"], json!(0));
    let doing = json!(["sends its requests", "sends a reply"]);
    assert_eq!(run["doing_when_detected"], doing);
    let cut = "cut off: its channel was closed";
    assert_eq!(run["endings"], json!([cut, cut]));
    assert_eq!(run["threads_joined"], json!(true));
    let after = figure("both_block", "deadlock_detected_at_ms");
    assert!((300.0..3000.0).contains(&after), "detected after {after} ms");
}

#[test]
fn with_the_replies_unbounded_every_request_is_answered() {
    let run = run("replies_unbounded");
    assert_eq!(run["requests_sent"], json!(20));
    assert_eq!(run["replies_read"], json!(20));
    assert_eq!(run["endings"], json!(["finished", "finished"]));
    assert_eq!(run["threads_joined"], json!(true));
    assert!(run.get("deadlock_detected_at_ms").is_none(), "{run}");
}

#[test]
fn the_window_stays_free_while_the_threads_work_and_deadlock() {
    // Everything but the run whose window waits in lock(): the threads
    // count, deadlock, compute, panic and block, never the main loop.
    let report = report();
    let gap = report.heartbeat.max_gap_ms;
    assert!(gap < 100.0, "the main loop stalled for {gap} ms");
    let frames = &report.frames;
    assert!(frames.per_s >= 30.0, "{frames:?}");
    assert!(frames.p99_interval_ms < 4.0 * 1000.0 / 60.0, "{frames:?}");
    assert!(frames.max_interval_ms < 100.0, "{frames:?}");
}

#[test]
fn every_real_click_is_handled_at_once() {
    let input = &report().input;
    assert_eq!(input.path, InputPath::Xtest, "not real X input");
    assert_eq!(input.clicks, 10, "the scenario changed: check the chapter");
    // A handler only starts a demo: the work runs elsewhere.
    assert!(input.to_handler_ms.max < 50.0, "{input:?}");
    assert!(input.to_paint_ms.p50 < 100.0, "{input:?}");
}

#[test]
fn closing_during_a_deadlock_shuts_down_cleanly() {
    let report = report();
    assert!(report.flag("deadlocked_at_close").unwrap());
    report.check_clean_shutdown(1000.0).unwrap();
}

#[test]
fn the_screenshot_is_a_png() {
    let _ = report();
    let shot = screenshot_path();
    let bytes = std::fs::read(&shot)
        .unwrap_or_else(|e| panic!("{}: {e}", shot.display()));
    let _ = std::fs::remove_file(&shot);
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    // After the scenario's run, so that these runs do not compete with its
    // timings.
    let _ = report();
    check_command_line(Path::new(EXE)).unwrap();
}

#[test]
fn ctrl_c_sigterm_or_sighup_mid_work_shut_it_down_cleanly() {
    // First, so that no other run of the lesson competes with its timings.
    let _ = report();
    let (after, within) =
        (Duration::from_millis(300), Duration::from_millis(1000));
    check_stop_signals(Path::new(EXE), &["--work-ms", WORK_MS], after, within)
        .unwrap();
}
