//! What every lesson shares, so that a lesson's own files hold only its pattern
//! and its scenario.
//!
//! A lesson implements [`Lesson`] in its pattern file: it builds its widgets
//! into the [`Stage`] (a window that already has the ticking counter, the live
//! graph, a status line and the probes) and says how it shuts down. In
//! `autopilot.rs` it implements [`Autopilot`]: the scenario that presses its
//! buttons with real clicks and reports what happened. Its `main` is one line:
//! `lesson_kit::run::<MyLesson>()`.

mod drive;
mod facts;
mod frames;
mod graph;
mod heartbeat;
mod input;
mod lesson;
mod log;
mod marks;
mod options;
mod pilot;
mod screenshot;
mod settle;
mod signals;
mod watch;
mod watchdog;
mod window;

pub use frames::FrameProbe;
pub use heartbeat::{HEARTBEAT_INTERVAL, HeartbeatProbe};
pub use lesson::{Autopilot, Lesson, Stage};
pub use lesson_report::{FrameStats, HeartbeatStats, InputStats, Work, ms};
pub use marks::mark;
pub use options::{About, Options, Parsed, WORK_MS_RANGE, parse};
pub use pilot::{Findings, Measured, Pilot, Pressed, ScenarioError, Span};
pub use watch::Watch;
pub use window::{LessonWindow, WeakLessonWindow};

use gtk::prelude::*;
use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;
use std::time::{Duration, Instant};

/// Exit code for a mistake in how the lesson was started (bad option, no
/// display).
pub const EXIT_USAGE: u8 = 2;
/// Exit code for an autopilot scenario that could not prove its claims.
pub const EXIT_SCENARIO_FAILED: u8 = 1;

/// Parses the command line, opens the lesson's window and runs the main loop
/// until it closes.
pub fn run<L: Autopilot>() -> ExitCode {
    let about = L::ABOUT;
    let options = match options::parse(&about, std::env::args_os().skip(1)) {
        Ok(Parsed::Run(options)) => options,
        Ok(Parsed::Help(text)) => {
            print!("{text}");
            return ExitCode::SUCCESS;
        }
        Err(message) => {
            eprintln!("{}: {message}", about.id);
            return ExitCode::from(EXIT_USAGE);
        }
    };
    if gtk::init().is_err() {
        eprintln!(
            "{}: cannot open a display: run it in a desktop session, or headless under `xvfb-run -a`",
            about.id
        );
        return ExitCode::from(EXIT_USAGE);
    }

    let app = gtk::Application::builder()
        .application_id(format!("org.gtkthreadingpatterns.{}", about.id))
        // Every run is its own process: tests start several lessons at once.
        .flags(gtk::gio::ApplicationFlags::NON_UNIQUE)
        .build();
    let stopped = signals::quit_on_stop_signals(&app);
    let lesson: Rc<RefCell<Option<Rc<L>>>> = Rc::default();
    let window: Rc<RefCell<Option<glib::WeakRef<gtk::ApplicationWindow>>>> =
        Rc::default();
    let shutdown: Rc<RefCell<Option<Ended>>> = Rc::default();
    let autopilot = options
        .autopilot
        .then(|| Rc::new(drive::AutopilotRun::new(about.id, &options)));

    app.connect_activate(glib::clone!(
        #[strong]
        lesson,
        #[strong]
        window,
        #[strong]
        autopilot,
        move |app| {
            if lesson.borrow().is_some() {
                return;
            }
            let probe = Rc::new(HeartbeatProbe::start(HEARTBEAT_INTERVAL));
            let lesson_window =
                LessonWindow::new(app, about.title, probe.clone());
            *window.borrow_mut() = Some(lesson_window.gtk_window().downgrade());
            let stage = Stage {
                window: lesson_window.clone(),
                options: options.clone(),
            };
            let built = Rc::new(L::build(&stage));
            *lesson.borrow_mut() = Some(built.clone());
            lesson_window.gtk_window().present();
            if let Some(run) = &autopilot {
                let gtk_window = lesson_window.gtk_window().clone();
                let frames = lesson_window.frames();
                let pilot = Pilot::new(
                    probe,
                    frames,
                    gtk_window,
                    options.screenshot.clone(),
                );
                glib::spawn_future_local(run.clone().drive(
                    built,
                    Rc::new(pilot),
                    lesson_window,
                ));
            }
        }
    ));
    app.connect_shutdown(glib::clone!(
        #[strong]
        lesson,
        #[strong]
        shutdown,
        move |_| {
            if let Some(lesson) = lesson.borrow_mut().take() {
                let outcome = lesson.shutdown();
                *shutdown.borrow_mut() =
                    Some(Ended { outcome, at: Instant::now() });
            }
        }
    ));

    app.run_with_args(&[about.id]);
    // The report comes last, after the window closed and the lesson shut down,
    // so that it can say how the shutdown went and whether anything still holds
    // the window.
    drop(lesson);
    let window = window.take();
    let finalized = window.is_none_or(|window| wait_for_finalization(&window));
    let ended = shutdown.take();
    if let Some(stopped) = stopped.get() {
        eprintln!(
            "{}: {}: {}",
            about.id,
            stopped.name,
            describe(ended.as_ref(), stopped.at)
        );
        return ExitCode::from(stopped.exit_code());
    }
    match (autopilot, ended) {
        (Some(run), ended) => ExitCode::from(run.finish(ended, finalized)),
        (None, Some(Ended { outcome: Err(message), .. })) => {
            eprintln!("{}: shutdown: {message}", about.id);
            ExitCode::FAILURE
        }
        (None, _) => ExitCode::SUCCESS,
    }
}

/// What the lesson's `shutdown` returned, and when.
pub(crate) struct Ended {
    pub(crate) outcome: Result<(), String>,
    pub(crate) at: Instant,
}

fn describe(ended: Option<&Ended>, since: Instant) -> String {
    match ended {
        Some(Ended { outcome: Ok(()), at }) => {
            format!(
                "shut down cleanly in {:.0} ms",
                ms(at.saturating_duration_since(since))
            )
        }
        Some(Ended { outcome: Err(message), .. }) => {
            format!("shutdown failed: {message}")
        }
        None => "the lesson never started, so there was nothing to shut down"
            .to_owned(),
    }
}

/// Whether the window is gone once the application has ended. Futures spawned
/// on the main loop may still hold parts of it until they see their channels
/// close, so the loop runs a little longer (half a second at most) to let them
/// end. A reference cycle keeps the window forever.
fn wait_for_finalization(
    window: &glib::WeakRef<gtk::ApplicationWindow>,
) -> bool {
    let context = glib::MainContext::default();
    let deadline = Instant::now() + Duration::from_millis(500);
    // Something must wake the loop up to look at the deadline, whatever else is
    // left on it.
    let alarm = glib::timeout_add_local(Duration::from_millis(10), || {
        glib::ControlFlow::Continue
    });
    let mut finalized = true;
    while window.upgrade().is_some() {
        if Instant::now() > deadline {
            finalized = false;
            break;
        }
        #[expect(
            clippy::disallowed_methods,
            reason = "the application has ended: this is the last of the main loop, run by hand"
        )]
        context.iteration(true);
    }
    alarm.remove();
    finalized
}
