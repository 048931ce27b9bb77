//! Lesson 07's claims, checked on a real run of its autopilot (under a display: `cargo xtask
//! test` provides Xvfb). One run serves every test; each test checks one claim, with generous
//! bounds: timings on a shared machine are noisy, so most claims are relations between runs.

use lesson_report::{Report, check_command_line, check_stop_signals, run_autopilot};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_lesson-07-flooding");
/// 200 events per millisecond: 200 000 events per run.
const WORK_MS: &str = "1000";

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    // `run_autopilot` fails unless the lesson exits 0, so every test here also checks that.
    REPORT.get_or_init(|| {
        run_autopilot(Path::new(EXE), &["--work-ms", WORK_MS], Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

/// A figure of one strategy's run.
fn figure(strategy: &str, name: &str) -> f64 {
    report().details[strategy][name]
        .as_f64()
        .unwrap_or_else(|| panic!("the report has no number {strategy}.{name}"))
}

#[test]
fn every_run_sends_every_event() {
    let report = report();
    assert_eq!(report.lesson, "lesson-07-flooding");
    let events = report.number("events").unwrap();
    assert_eq!(events, 200_000.0, "200 events per millisecond of --work-ms");
    for strategy in ["naive", "bounded", "coalesced"] {
        assert_eq!(figure(strategy, "events_sent"), events, "{strategy}");
    }
}

#[test]
fn the_naive_queue_grows_far_beyond_the_others() {
    let naive = figure("naive", "max_queue_depth");
    let capacity = report().number("bounded_capacity").unwrap();
    for (what, other) in
        [("the bounded capacity", capacity), ("coalesced", figure("coalesced", "max_queue_depth"))]
    {
        assert!(naive >= 10.0 * other, "naive queued {naive} events, {what} {other}");
    }
}

#[test]
fn the_bounded_queue_stays_within_its_capacity() {
    let depth = figure("bounded", "max_queue_depth");
    let capacity = report().number("bounded_capacity").unwrap();
    assert!(depth >= 1.0 && depth <= capacity, "{depth} queued, capacity {capacity}");
}

#[test]
fn the_naive_queue_costs_memory_and_the_others_do_not() {
    let naive = figure("naive", "memory_growth_mib");
    let others =
        figure("bounded", "memory_growth_mib").max(figure("coalesced", "memory_growth_mib"));
    assert!(naive >= 2.0, "the naive queue grew resident memory by only {naive} MiB");
    assert!(naive > 4.0 * others, "naive +{naive} MiB, the others up to +{others} MiB");
}

#[test]
fn backpressure_slows_the_worker_down() {
    let bounded = figure("bounded", "worker_wall_ms");
    for other in ["naive", "coalesced"] {
        let wall = figure(other, "worker_wall_ms");
        assert!(bounded > wall, "bounded worker {bounded} ms, {other} worker {wall} ms");
    }
}

#[test]
fn naive_and_bounded_show_every_event_coalesced_far_fewer() {
    let events = report().number("events").unwrap();
    assert_eq!(figure("naive", "ui_updates"), events);
    assert_eq!(figure("bounded", "ui_updates"), events);
    let coalesced = figure("coalesced", "ui_updates");
    assert!(coalesced >= 1.0, "the coalesced run showed nothing");
    assert!(coalesced * 100.0 <= events, "coalesced showed {coalesced} of {events} events");
}

#[test]
fn backpressure_does_not_shrink_the_windows_work() {
    let (naive, bounded) = (figure("naive", "ui_busy_ms"), figure("bounded", "ui_busy_ms"));
    assert!(bounded > 0.5 * naive, "updates took {bounded} ms bounded, {naive} ms naive");
}

#[test]
fn a_coalesced_run_ends_even_while_the_window_is_hidden() {
    // The end comes from the worker's Finished event, not from a frame: a minimised window
    // paints nothing, and its run must not hang with every button greyed out.
    assert!(report().flag("coalesced_finished_while_hidden").unwrap());
}

#[test]
fn coalesced_shows_at_most_one_value_per_frame() {
    // One per frame, and the last value once more when the worker's job ends: the run's end
    // does not wait for a frame, and the frame that paints that last value comes after it.
    let (updates, frames) = (figure("coalesced", "ui_updates"), figure("coalesced", "frames"));
    assert!(updates <= frames + 1.0, "{updates} updates in {frames} frames");
}

#[test]
fn coalesced_lags_less_than_100_ms() {
    let lag = figure("coalesced", "max_lag_ms");
    assert!(lag < 100.0, "the coalesced window showed an event {lag} ms old");
}

#[test]
fn the_naive_window_drains_long_after_the_worker_is_done() {
    let (naive, coalesced) = (figure("naive", "drain_ms"), figure("coalesced", "drain_ms"));
    assert!(naive > coalesced, "naive drained in {naive} ms, coalesced in {coalesced} ms");
    let lag = figure("naive", "max_lag_ms");
    assert!(lag >= naive, "the last event waited {naive} ms, yet the worst lag was {lag} ms");
}

#[test]
fn the_naive_receive_loop_holds_the_main_loop_while_it_drains() {
    let (stall, drain) = (figure("naive", "heartbeat_max_gap_ms"), figure("naive", "drain_ms"));
    assert!(stall >= 0.9 * drain, "the longest stall was {stall} ms, the drain {drain} ms");
}

#[test]
fn coalesced_keeps_the_main_loop_free() {
    let stall = figure("coalesced", "heartbeat_max_gap_ms");
    assert!(stall < 100.0, "the main loop stalled for {stall} ms during the coalesced run");
    let (coalesced, naive) = (figure("coalesced", "ui_busy_ms"), figure("naive", "ui_busy_ms"));
    assert!(coalesced * 20.0 < naive, "updates took {coalesced} ms coalesced, {naive} ms naive");
}

#[test]
fn closing_mid_run_stops_the_worker_cleanly() {
    let report = report();
    assert!(report.flag("run_in_progress_at_close").unwrap());
    report.check_clean_shutdown(1000.0).unwrap();
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    check_command_line(Path::new(EXE)).unwrap();
}

#[test]
fn ctrl_c_sigterm_or_sighup_mid_work_shut_it_down_cleanly() {
    let _ = report(); // first, so that no other run of the lesson competes with its timings
    // 300 ms in, the naive run floods the main loop (its whole run is one stall, about 650 ms
    // in a debug build), and the signal's handler is a main-loop source like any other: it
    // waits for the flood to drain, as lesson 01's waits for the freeze. Hence 2.5 s.
    let (after, within) = (Duration::from_millis(300), Duration::from_millis(2500));
    check_stop_signals(Path::new(EXE), &["--work-ms", "1000"], after, within).unwrap();
}
