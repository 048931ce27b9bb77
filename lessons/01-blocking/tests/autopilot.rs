//! Lesson 01's claims, checked on a real run of its autopilot (under a display: `cargo xtask
//! test` provides Xvfb). One run serves every test; each test checks one claim.

use lesson_report::{Report, check_command_line, check_stop_signals, run_autopilot};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_lesson-01-blocking");
const WORK_MS: f64 = 1500.0;

fn screenshot_path() -> PathBuf {
    std::env::temp_dir().join(format!("lesson-01-test-{}.png", std::process::id()))
}

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let shot = screenshot_path();
        let args = ["--work-ms", "1500", "--screenshot", shot.to_str().expect("utf-8 temp dir")];
        run_autopilot(Path::new(EXE), &args, Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

#[test]
fn the_main_loop_stalls_for_the_whole_work() {
    let report = report();
    assert!(
        report.heartbeat.max_gap_ms >= 0.9 * WORK_MS,
        "max gap {} ms, expected at least 0.9 x {WORK_MS} ms",
        report.heartbeat.max_gap_ms
    );
    assert!(report.work.wall_ms >= WORK_MS, "the work ran {} ms", report.work.wall_ms);
}

#[test]
fn nothing_runs_and_nothing_is_painted_during_the_work() {
    let report = report();
    // A free loop would have run the heartbeat 150 times, and painted frames after the press.
    assert!(report.number("heartbeat_ticks_expected").unwrap() >= 100.0, "work too short");
    assert_eq!(report.number("heartbeat_ticks_during_work").unwrap(), 0.0);
    assert_eq!(report.number("frames_painted_during_work").unwrap(), 0.0);
    // The frame probe is alive: once the work is over, the window paints again at once.
    assert!(report.number("frames_painted_after_work").unwrap() >= 1.0, "no frame after it");
}

#[test]
fn a_click_during_the_work_waits_for_its_end() {
    // The click arrives 100 ms into the work and can only run once the work returns.
    let waited = report().number("queued_click_waited_ms").unwrap();
    assert!(waited >= 0.9 * (WORK_MS - 100.0), "the click waited only {waited} ms");
}

#[test]
fn the_screenshot_is_a_png() {
    let _ = report();
    let shot = screenshot_path();
    let bytes = std::fs::read(&shot).unwrap_or_else(|e| panic!("{}: {e}", shot.display()));
    let _ = std::fs::remove_file(&shot);
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    check_command_line(Path::new(EXE)).unwrap();
}

#[test]
fn the_window_closes_and_the_lesson_shuts_down_cleanly() {
    report().check_clean_shutdown(1000.0).unwrap();
}

#[test]
fn ctrl_c_sigterm_or_sighup_mid_work_shut_it_down_cleanly() {
    let _ = report(); // first, so that no other run of the lesson competes with its timings
    // The signal arrives 300 ms into a 1500 ms freeze. The main loop can only run its handler once the
    // freeze is over, so the lesson ends about 1.2 s later, not within one second: lesson 01 again.
    let (after, within) = (Duration::from_millis(300), Duration::from_millis(2500));
    check_stop_signals(Path::new(EXE), &["--work-ms", "1500"], after, within).unwrap();
}
