//! Lesson 05's claims, checked on a real run of its autopilot (under a
//! display: `cargo xtask test` provides Xvfb). One run serves every test;
//! each test checks one claim.

use lesson_report::{
    InputPath, Report, check_command_line, check_stop_signals, run_autopilot,
};
use serde_json::{Value, json};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_lesson-05-handing-data");
/// 10 MB of table per second of work: a 10 MB table.
const WORK_MS: &str = "1000";

fn screenshot_path() -> PathBuf {
    std::env::temp_dir()
        .join(format!("lesson-05-test-{}.png", std::process::id()))
}

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    // `run_autopilot` fails unless the lesson exits 0, so every test here
    // also checks that.
    REPORT.get_or_init(|| {
        let shot = screenshot_path();
        let shot = shot.to_str().expect("utf-8 temp dir");
        let args = ["--work-ms", WORK_MS, "--screenshot", shot];
        run_autopilot(Path::new(EXE), &args, Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

fn number(field: &str) -> f64 {
    report().number(field).unwrap()
}

fn flag(field: &str) -> bool {
    report().flag(field).unwrap()
}

/// A field of one of the report's aliasing runs.
fn field(run: &str, name: &str) -> &'static Value {
    &report().details[run][name]
}

#[test]
fn the_table_follows_work_ms() {
    let bytes = number("payload_bytes");
    assert!((10.0e6..10.1e6).contains(&bytes), "{bytes} bytes");
    assert_eq!(bytes, number("payload_rows") * 8192.0);
}

#[test]
fn a_move_copies_nothing_whatever_the_size() {
    // Only the Vec's pointer, length and capacity travel, and the rows
    // never left their memory.
    assert_eq!(number("moved_bytes"), 24.0);
    assert!(flag("moved_without_copy"));
    // 10 MB move as fast as 8 KiB, within the noise of two thread hops on a
    // busy machine.
    let (big, small) =
        (number("move_round_trip_ms"), number("move_round_trip_small_ms"));
    assert!(big < small + 5.0, "10 MB: {big} ms there and back, 8 KiB {small}");
    let (big, small) = (number("send_to_ui_ms"), number("send_to_ui_small_ms"));
    assert!(big < small + 5.0, "to the window: 10 MB {big} ms, 8 KiB {small}");
}

#[test]
fn a_clone_is_deep_and_grows_with_the_data() {
    assert!(flag("clone_is_deep"));
    let (big, small) = (number("clone_ms"), number("clone_small_ms"));
    // 1221 times the data: ten times the time is a very generous floor.
    assert!(big > 10.0 * small, "copying 10 MB: {big} ms, 8 KiB: {small}");
    let moved = number("move_round_trip_ms");
    assert!(big > moved, "copying 10 MB ({big} ms), moving it ({moved} ms)");
}

#[test]
fn an_arc_shares_cheaply_and_read_only() {
    for figure in ["arc_clone_ns", "arc_clone_small_ns"] {
        let ns = number(figure);
        assert!(ns > 0.0 && ns < 1000.0, "{figure}: {ns} ns");
    }
    assert!(flag("arc_worker_read_same_rows"));
    assert!(!flag("arc_mutable_while_shared"));
    assert!(flag("arc_mutable_when_unique"));
}

#[test]
fn a_shared_buffer_shows_what_the_worker_wrote_after_sending() {
    assert!(flag("aliasing_bug_observed"));
    let (sent, shown) = (
        field("shared_buffer", "at_send"),
        field("shared_buffer", "displayed"),
    );
    // Batch 1 starts at one million, batch 2 at two million.
    assert_eq!(sent["first"], json!(1_000_000));
    assert_eq!(shown["first"], json!(2_000_000), "should be batch 2: {shown}");
    assert_eq!(shown["len"], json!(10_000), "all of batch 2: {shown}");
}

#[test]
fn a_clone_or_a_move_shows_what_was_sent() {
    assert!(flag("aliasing_fixed_by_clone"));
    assert!(flag("aliasing_fixed_by_move"));
    for run in ["clone_under_lock", "moved_out"] {
        assert_eq!(field(run, "displayed"), field(run, "at_send"), "{run}");
        assert_eq!(field(run, "at_send")["first"], json!(1_000_000), "{run}");
        assert_eq!(field(run, "versions_seen"), &json!(1), "{run}");
    }
}

#[test]
fn the_window_stays_free_while_the_threads_work() {
    let report = report();
    // No copy and no drop of a table runs on the main loop: one copy of the
    // 10 MB table there would stall it by itself.
    let gap = report.heartbeat.max_gap_ms;
    assert!(gap < 100.0, "the main loop stalled for {gap} ms");
    // The live graph keeps the frame clock running: about 60 frames a
    // second, nearly all within four frame periods of the last.
    let frames = &report.frames;
    assert!(frames.per_s >= 30.0, "{frames:?}");
    assert!(frames.p99_interval_ms < 4.0 * 1000.0 / 60.0, "{frames:?}");
    assert!(frames.max_interval_ms < 100.0, "{frames:?}");
}

#[test]
fn every_real_click_is_handled_at_once() {
    let input = &report().input;
    assert_eq!(input.path, InputPath::Xtest, "not real X input");
    assert_eq!(input.clicks, 5, "the scenario changed: check the chapter");
    // A handler only starts a demo: the work runs elsewhere.
    assert!(input.to_handler_ms.max < 50.0, "{input:?}");
    assert!(input.to_paint_ms.max < 100.0, "{input:?}");
}

#[test]
fn closing_mid_measurement_shuts_down_cleanly() {
    let report = report();
    assert!(report.flag("measuring_at_close").unwrap());
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
