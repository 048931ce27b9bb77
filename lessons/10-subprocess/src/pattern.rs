//! Lesson 10's pattern: a child process run with `gio::Subprocess` from the
//! main loop, with no thread of the lesson's own. Its stdout is read line by
//! line with gio's async reads, its end awaited with `wait_future`. Stop
//! asks it to end with SIGTERM, and ends it with SIGKILL after a grace
//! period. Run blocking! does it the wrong way, for contrast: std's
//! `Command::output()` inside the click handler.

use crate::child::Script;
use crate::running::{Running, Stopping};
use crate::view::View;
use gtk::gio;
use gtk::prelude::*;
use lesson_kit::{About, Lesson, Stage};
use nix::sys::signal::Signal;
use std::cell::RefCell;
use std::ffi::{OsStr, OsString};
use std::path::PathBuf;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// How long Stop leaves the child to end by itself before SIGKILL.
pub const GRACE: Duration = Duration::from_millis(500);
/// The child's lines: a whole run prints them over `--work-ms`.
pub const LINES: u32 = 20;
/// Run crashing's child aborts after this line.
pub const CRASH_AFTER: u32 = 5;
/// How long shutdown waits for glib to reap a child it has just killed.
const REAP_WITHIN: Duration = Duration::from_secs(2);

pub struct ChildProcess {
    pub app: Rc<App>,
}

pub struct App {
    pub view: View,
    /// This program's own path: the child is this program in its child mode.
    exe: PathBuf,
    /// A run to its end: `LINES` lines, one every `--work-ms / LINES`.
    pub script: Script,
    running: RefCell<Option<Running>>,
}

impl App {
    // ANCHOR: start
    /// Starts the child with its stdout on a pipe, and follows it from a
    /// future on the main loop.
    fn start(self: &Rc<Self>, script: Script) {
        let mut argv = vec![OsString::from(&self.exe)];
        argv.extend(script.args().into_iter().map(OsString::from));
        let argv: Vec<&OsStr> = argv.iter().map(OsString::as_os_str).collect();
        // Its stdout on a pipe of ours, and its stderr into the same pipe,
        // so that its complaints show up in the window too.
        let flags = gio::SubprocessFlags::STDOUT_PIPE
            | gio::SubprocessFlags::STDERR_MERGE;
        let child = match gio::Subprocess::newv(&argv, flags) {
            Ok(child) => child,
            Err(e) => {
                let text = format!("Could not start the child: {e}");
                return self.view.show_child(&text, true);
            }
        };
        // The process id: glib forgets it once it has reaped the child.
        let pid = child.identifier().map(String::from).unwrap_or_default();
        let task = glib::spawn_future_local(self.clone().follow(child.clone()));
        let (started, stopping) = (Instant::now(), None);
        let running = Running { child, pid, started, lines: 0, task, stopping };
        *self.running.borrow_mut() = Some(running);
        self.view.clear_output();
        self.show_running();
        self.refresh();
    }
    // ANCHOR_END: start

    // ANCHOR: follow
    /// Shows the child's lines as they come, then how it ended. Each
    /// `.await` gives the main loop back until gio has something for it.
    async fn follow(self: Rc<Self>, child: gio::Subprocess) {
        let pipe = child.stdout_pipe().expect("spawned with STDOUT_PIPE");
        let stdout = gio::DataInputStream::new(&pipe);
        let read = loop {
            match stdout.read_line_future(glib::Priority::DEFAULT).await {
                Ok(Some(line)) => self.line(&String::from_utf8_lossy(&line)),
                // End of file: no process holds the pipe open any more.
                Ok(None) => break Ok(()),
                // A child whose output is lost is not left to run unseen.
                Err(e) => {
                    child.force_exit();
                    break Err(e);
                }
            }
        };
        // Its exit code or signal is known once glib has reaped it.
        let reaped = child.wait_future().await;
        self.ended(&child, read.and(reaped));
    }
    // ANCHOR_END: follow

    fn line(&self, line: &str) {
        if let Some(run) = self.running.borrow_mut().as_mut() {
            run.lines += 1;
        }
        self.view.show_line(line);
        self.show_running();
    }

    // ANCHOR: stop
    /// Stop: asks the child to end (SIGTERM), and ends it (SIGKILL) if it
    /// is still there after the grace period.
    fn stop(self: &Rc<Self>) {
        let mut running = self.running.borrow_mut();
        let Some(run) = running.as_mut().filter(|r| r.stopping.is_none())
        else {
            return;
        };
        let asked = Instant::now();
        run.child.send_signal(Signal::SIGTERM as i32);
        let (app, child) = (Rc::downgrade(self), run.child.clone());
        let grace = glib::spawn_future_local(async move {
            // At the timeout the wait is dropped, which cancels the wait,
            // not the child.
            let waited = glib::future_with_timeout(GRACE, child.wait_future());
            if waited.await.is_err() {
                child.force_exit();
                if let Some(app) = app.upgrade() {
                    app.killed();
                }
            }
        });
        run.stopping = Some(Stopping { asked, killed: None, grace });
        drop(running);
        self.show_running();
        self.refresh();
    }
    // ANCHOR_END: stop

    fn killed(&self) {
        if let Some(run) = self.running.borrow_mut().as_mut()
            && let Some(stopping) = run.stopping.as_mut()
        {
            stopping.killed = Some(Instant::now());
        }
        self.show_running();
    }

    /// The child is gone: says how, and frees the buttons.
    fn ended(&self, child: &gio::Subprocess, read: Result<(), glib::Error>) {
        let Some(run) = self.running.borrow_mut().take() else { return };
        if let Some(stopping) = &run.stopping {
            stopping.grace.abort();
        }
        let (text, error) = run.ending(child, read);
        self.view.show_child(&text, error);
        self.refresh();
    }

    fn show_running(&self) {
        if let Some(run) = self.running.borrow().as_ref() {
            self.view.show_child(&run.describe(), false);
        }
    }

    fn refresh(&self) {
        let running = self.running.borrow();
        let stopping = running.as_ref().is_some_and(|r| r.stopping.is_some());
        self.view.refresh(running.is_some(), stopping);
    }

    // ANCHOR: blocking
    /// Run blocking!: the same child, run with std's `Command::output()`
    /// inside the click handler, which returns once the child has exited.
    fn run_blocking(&self) {
        // Never painted: the main loop is stuck below until the child ends.
        self.view.show_child("Running the child, blocking...", false);
        let started = Instant::now();
        let mut command = std::process::Command::new(&self.exe);
        command.args(self.script.args());
        #[expect(
            clippy::disallowed_methods,
            reason = "lesson 10 waits for a child in a click handler on \
                      purpose: the frozen window is what Run blocking! shows"
        )]
        let output = command.output();
        let took = started.elapsed().as_secs_f64();
        self.view.clear_output();
        let (text, error) = match output {
            Ok(output) => {
                let stdout = String::from_utf8_lossy(&output.stdout);
                stdout.lines().for_each(|line| self.view.show_line(line));
                let n = stdout.lines().count();
                let status = output.status;
                let text = format!(
                    "Blocking run: {status} after {took:.2} s; {n} lines, \
                     all at once."
                );
                (text, !status.success())
            }
            Err(e) => (format!("Could not run the child: {e}"), true),
        };
        self.view.show_child(&text, error);
    }
    // ANCHOR_END: blocking

    // ANCHOR: shutdown
    /// The window closed: a child still running is killed, and waited for,
    /// so that it does not outlive the lesson.
    fn shutdown(&self) -> Result<(), String> {
        let Some(run) = self.running.borrow_mut().take() else { return Ok(()) };
        run.task.abort();
        if let Some(stopping) = &run.stopping {
            stopping.grace.abort();
        }
        run.child.force_exit();
        reap(&run.child, REAP_WITHIN).map_err(|()| {
            let pid = &run.pid;
            format!("child {pid} still there {REAP_WITHIN:?} after SIGKILL")
        })
    }
    // ANCHOR_END: shutdown
}

// ANCHOR: reap
/// Waits, for at most `within`, until glib's worker thread has reaped
/// `child`: glib forgets its process id then.
fn reap(child: &gio::Subprocess, within: Duration) -> Result<(), ()> {
    let deadline = Instant::now() + within;
    while child.identifier().is_some() {
        if Instant::now() > deadline {
            return Err(());
        }
        #[expect(
            clippy::disallowed_methods,
            reason = "at shutdown, with the main loop over: a millisecond at \
                      a time, until glib has reaped the child it just killed"
        )]
        std::thread::sleep(Duration::from_millis(1));
    }
    Ok(())
}
// ANCHOR_END: reap

impl Lesson for ChildProcess {
    const ABOUT: About = About {
        id: env!("CARGO_PKG_NAME"),
        title: env!("CARGO_PKG_DESCRIPTION"),
        summary: "Run starts a child process (this program in its child \
                  mode, printing numbered lines) with gio::Subprocess, shows \
                  its lines as they come, read asynchronously on the main \
                  loop, and then its exit status. Stop sends SIGTERM, then \
                  SIGKILL after half a second; Run stubborn's child ignores \
                  SIGTERM, Run crashing's aborts. Run blocking! runs it with \
                  Command::output() in the click handler: the window \
                  freezes.",
        default_work: Duration::from_secs(5),
    };

    fn build(stage: &Stage) -> Self {
        let work = stage.options.work;
        let app = Rc::new(App {
            view: View::new(&stage.window),
            exe: std::env::current_exe().expect("the lesson finds itself"),
            script: Script {
                lines: LINES,
                pace: work / LINES,
                ignore_term: false,
                crash_after: None,
            },
            running: RefCell::default(),
        });
        app.refresh();
        stage.window.set_status(
            "No thread of the lesson's own: gio reads the child's output, \
             glib reaps it.",
        );
        connect(&app);
        Self { app }
    }

    fn shutdown(&self) -> Result<(), String> {
        self.app.shutdown()
    }
}

// ANCHOR: buttons
fn connect(app: &Rc<App>) {
    let plain = app.script;
    let stubborn = Script { ignore_term: true, ..plain };
    let crashing = Script { crash_after: Some(CRASH_AFTER), ..plain };
    let view = &app.view;
    on(app, &view.run, move |app| app.start(plain));
    on(app, &view.run_stubborn, move |app| app.start(stubborn));
    on(app, &view.run_crashing, move |app| app.start(crashing));
    on(app, &view.stop, |app| app.stop());
    on(app, &view.run_blocking, |app| app.run_blocking());
}

fn on(app: &Rc<App>, button: &gtk::Button, act: impl Fn(&Rc<App>) + 'static) {
    button.connect_clicked(glib::clone!(
        #[weak]
        app,
        move |_| act(&app)
    ));
}
// ANCHOR_END: buttons
