//! Lesson 08's claims, checked on a real run of its autopilot (under a
//! display: `cargo xtask test` provides Xvfb). One run serves every test;
//! each test checks one claim.

use lesson_report::{
    InputPath, Report, check_command_line, check_stop_signals, run_autopilot,
};
use std::path::Path;
use std::sync::OnceLock;
use std::time::Duration;

const EXE: &str = env!("CARGO_BIN_EXE_lesson-08-async-io");
const WORK_MS: f64 = 1000.0;
/// The longest stall a free main loop may show here. A quiet run stalls
/// for about one heartbeat interval or one frame (10 to 30 ms); on a loaded
/// two-core machine under Xvfb the process is sometimes not scheduled for
/// 100 ms or more, whatever its main loop does. A quarter of the work still
/// tells a free loop from a blocked one, which would stall for all of it.
const STALL_MS: f64 = 250.0;
/// What the main loop's usual gaps (the 99th percentile) must stay under.
const USUAL_MS: f64 = 100.0;

fn report() -> &'static Report {
    static REPORT: OnceLock<Report> = OnceLock::new();
    // `run_autopilot` fails unless the lesson exits 0, so every test here
    // also checks that.
    REPORT.get_or_init(|| {
        let args = ["--work-ms", "1000"];
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

/// The main loop stayed free over the stretch named `what`.
fn free(what: &str) {
    let gap = number(&format!("{what}.heartbeat_max_gap_ms"));
    assert!(gap < STALL_MS, "the main loop stalled {gap} ms in {what}");
}

#[test]
fn write_fills_the_file_and_leaves_the_main_loop_free() {
    let bytes = number("file.bytes");
    assert!(bytes >= 10.0 * 1024.0 * 1024.0, "a 1 s run writes ~13 MiB");
    assert_eq!(number("file.chunks"), 64.0);
    assert_eq!(bytes % 64.0, 0.0, "{bytes} bytes are not 64 whole chunks");
    free("write");
}

#[test]
fn both_reads_deliver_the_whole_file() {
    for read in ["read", "full_speed_read"] {
        assert_eq!(number(&format!("{read}.chunks")), 64.0, "{read}");
        assert_eq!(number(&format!("{read}.fraction")), 1.0, "{read}");
        let outcome = text(&format!("{read}.outcome"));
        assert!(outcome.starts_with("Read all 64 chunks"), "{outcome}");
    }
}

#[test]
fn the_main_loop_stays_free_during_the_slow_read() {
    free("read.stretch");
    // The window went on painting its live graph.
    let frames = number("read.stretch.frames_per_s");
    assert!(frames >= 20.0, "{frames} frames a second during the read");
    // The read took the whole work, and the main thread was asleep for
    // most of it: its CPU time, painting included, is a fraction of it.
    let wall = report().work.wall_ms;
    assert!(wall >= WORK_MS, "the slow read took {wall} ms");
    let cpu = number("read.main_thread_cpu_ms");
    assert!(cpu < 0.5 * wall, "the main thread ran {cpu} of {wall} ms");
}

#[test]
fn the_full_speed_read_is_far_faster_than_the_slow_disk() {
    let (fast, slow) =
        (number("full_speed_read.mib_per_s"), number("read.mib_per_s"));
    assert!(fast > 2.0 * slow, "{fast} MiB/s at full speed, {slow} slowly");
    free("full_speed_read.stretch");
}

#[test]
fn the_cancelled_read_stops_mid_way_as_cancelled_not_as_an_error() {
    let outcome = text("cancelled_read.outcome");
    assert!(outcome.starts_with("Cancelled"), "{outcome}");
    let at_cancel = number("cancelled_read.chunks_at_cancel");
    assert!(at_cancel >= 21.0, "Cancel came before a third of the read");
    assert!(at_cancel < 64.0, "the read had finished before Cancel");
    assert_eq!(number("cancelled_read.chunks_at_end"), at_cancel);
    assert_eq!(number("cancelled_read.progress_changes_after_cancel"), 0.0);
}

#[test]
fn cancel_takes_effect_quickly() {
    let took = number("cancelled_read.cancel_to_end_ms");
    assert!(took < 500.0, "the read ended {took} ms after Cancel");
}

#[test]
fn the_timer_future_waits_without_holding_the_main_loop() {
    let (asked, took) = (number("timer.asked_ms"), number("timer.took_ms"));
    assert_eq!(asked, WORK_MS);
    assert!(took >= asked, "the timer ended after {took} ms of {asked}");
    assert!(took < asked + 500.0, "the timer ended after {took} ms");
    free("timer.stretch");
}

#[test]
fn the_blocking_job_runs_on_gio_s_pool_and_the_main_loop_stays_free() {
    let outcome = text("checksum.outcome");
    assert!(outcome.contains("awaited"), "{outcome}");
    assert_eq!(number("checksum.bytes"), number("file.bytes"));
    // The job reads at the slow disk's pace, so it lasts the whole work:
    // on the main thread it would have stalled the loop for all of it.
    let took = number("checksum.took_ms");
    assert!(took >= WORK_MS, "the job took {took} ms");
    free("checksum.stretch");
}

#[test]
fn a_cancelled_blocking_job_ends_as_cancelled_not_as_an_error() {
    // The job's `IOErrorEnum::Cancelled` error is taken for what it is.
    assert_eq!(text("cancelled_checksum.outcome"), "Checksum: cancelled.");
    let took = number("cancelled_checksum.cancel_to_end_ms");
    assert!(took < 500.0, "the job answered {took} ms after Cancel");
}

#[test]
fn polling_for_the_answer_costs_many_times_what_awaiting_it_does() {
    let used = |how: &str, what: &str| number(&format!("waiting.{how}.{what}"));
    let (awaited, polled) = (text("waiting.awaited"), text("waiting.polled"));
    assert!(awaited.contains("awaited"), "{awaited}");
    assert!(polled.contains("polled"), "{polled}");
    let hash = |line: &str| line.split(" over ").next().map(str::to_owned);
    assert_eq!(hash(awaited), hash(polled), "the two jobs disagree");
    // The same wait, the whole work each time.
    for how in ["awaiting", "polling", "idle"] {
        let wall = used(how, "wall_ms");
        assert!(wall >= 0.9 * WORK_MS, "{how}: {wall} ms");
    }
    let wakeups = |how| used(how, "wakeups");
    let cpu = |how| used(how, "cpu_ms");
    // Awaiting wakes the main thread no more than having nothing to wait
    // for: the heartbeat's 100 times a second, give or take a few.
    let (idle, awaiting) = (wakeups("idle"), wakeups("awaiting"));
    assert!(awaiting <= 1.2 * idle + 10.0, "{awaiting} wake-ups, idle {idle}");
    // Polling every millisecond wakes it hundreds of times more a second.
    let polling = wakeups("polling");
    assert!(polling - idle >= 0.4 * WORK_MS, "{polling} wake-ups, {idle} idle");
    assert!(polling >= 4.0 * awaiting, "{polling} wake-ups, {awaiting}");
    // The main thread's CPU time for the loop's own business (the heartbeat,
    // the kit's timers) varies from one stretch to the next by several
    // milliseconds on a loaded machine, as much as awaiting's whole cost: so
    // compare what each way of waiting adds over idle. Polling adds a cost
    // of its own; awaiting adds under half of that, and usually nothing.
    let idle_ms = cpu("idle");
    let polled = cpu("polling") - idle_ms;
    let awaited = cpu("awaiting") - idle_ms;
    let shown = format!(
        "over idle's {idle_ms} ms: polling {polled:+}, awaiting {awaited:+}"
    );
    assert!(polled >= 5.0, "{shown}");
    assert!(awaited <= 0.5 * polled, "{shown}");
}

#[test]
fn gio_reads_a_regular_file_on_its_pool_not_by_polling() {
    // The chapter's claim about where gio's async file reads happen.
    assert!(!flag("file.pollable"));
}

#[test]
fn the_window_stays_free_and_answers_real_clicks_promptly() {
    let report = report();
    let heartbeat = &report.heartbeat;
    assert!(heartbeat.max_gap_ms < STALL_MS, "{}", heartbeat.max_gap_ms);
    // Over the four seconds or so from the slow read to the cancelled job:
    // 300 to 400 ticks, so that the 99th percentile leaves out the three or
    // four longest gaps. (Over the one-second read, it would be the longest
    // of its hundred.)
    let usual = heartbeat.p99_gap_ms;
    assert!(usual < USUAL_MS, "the 99th percentile gap was {usual} ms");
    let frames = &report.frames;
    assert!(frames.per_s >= 20.0, "{frames:?}");
    assert!(frames.max_interval_ms < STALL_MS, "{frames:?}");
    let input = &report.input;
    assert_eq!(input.path, InputPath::Xtest, "not real X input");
    assert!(input.to_handler_ms.max < STALL_MS, "{input:?}");
    assert!(input.to_paint_ms.max < STALL_MS, "{input:?}");
}

#[test]
fn closing_mid_read_shuts_down_cleanly_and_removes_the_file() {
    let report = report();
    assert!(flag("read_running_at_close"));
    report.check_clean_shutdown(1000.0).unwrap();
    // The report is printed after shutdown, and the process has exited.
    let path = text("file.path");
    let dir = Path::new(path).parent().expect("the file is in a directory");
    assert!(dir.starts_with(std::env::temp_dir()), "{}", dir.display());
    assert!(!dir.exists(), "{} is still there", dir.display());
}

#[test]
fn bad_input_gets_one_line_and_exit_2() {
    check_command_line(Path::new(EXE)).unwrap();
}

#[test]
fn ctrl_c_sigterm_or_sighup_mid_work_shut_it_down_cleanly() {
    // First, so that no other run of the lesson competes with its timings.
    let _ = report();
    let (after, within) =
        (Duration::from_millis(300), Duration::from_millis(1000));
    let args = ["--work-ms", "1000"];
    check_stop_signals(Path::new(EXE), &args, after, within).unwrap();
}
