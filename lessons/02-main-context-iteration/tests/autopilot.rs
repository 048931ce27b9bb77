//! Lesson 02's claims, checked on a real run of its autopilot (under a display: `cargo xtask
//! test` provides Xvfb). One run serves every test; each test checks one claim.

use lesson_report::{Report, check_command_line, check_stop_signals, run_autopilot};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_lesson-02-main-context-iteration");
const WORK_MS: f64 = 1000.0;
/// What one drain of the main loop may add to a chunk on a slow, shared machine under Xvfb:
/// a redraw, the counter, the heartbeat. Generous, and still far below the blocking stall.
const SLACK_MS: f64 = 250.0;

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        run_autopilot(Path::new(EXE), &["--work-ms", "1000"], Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

#[test]
fn the_main_loop_stalls_for_one_chunk_at_most() {
    let report = report();
    let chunk = report.number("chunk_ms").unwrap();
    assert_eq!(chunk, WORK_MS / report.number("chunks").unwrap());
    let gap = report.heartbeat.max_gap_ms;
    assert!(gap <= chunk + SLACK_MS, "max gap {gap} ms with {chunk} ms chunks");
    assert!(gap < 0.5 * WORK_MS, "max gap {gap} ms is no better than blocking for {WORK_MS} ms");
}

#[test]
fn the_work_takes_longer_than_without_processing_events() {
    let report = report();
    let baseline = report.number("baseline_ms").unwrap();
    assert!(baseline >= WORK_MS, "baseline {baseline} ms");
    assert!(report.work.wall_ms > baseline, "{} ms vs {baseline} ms", report.work.wall_ms);
    assert!(report.number("overhead_pct").unwrap() > 0.0);
    assert!(report.number("event_processing_ms").unwrap() > 0.0);
}

#[test]
fn another_handler_changes_the_message_mid_loop() {
    assert!(report().flag("message_changed_mid_loop").unwrap());
}

#[test]
fn pressing_again_nests_a_loop_that_finishes_first() {
    let report = report();
    assert_eq!(report.number("max_nesting_depth").unwrap(), 2.0);
    // Press 1 is DANGER alone; press 2 the outer loop; press 3 the loop started inside it.
    assert_eq!(report.details["finish_order"], serde_json::json!([3, 2]));
    let (outer, nested) =
        (report.number("outer_wall_ms").unwrap(), report.number("nested_wall_ms").unwrap());
    let baseline = report.number("baseline_ms").unwrap();
    assert!(
        outer >= nested + 0.9 * baseline,
        "outer {outer} ms did not wait for nested {nested} ms"
    );
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
    // The scenario first times the chunks with nothing processed in between (a frozen window,
    // 1 s), then DANGER's loop starts: the signal lands 500 ms into that loop, whose drain runs
    // the signal's handler; the loop sees its window closed and stops.
    let (after, within) = (Duration::from_millis(1700), Duration::from_millis(1000));
    check_stop_signals(Path::new(EXE), &["--work-ms", "1000"], after, within).unwrap();
}
