//! Lesson 09's claims, checked on a real run of its autopilot (under a
//! display: `cargo xtask test` provides Xvfb). One run serves every test;
//! each test checks one claim.

use lesson_report::{
    InputPath, Report, check_command_line, check_stop_signals, run_autopilot,
};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_lesson-09-network");
/// The transfer's length: 64 pieces, one every 1000/64 ms.
const WORK_MS: f64 = 1000.0;
const PAYLOAD: f64 = 64.0 * 4096.0;
/// The longest stall a free main loop may show here. A quiet run stalls
/// for about one heartbeat interval or one frame (10 to 30 ms); on a loaded
/// two-core machine under Xvfb the process is sometimes not scheduled for
/// 100 ms or more, whatever its main loop does. A quarter of the transfer
/// still tells a free loop from a blocked one, which stalls for all of it.
const STALL_MS: f64 = 250.0;
/// What the usual gaps (the 99th percentile) must stay under.
const USUAL_MS: f64 = 100.0;

fn screenshot_path() -> PathBuf {
    std::env::temp_dir()
        .join(format!("lesson-09-test-{}.png", std::process::id()))
}

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    // `run_autopilot` fails unless the lesson exits 0, so every test here
    // also checks that.
    REPORT.get_or_init(|| {
        let shot = screenshot_path();
        let shot = shot.to_str().expect("utf-8 temp dir");
        let args = ["--work-ms", "1000", "--screenshot", shot];
        run_autopilot(Path::new(EXE), &args, Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

fn number(path: &str) -> f64 {
    report().number(path).unwrap_or_else(|e| panic!("{e}"))
}

fn flag(path: &str) -> bool {
    report().flag(path).unwrap_or_else(|e| panic!("{e}"))
}

fn text(path: &str) -> &'static str {
    report().text(path).unwrap_or_else(|e| panic!("{e}"))
}

/// The main loop ran and the window painted all through the fetch `what`.
fn free(what: &str) {
    let gap = number(&format!("{what}.heartbeat.max_gap_ms"));
    assert!(gap < STALL_MS, "the main loop stalled {gap} ms in {what}");
    // The longest interval, not the 99th percentile: over one second's
    // 60 frames, the 99th percentile is the longest anyway. The whole
    // scenario's, with hundreds of frames, is checked below.
    let frames = |f: &str| number(&format!("{what}.frames.{f}"));
    let max = frames("max_interval_ms");
    assert!(max < STALL_MS, "{what}: no frame for {max} ms");
    let per_s = frames("per_s");
    assert!(per_s >= 20.0, "{what}: {per_s} frames a second");
    let to_paint = number(&format!("{what}.input.to_paint_ms.max"));
    assert!(to_paint < STALL_MS, "{what}: its click painted in {to_paint} ms");
}

#[test]
fn the_fetch_on_the_main_loop_starts_no_thread_and_its_stream_is_pollable() {
    assert!(flag("pollable"), "gio cannot poll the socket's stream");
    let before = number("fetch.threads_before");
    assert!(before >= 2.0, "{before} threads: the server's and main");
    assert_eq!(number("fetch.threads_started"), 0.0);
    // The count sees threads: the worker's is there during its fetch, and
    // gone (joined) when its outcome shows.
    assert_eq!(number("on_thread.threads_started"), 1.0);
    assert_eq!(number("on_thread.threads_left"), 0.0);
}

#[test]
fn the_window_paints_all_through_the_fetch() {
    free("fetch");
    let wall = number("fetch.work.wall_ms");
    assert!(wall >= WORK_MS, "the fetch took {wall} ms");
    assert_eq!(report().work.wall_ms, wall);
}

#[test]
fn the_bytes_arrive_in_pieces_and_intact_whichever_way_they_are_read() {
    for how in ["fetch", "on_thread", "blocking"] {
        assert_eq!(number(&format!("{how}.bytes")), PAYLOAD, "{how}");
        let outcome = text(&format!("{how}.outcome"));
        assert!(flag(&format!("{how}.intact")), "{how}: {outcome}");
        // 64 pieces, one every 16 ms: many reads, even on a slow machine.
        let changes = number(&format!("{how}.progress_changes"));
        assert!(changes >= 16.0, "{how}: {changes} changes of the bar");
    }
}

#[test]
fn cancel_ends_the_fetch_at_once_and_is_not_an_error() {
    let outcome = text("cancelled.outcome");
    assert!(outcome.starts_with("Cancelled after"), "{outcome}");
    let at_cancel = number("cancelled.received_at_cancel");
    assert!(at_cancel >= PAYLOAD / 3.0, "Cancel came before a third");
    assert!(at_cancel < PAYLOAD, "the fetch had finished before Cancel");
    assert_eq!(number("cancelled.received_at_end"), at_cancel);
    assert_eq!(number("cancelled.progress_changes_after_cancel"), 0.0);
    let took = number("cancelled.cancel_to_end_ms");
    assert!(took < 500.0, "the fetch ended {took} ms after Cancel");
}

#[test]
fn cancel_reaches_a_worker_blocked_in_a_read_too() {
    let outcome = text("cancelled_on_thread.outcome");
    assert!(outcome.starts_with("Cancelled after"), "{outcome}");
    let at_cancel = number("cancelled_on_thread.received_at_cancel");
    assert!(at_cancel >= PAYLOAD / 3.0, "Cancel came before a third");
    // Progress the worker had sent before Cancel may still show after it.
    let at_end = number("cancelled_on_thread.received_at_end");
    assert!(at_end >= at_cancel && at_end < PAYLOAD, "{at_end} bytes");
    let took = number("cancelled_on_thread.cancel_to_end_ms");
    assert!(took < 500.0, "the worker ended {took} ms after Cancel");
}

#[test]
fn a_stalled_server_times_the_fetch_out_while_the_window_stays_free() {
    let outcome = text("timed_out.outcome");
    assert!(outcome.starts_with("Timed out: no data for 1.0 s"), "{outcome}");
    assert_eq!(number("timed_out.received"), PAYLOAD / 4.0);
    let (limit, silence) =
        (number("timeout_ms"), number("timed_out.silence_ms"));
    assert!(silence >= limit, "timed out after {silence} ms of {limit}");
    assert!(silence < limit + 500.0, "timed out after {silence} ms");
    let gap = number("timed_out.heartbeat_max_gap_ms");
    assert!(gap < STALL_MS, "the main loop stalled {gap} ms while waiting");
}

#[test]
fn a_dropped_connection_is_an_error_in_the_window_not_a_panic() {
    let outcome = text("dropped.outcome");
    let expected = "Failed: the server dropped the connection after 131072 \
                    of 262144 bytes.";
    assert_eq!(outcome, expected);
    assert_eq!(number("dropped.received"), PAYLOAD / 2.0);
    let gap = number("dropped.heartbeat_max_gap_ms");
    assert!(gap < STALL_MS, "the main loop stalled {gap} ms");
    // And the lesson went on: the fetches after it came whole.
    assert!(flag("on_thread.intact") && flag("blocking.intact"));
}

#[test]
fn a_fetch_on_a_worker_thread_leaves_the_window_free_too() {
    free("on_thread");
    let outcome = text("on_thread.outcome");
    assert!(outcome.contains("on a thread"), "{outcome}");
}

#[test]
fn the_blocking_fetch_freezes_the_window_for_the_whole_transfer() {
    let outcome = text("blocking.outcome");
    assert!(outcome.contains("in the click handler"), "{outcome}");
    // The progress bar was set once a piece, and never painted.
    assert_eq!(number("blocking.frames.count"), 0.0);
    assert!(number("blocking.progress_changes") >= 16.0);
    for stall in ["frames.max_interval_ms", "heartbeat.max_gap_ms"] {
        let ms = number(&format!("blocking.{stall}"));
        assert!(ms >= 0.9 * WORK_MS, "blocking.{stall} is {ms} ms");
    }
    let to_paint = number("blocking.input.to_paint_ms.max");
    assert!(to_paint >= 0.9 * WORK_MS, "its click painted in {to_paint} ms");
    assert_eq!(number("blocking.threads_started"), 0.0);
}

#[test]
fn the_window_stays_free_and_answers_real_clicks_promptly() {
    let report = report();
    // Over the five seconds or so from the first Fetch to the end of the
    // first on a thread: hundreds of ticks and frames, so that the 99th
    // percentile leaves out the few longest.
    let (heartbeat, frames) = (&report.heartbeat, &report.frames);
    let (gap, usual) = (heartbeat.max_gap_ms, heartbeat.p99_gap_ms);
    assert!(gap < STALL_MS, "the main loop stalled {gap} ms");
    assert!(usual < USUAL_MS, "99th percentile heartbeat gap {usual} ms");
    let (max, usual) = (frames.max_interval_ms, frames.p99_interval_ms);
    assert!(max < STALL_MS, "no frame for {max} ms");
    assert!(usual < USUAL_MS, "99th percentile frame interval {usual} ms");
    assert!(frames.per_s >= 20.0, "{} frames a second", frames.per_s);
    let input = &report.input;
    assert_eq!(input.path, InputPath::Xtest, "not real X input");
    assert!(input.to_handler_ms.max < STALL_MS, "{input:?}");
    // Every click's effect showed promptly but one: Fetch, blocking's.
    let blocking = number("blocking.input.to_paint_ms.max");
    let slowest = input.to_paint_ms.max;
    assert!((slowest - blocking).abs() < 1.0, "{input:?}, {blocking} ms");
    assert!(input.to_paint_ms.p50 < STALL_MS, "{input:?}");
}

#[test]
fn closing_mid_fetch_shuts_down_cleanly() {
    assert!(flag("fetch_running_at_close"));
    report().check_clean_shutdown(1000.0).unwrap();
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
    check_command_line(Path::new(EXE)).unwrap();
}

#[test]
fn ctrl_c_sigterm_or_sighup_mid_fetch_shut_it_down_cleanly() {
    // First, so that no other run of the lesson competes with its timings.
    let _ = report();
    // 300 ms into the first fetch, which takes a second.
    let (after, within) =
        (Duration::from_millis(300), Duration::from_millis(1000));
    let args = ["--work-ms", "1000"];
    check_stop_signals(Path::new(EXE), &args, after, within).unwrap();
}
