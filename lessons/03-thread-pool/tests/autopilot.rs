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
    // Lesson 01 stalls for the whole work; here the longest stall is a small fraction of it,
    // CPU batch included: its threads run at a lower priority than the window's.
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
fn the_status_line_says_what_is_going_on() {
    let shown = report().details["status_while_working"].as_str().unwrap();
    assert!(
        shown.contains("3 jobs running") && shown.contains("2 jobs waiting"),
        "with three jobs running and two queued, the window said: {shown}"
    );
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
fn a_cpu_bound_batch_runs_on_several_cores_at_once() {
    let batch = &report().details["cpu_batch"];
    assert_eq!(batch["results_agree"], true, "the two runs computed different results");
    // The pieces' CPU time over the batch's wall time. One thread is on one core at a time, so
    // its ratio cannot pass 1: the check that the measure is sound.
    let one = batch["one_thread_cpu_per_wall"].as_f64().unwrap();
    assert!(one > 0.0 && one <= 1.0, "{one} s of CPU per second on one thread");
    if batch["threads"].as_u64().unwrap() < 2 {
        return;
    }
    // Above 1, pieces ran on different cores at the same time. But the batch runs at a lower
    // priority and gives way to other busy programs: what it could have had is what it used
    // plus what stayed idle. On an idle machine that is every core, and the ratio must pass
    // 1.1 (it is near the core count). With one of two cores kept busy by another program it
    // is about one core, and the batch must still have taken nine tenths of it.
    let cpu_per_wall = batch["cpu_per_wall"].as_f64().unwrap();
    // Where the system does not tell its idle time, assume the machine was free.
    let idle_per_wall = batch["idle_per_wall"].as_f64().unwrap_or(f64::INFINITY);
    let left_to_the_batch = cpu_per_wall + idle_per_wall;
    assert!(
        cpu_per_wall > (0.9 * left_to_the_batch).min(1.1),
        "{cpu_per_wall} s of CPU per second, {idle_per_wall} s left idle ({}x faster)",
        batch["speedup"]
    );
}

#[test]
fn closing_the_window_stops_running_jobs_and_the_cpu_batch() {
    let report = report();
    assert_eq!(report.number("running_at_close").unwrap(), 2.0);
    assert!(report.flag("batch_running_at_close").unwrap());
    // A cancelled job stops within one step (work / 50), a running piece of the batch within
    // one piece (work / 32): far from the second the jobs would have run and the batch needs.
    // The window is freed too: the batch's future, which holds it, has ended.
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
