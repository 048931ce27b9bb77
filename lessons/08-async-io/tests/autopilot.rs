//! Lesson 08's claims, checked on a real run of its autopilot (under a display: `cargo xtask
//! test` provides Xvfb). One run serves every test; each test checks one claim.

use lesson_report::{Report, check_command_line, check_stop_signals, run_autopilot};
use serde_json::Value;
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_lesson-08-async-io");
const WORK_MS: f64 = 1000.0;
/// The longest stall a free main loop may show here. A quiet run of this lesson stalls for about
/// one heartbeat interval (10 to 20 ms); on a loaded two-core machine under Xvfb the process is
/// sometimes not scheduled for 100 ms or more, whatever its main loop does. A quarter of the
/// work still tells a free loop from a blocked one, which would stall for all of it.
const STALL_MS: f64 = 250.0;
/// What the main loop's usual gaps (the 99th percentile) must stay under.
const USUAL_MS: f64 = 100.0;

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    // `run_autopilot` fails unless the lesson exits 0, so every test here also checks that.
    REPORT.get_or_init(|| {
        run_autopilot(Path::new(EXE), &["--work-ms", "1000"], Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// A lesson-specific figure by its dotted name, as the book's tables name it (`read.task.polls`).
fn figure(path: &str) -> &'static Value {
    let mut keys = path.split('.');
    let first = keys.next().expect("a name");
    let top = report().details.get(first).unwrap_or(&Value::Null);
    keys.fold(top, |value, key| &value[key])
}

fn number(path: &str) -> f64 {
    let value = figure(path);
    value.as_f64().unwrap_or_else(|| panic!("the report has no number `{path}`: {value}"))
}

fn flag(path: &str) -> bool {
    let value = figure(path);
    value.as_bool().unwrap_or_else(|| panic!("the report has no flag `{path}`: {value}"))
}

#[test]
fn both_reads_deliver_the_whole_file() {
    let bytes = number("file.bytes");
    assert_eq!(bytes, number("file.chunk_bytes") * number("file.chunks"));
    assert!(bytes >= 10.0 * 1024.0 * 1024.0, "a 1 s run writes about 13 MiB, not {bytes} bytes");
    for read in ["read", "full_speed_read"] {
        assert_eq!(number(&format!("{read}.bytes")), bytes, "{read}");
        assert_eq!(number(&format!("{read}.chunks")), number("file.chunks"), "{read}");
        assert_eq!(figure(&format!("{read}.outcome")), "finished", "{read}");
    }
}

#[test]
fn the_main_loop_stays_free_during_the_slow_read() {
    let gap = number("read.heartbeat_max_gap_ms");
    assert!(gap < STALL_MS, "the main loop stalled for {gap} ms during the read");
    let usual = number("read.heartbeat_p99_gap_ms");
    assert!(usual < USUAL_MS, "the main loop's 99th percentile gap was {usual} ms");
    // The read took the whole work, and the main loop spent a small part of it on the read.
    let wall = report().work.wall_ms;
    assert!(wall >= WORK_MS, "the slow read took {wall} ms");
    let busy = number("read.task.main_loop_busy_ms");
    assert!(busy < 0.25 * wall, "the main loop spent {busy} of {wall} ms in the read's future");
}

#[test]
fn the_full_speed_read_is_far_faster_than_the_slow_disk() {
    let (fast, slow) = (number("full_speed_read.mib_per_s"), number("read.mib_per_s"));
    assert!(fast > 2.0 * slow, "{fast} MiB/s at full speed, {slow} MiB/s at the slow pace");
    let gap = number("full_speed_read.heartbeat_max_gap_ms");
    assert!(gap < STALL_MS, "the main loop stalled for {gap} ms during the fast read");
}

#[test]
fn the_cancelled_read_stops_mid_way_as_cancelled_not_as_an_error() {
    assert!(flag("second_read_cancelled"));
    assert_eq!(figure("second_read_outcome"), "cancelled");
    let at_cancel = number("second_read_bytes_at_cancel");
    assert!(at_cancel > 0.0, "Cancel was pressed before the read started");
    assert!(at_cancel < number("file.bytes"), "the read had finished before Cancel");
    assert_eq!(number("second_read_bytes_after_cancel"), 0.0);
}

#[test]
fn cancel_takes_effect_quickly() {
    let took = number("cancel_to_finished_ms");
    assert!(took < 500.0, "the read ended {took} ms after Cancel");
}

#[test]
fn the_timer_future_waits_without_holding_the_main_loop() {
    let (asked, took) = (number("timer.asked_ms"), number("timer.took_ms"));
    assert_eq!(asked, WORK_MS);
    assert!(took >= asked, "the timer ended after {took} ms of {asked}");
    assert!(took < asked + 500.0, "the timer ended after {took} ms of {asked}");
    let gap = number("timer.heartbeat_max_gap_ms");
    assert!(gap < STALL_MS, "the main loop stalled for {gap} ms during the timer");
}

#[test]
fn the_blocking_job_runs_on_gio_s_pool_and_the_main_loop_stays_free() {
    assert!(!flag("spawn_blocking.ran_on_main_thread"));
    assert_eq!(number("spawn_blocking.bytes"), number("file.bytes"));
    assert!(number("spawn_blocking.took_ms") > 0.0);
    let gap = number("spawn_blocking.heartbeat_max_gap_ms");
    assert!(gap < STALL_MS, "the main loop stalled for {gap} ms during the job");
}

#[test]
fn a_cancelled_blocking_job_ends_as_cancelled_not_as_an_error() {
    // The job's `IOErrorEnum::Cancelled` error is taken for what it is.
    assert_eq!(figure("cancelled_job.outcome"), "cancelled");
    let took = number("cancelled_job.cancel_to_finished_ms");
    assert!(took < 500.0, "the job answered {took} ms after Cancel");
}

#[test]
fn gio_reads_a_regular_file_on_its_pool_not_by_polling() {
    // The chapter's claim about where gio's async file reads happen.
    assert!(!flag("file.pollable"));
}

#[test]
fn writing_the_file_leaves_the_main_loop_free() {
    let longest = number("generate.longest_poll_ms");
    assert!(longest < STALL_MS, "the generator held the main loop for {longest} ms at once");
    let (busy, wall) = (number("generate.main_loop_busy_ms"), number("generate.wall_ms"));
    assert!(busy < wall, "the main loop spent {busy} of the write's {wall} ms in it");
}

#[test]
fn closing_mid_read_shuts_down_cleanly_and_removes_the_file() {
    let report = report();
    assert!(flag("read_running_at_close"));
    report.check_clean_shutdown(1000.0).unwrap();
    // The report is printed after shutdown, and the process has exited by now.
    let path = figure("file.path").as_str().expect("the report names the file");
    let dir = Path::new(path).parent().expect("the file is in a directory");
    assert!(
        dir.starts_with(std::env::temp_dir()),
        "{} is not a temporary directory",
        dir.display()
    );
    assert!(!dir.exists(), "{} is still there", dir.display());
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    check_command_line(Path::new(EXE)).unwrap();
}

#[test]
fn ctrl_c_sigterm_or_sighup_mid_work_shut_it_down_cleanly() {
    let _ = report(); // first, so that no other run of the lesson competes with its timings
    let (after, within) = (Duration::from_millis(300), Duration::from_millis(1000));
    check_stop_signals(Path::new(EXE), &["--work-ms", "1000"], after, within).unwrap();
}
