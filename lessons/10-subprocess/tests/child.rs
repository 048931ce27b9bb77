//! The child the lesson runs (the lesson's binary in its child mode), run
//! alone and signalled from here; what a process isolates that a thread
//! does not; and what signals and `gio::Subprocess` leave running. No
//! display needed.

use gtk::gio;
use nix::sys::signal::{Signal, kill};
use nix::unistd::Pid;
use std::ffi::OsStr;
use std::io::Read;
use std::os::unix::process::ExitStatusExt;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

const EXE: &str = env!("CARGO_BIN_EXE_lesson-10-subprocess");
/// How soon a child that answers SIGTERM must be gone, one core busy or not.
const PROMPT: Duration = Duration::from_millis(250);

fn child(args: &[&str]) -> Child {
    Command::new(EXE)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the lesson's binary starts")
}

fn pause(duration: Duration) {
    #[expect(
        clippy::disallowed_methods,
        reason = "a test pacing what it does to a process, not a main loop"
    )]
    std::thread::sleep(duration);
}

/// The child's exit status within `within`, and when it came; a child
/// still running then is killed, reaped, and the test fails.
fn exit_within(child: &mut Child, within: Duration) -> (ExitStatus, Duration) {
    let started = Instant::now();
    loop {
        if let Some(status) = child.try_wait().expect("try_wait works") {
            return (status, started.elapsed());
        }
        if started.elapsed() > within {
            let _ = child.kill();
            #[expect(
                clippy::disallowed_methods,
                reason = "a test reaping the child it killed, not a main loop"
            )]
            let _ = child.wait();
            panic!("the child was still running {within:?} later");
        }
        pause(Duration::from_millis(2));
    }
}

/// What the child printed, once it has exited.
fn stdout(child: &mut Child) -> String {
    let mut text = String::new();
    let pipe = child.stdout.as_mut().expect("stdout was piped");
    pipe.read_to_string(&mut text).expect("the output is text");
    text
}

fn signal(child: &Child, signal: Signal) {
    let pid = Pid::from_raw(i32::try_from(child.id()).expect("a pid"));
    kill(pid, signal).expect("the child is there to signal");
}

#[test]
fn it_prints_its_lines_at_its_pace_and_exits_0() {
    let started = Instant::now();
    let mut child = child(&["--child-lines", "5", "--child-pace-ms", "40"]);
    let (status, _) = exit_within(&mut child, Duration::from_secs(10));
    assert!(started.elapsed() >= Duration::from_millis(200));
    assert!(status.success(), "{status}");
    let lines: Vec<String> =
        (1..=5).map(|n| format!("line {n} of 5")).collect();
    assert_eq!(stdout(&mut child), lines.join("\n") + "\n");
}

#[test]
fn sigterm_ends_it_at_once_with_code_143() {
    let mut child = child(&["--child-lines", "100", "--child-pace-ms", "100"]);
    pause(Duration::from_millis(150));
    signal(&child, Signal::SIGTERM);
    let (status, took) = exit_within(&mut child, Duration::from_secs(5));
    assert!(took < PROMPT, "it exited {took:?} after SIGTERM");
    assert_eq!(status.code(), Some(143), "{status}");
    let out = stdout(&mut child);
    let last = out.lines().last().unwrap_or_default();
    assert!(last.starts_with("SIGTERM: stopping after line"), "{out}");
}

#[test]
fn with_ignore_term_it_goes_on_until_sigkill() {
    let args =
        ["--child-lines", "100", "--child-pace-ms", "50", "--ignore-term"];
    let mut child = child(&args);
    pause(Duration::from_millis(150));
    signal(&child, Signal::SIGTERM);
    pause(Duration::from_millis(500));
    let running = child.try_wait().expect("try_wait works").is_none();
    signal(&child, Signal::SIGKILL);
    let (status, took) = exit_within(&mut child, Duration::from_secs(5));
    assert!(running, "SIGTERM ended it: {status}");
    assert!(took < PROMPT, "it exited {took:?} after SIGKILL");
    assert_eq!(status.signal(), Some(Signal::SIGKILL as i32), "{status}");
    let out = stdout(&mut child);
    let (before, after) = out.split_once("SIGTERM ignored\n").expect(&out);
    assert!(before.lines().count() >= 1, "{out}");
    assert!(after.lines().count() >= 4, "it stopped printing: {out}");
}

#[test]
fn crash_after_aborts_right_after_that_line() {
    let args =
        ["--child-lines", "10", "--child-pace-ms", "5", "--crash-after", "3"];
    let mut child = child(&args);
    let (status, _) = exit_within(&mut child, Duration::from_secs(10));
    assert_eq!(status.signal(), Some(Signal::SIGABRT as i32), "{status}");
    let lines = "line 1 of 10\nline 2 of 10\nline 3 of 10\n";
    assert_eq!(stdout(&mut child), lines);
}

#[test]
fn bad_child_options_get_one_line_and_exit_2() {
    for args in [&["--child-lines", "many"][..], &["--child-lines", "2", "--x"]]
    {
        let mut child = child(args);
        let (status, _) = exit_within(&mut child, Duration::from_secs(10));
        assert_eq!(status.code(), Some(2), "{args:?}: {status}");
        let mut err = String::new();
        let pipe = child.stderr.as_mut().expect("stderr was piped");
        pipe.read_to_string(&mut err).expect("text");
        assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
    }
}

/// Set when this test binary runs again as the process whose thread aborts.
const ABORTING: &str = "LESSON_10_ABORT_IN_A_THREAD";

#[test]
fn an_abort_in_a_thread_ends_the_whole_process() {
    if std::env::var_os(ABORTING).is_some() {
        let thread = std::thread::spawn(|| std::process::abort());
        pause(Duration::from_secs(2));
        println!("the main thread lived on");
        #[expect(
            clippy::disallowed_methods,
            reason = "a test's own thread, not a main loop; never reached"
        )]
        let _ = thread.join();
        return;
    }
    let name = "an_abort_in_a_thread_ends_the_whole_process";
    let mut again = Command::new(std::env::current_exe().expect("a path"));
    again.args(["--exact", name, "--nocapture", "--test-threads", "1"]);
    let mut process = again
        .env(ABORTING, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("the test binary starts");
    let (status, _) = exit_within(&mut process, Duration::from_secs(10));
    assert_eq!(status.signal(), Some(Signal::SIGABRT as i32), "{status}");
    let out = stdout(&mut process);
    assert!(!out.contains("lived on"), "{out}");
}

#[test]
fn sigterm_to_a_shell_leaves_the_sleep_it_runs() {
    let marker = format!("LESSON_10_SHELL_TEST={}", std::process::id());
    let (name, value) = marker.split_once('=').expect("a name and a value");
    let script = "for i in 1 2 3; do echo line $i; sleep 1; done";
    let mut shell = Command::new("sh")
        .args(["-c", script])
        .env(name, value)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .expect("sh starts");
    pause(Duration::from_millis(300));
    signal(&shell, Signal::SIGTERM);
    let (status, _) = exit_within(&mut shell, Duration::from_secs(5));
    let left = processes_with(marker.as_bytes());
    let commands: Vec<Vec<u8>> = left
        .iter()
        .map(|pid| std::fs::read(format!("/proc/{pid}/cmdline")))
        .map(Result::unwrap_or_default)
        .collect();
    for pid in &left {
        let _ = kill(Pid::from_raw(*pid), Signal::SIGKILL);
    }
    assert_eq!(status.signal(), Some(Signal::SIGTERM as i32), "{status}");
    assert_eq!(commands, [b"sleep\x001\0".to_vec()], "the shell's sleep");
}

#[test]
fn dropping_a_subprocess_neither_kills_nor_loses_the_child() {
    let argv = [EXE, "--child-lines", "100", "--child-pace-ms", "50"];
    let flags = gio::SubprocessFlags::STDOUT_SILENCE;
    let child = gio::Subprocess::newv(&argv.map(OsStr::new), flags).unwrap();
    let id = child.identifier().expect("a running child has one");
    let pid: i32 = id.parse().expect("a process id");
    drop(child);
    pause(Duration::from_millis(300));
    let cmdline = std::fs::read(format!("/proc/{pid}/cmdline"));
    let running = cmdline.is_ok_and(|c| c.starts_with(EXE.as_bytes()));
    kill(Pid::from_raw(pid), Signal::SIGKILL).expect("it is there to kill");
    // glib still watches it, and reaps it: its entry in /proc goes away.
    let started = Instant::now();
    while std::fs::exists(format!("/proc/{pid}")).unwrap_or(false) {
        assert!(started.elapsed() < Duration::from_secs(2), "never reaped");
        pause(Duration::from_millis(2));
    }
    assert!(running, "the child ended when its Subprocess was dropped");
}

/// Live processes whose environment holds `entry`.
fn processes_with(entry: &[u8]) -> Vec<i32> {
    let Ok(proc) = std::fs::read_dir("/proc") else { return Vec::new() };
    let pids =
        proc.flatten().filter_map(|e| e.file_name().to_str()?.parse().ok());
    pids.filter(|pid: &i32| {
        let environ = std::fs::read(format!("/proc/{pid}/environ"));
        environ.is_ok_and(|env| env.split(|b| *b == 0).any(|e| e == entry))
    })
    .collect()
}
