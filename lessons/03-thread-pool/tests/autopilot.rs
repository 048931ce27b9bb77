//! Lesson 03's claims, checked on a real run of its autopilot (under a display: `cargo xtask
//! test` provides Xvfb). One run serves every test; each test checks one claim.

use lesson_report::{Report, check_command_line, check_stop_signals, run_autopilot};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_lesson-03-thread-pool");
const WORK_MS: f64 = 1000.0;

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    REPORT.get_or_init(|| {
        run_autopilot(Path::new(EXE), &["--work-ms", "1000"], Duration::from_secs(120))
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

#[test]
fn the_main_loop_stays_free_while_the_pool_works() {
    // Lesson 01 stalls for the whole work; here the longest stall is a small fraction of it.
    let gap = report().heartbeat.max_gap_ms;
    assert!(gap < 50.0, "max gap {gap} ms while jobs ran on the pool");
}

#[test]
fn jobs_beyond_the_pool_size_queue_and_wait_for_a_free_thread() {
    let report = report();
    let threads = report.number("max_threads").unwrap();
    assert_eq!(report.number("jobs_queued").unwrap(), threads + 2.0);
    assert_eq!(report.number("max_running").unwrap(), threads, "never more than the pool's size");
    assert_eq!(report.number("max_queued").unwrap(), 2.0, "the two extra jobs queued");
    assert!(report.flag("queued_jobs_waited_for_a_finish").unwrap());
    // Three jobs at a time, five jobs: two rounds of work.
    assert!(report.work.wall_ms >= 2.0 * WORK_MS, "five jobs took {} ms", report.work.wall_ms);
}

#[test]
fn every_result_comes_back() {
    assert_eq!(
        report().number("results_collected").unwrap(),
        report().number("jobs_queued").unwrap()
    );
}

#[test]
fn a_panicking_job_shows_its_error_and_the_app_carries_on() {
    let report = report();
    let shown = report.details["error_shown"].as_str().unwrap();
    assert!(shown.contains("panicked: the input is a number"), "the window showed: {shown}");
    assert!(report.flag("pool_survived_panic").unwrap());
}

#[test]
fn a_cpu_bound_batch_runs_faster_on_every_core() {
    let batch = &report().details["cpu_batch"];
    assert_eq!(batch["results_agree"], true, "the two runs computed different results");
    let speedup = batch["speedup"].as_f64().unwrap();
    if batch["threads"].as_u64().unwrap() >= 2 {
        assert!(speedup > 1.2, "{speedup}x on {} threads", batch["threads"]);
    }
}

#[test]
fn closing_the_window_cancels_running_jobs_and_joins_the_pool() {
    let report = report();
    assert_eq!(report.number("running_at_close").unwrap(), 2.0);
    // A cancelled job stops within one step (work / 50): far from the second it would have run.
    report.check_clean_shutdown(500.0).unwrap();
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
