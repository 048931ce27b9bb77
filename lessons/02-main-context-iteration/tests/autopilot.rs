//! Lesson 02's claims, checked on a real run of its autopilot (under a
//! display: `cargo xtask test` provides Xvfb). One run serves every test;
//! each test checks one claim.

use lesson_report::{
    InputPath, Report, check_command_line, check_stop_signals, run_autopilot,
};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_lesson-02-main-context-iteration");
/// Chunks of 50 ms: long enough that a free window would paint three frames
/// in each, so that one frame per chunk is told from 60 a second.
const WORK_MS: f64 = 2500.0;
/// What one drain of the main loop may add to a chunk on a slow, shared
/// machine under Xvfb: a redraw, the counter, the heartbeat. Generous, and
/// still far below the blocking stall of the whole work.
const SLACK_MS: f64 = 250.0;
/// A free window paints about 60 frames a second (the live graph redraws
/// every frame).
const FREE_FRAMES_PER_S: f64 = 60.0;

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        let args = ["--work-ms", "2500"];
        run_autopilot(Path::new(EXE), &args, Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

fn chunk_ms(report: &Report) -> f64 {
    let chunk = report.number("chunk_ms").unwrap();
    assert_eq!(chunk, WORK_MS / report.number("chunks").unwrap());
    chunk
}

#[test]
fn the_main_loop_stalls_for_about_one_chunk() {
    let report = report();
    let chunk = chunk_ms(report);
    let gap = report.heartbeat.max_gap_ms;
    assert!(gap <= chunk + SLACK_MS, "max gap {gap} ms, {chunk} ms chunks");
    assert!(gap < 0.5 * WORK_MS, "max gap {gap} ms: no better than blocking");
    // Around the nested loop a drain can end without painting: the click
    // that starts it comes first (painting has a lower priority), and the
    // drain's time is up by the time it returns. Two chunks at most.
    let frames = report.frames.max_interval_ms;
    assert!(frames <= 2.0 * chunk + SLACK_MS, "frame interval {frames} ms");
    assert!(frames < 0.5 * WORK_MS, "frame interval {frames} ms");
}

#[test]
fn the_loop_paints_about_one_frame_per_chunk_in_its_drains() {
    let report = report();
    let chunk = chunk_ms(report);
    let chunks = report.number("chunks").unwrap();
    let painted = report.number("frames_painted_during_loop").unwrap();
    // Lesson 01 paints nothing during its work; this loop paints...
    assert!(painted >= 0.5 * chunks, "{painted} frames in {chunks} chunks");
    // ...but only in its drains, about once each, where a free window would
    // have painted 60 frames a second.
    let free = FREE_FRAMES_PER_S * report.work.wall_ms / 1000.0;
    assert!(painted <= 1.5 * chunks, "{painted} frames in {chunks} chunks");
    assert!(painted < 0.75 * free, "{painted} frames, a free window {free}");
    let longest = report.number("frames_max_interval_during_loop_ms").unwrap();
    assert!(longest <= chunk + SLACK_MS, "{longest} ms without a frame");
    // The drains ran other sources too: the heartbeat, about once each.
    let ticks = report.number("heartbeat_ticks_during_loop").unwrap();
    assert!(ticks >= 0.5 * chunks, "{ticks} heartbeat ticks");
}

#[test]
fn the_work_takes_longer_than_without_processing_events() {
    let report = report();
    let baseline = report.number("baseline_ms").unwrap();
    let wall = report.work.wall_ms;
    assert!(baseline >= WORK_MS, "baseline {baseline} ms");
    assert!(wall > baseline, "{wall} ms vs {baseline} ms");
    assert!(report.number("overhead_pct").unwrap() > 0.0);
    let between = report.number("between_chunks_ms").unwrap();
    assert!(between > 0.0, "{between} ms between chunks");
    assert!((wall - baseline - between).abs() < 0.01, "{between} ms");
}

#[test]
fn a_real_click_during_the_loop_waits_at_most_about_one_chunk() {
    let report = report();
    assert_eq!(report.input.path, InputPath::Xtest, "not real X input");
    assert_eq!(report.input.clicks, 4, "DANGER, DANGER, ?, DANGER");
    let chunk = chunk_ms(report);
    for field in ["question_waited_ms", "nested_press_waited_ms"] {
        let waited = report.number(field).unwrap();
        // Lesson 01's click waited for the rest of the whole work.
        assert!(waited <= chunk + SLACK_MS, "{field}: {waited} ms");
        assert!(waited < 0.5 * WORK_MS, "{field}: {waited} ms");
    }
}

#[test]
fn another_handler_changes_the_message_mid_loop() {
    let report = report();
    assert!(report.flag("message_changed_mid_loop").unwrap());
    let status = report.details["status_after_question"].as_str().unwrap();
    assert!(status.starts_with("OH NO (loop 2, depth 1, chunk "), "{status}");
}

#[test]
fn pressing_again_nests_a_loop_that_finishes_first() {
    let report = report();
    assert_eq!(report.number("max_nesting_depth").unwrap(), 2.0);
    // Loop 1 is DANGER alone; loop 2 the outer loop; loop 3 the one started
    // inside it.
    assert_eq!(report.details["finish_order"], serde_json::json!([3, 2]));
    let outer = report.number("outer_wall_ms").unwrap();
    let nested = report.number("nested_wall_ms").unwrap();
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
    let _ = report(); // first, so that no other run competes with its timings
    // The scenario first times the chunks with nothing processed in between
    // (a frozen window, 1 s), then DANGER's loop starts: the signal lands
    // about 500 ms into that loop, whose drain runs the signal's handler;
    // the loop sees its window closed and stops.
    let (after, within) =
        (Duration::from_millis(1700), Duration::from_millis(1000));
    check_stop_signals(Path::new(EXE), &["--work-ms", "1000"], after, within)
        .unwrap();
}
