//! What every lesson shares, so that a lesson's own file holds only its pattern.
//!
//! A lesson implements [`Lesson`]: it builds its widgets into the [`Stage`] (a window that already
//! has the ticking counter, a status line and a heartbeat probe), and it scripts an autopilot
//! scenario that presses its own buttons and reports what happened. Its `main` is one line:
//! `lesson_kit::run::<MyLesson>()`.

mod drive;
mod facts;
mod heartbeat;
mod options;
mod pilot;
mod screenshot;
mod watchdog;
mod window;

pub use heartbeat::{HEARTBEAT_INTERVAL, HeartbeatProbe};
pub use lesson_report::{HeartbeatStats, ms};
pub use options::{About, Options, Parsed, WORK_MS_RANGE, parse};
pub use pilot::{Findings, Pilot, Pressed, ScenarioError};
pub use window::LessonWindow;

use gtk::prelude::*;
use serde::Serialize;
use std::cell::RefCell;
use std::process::ExitCode;
use std::rc::Rc;

/// Exit code for a mistake in how the lesson was started (bad option, no display).
pub const EXIT_USAGE: u8 = 2;
/// Exit code for an autopilot scenario that could not prove its claims.
pub const EXIT_SCENARIO_FAILED: u8 = 1;

/// What a lesson is given to build itself into.
pub struct Stage {
    pub window: LessonWindow,
    pub options: Options,
}

/// One lesson: its widgets and handlers, and the scenario its autopilot plays.
pub trait Lesson: Sized + 'static {
    const ABOUT: About;
    /// The lesson's own report fields, flattened next to the common ones.
    type Details: Serialize;

    /// Adds the lesson's widgets to the stage and connects its handlers.
    fn build(stage: &Stage) -> Self;

    /// The scripted scenario `--autopilot` runs on the main loop once the window is up.
    fn autopilot(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> impl Future<Output = Result<Findings<Self::Details>, ScenarioError>>;

    /// Called once when the application shuts down (the window was closed or the autopilot
    /// ended): stop workers and join threads here, so nothing is lost and nothing hangs. An error
    /// says what could not be stopped; the autopilot's report records it as an unclean shutdown.
    fn shutdown(&self) -> Result<(), String> {
        Ok(())
    }
}

/// Parses the command line, opens the lesson's window and runs the main loop until it closes.
pub fn run<L: Lesson>() -> ExitCode {
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
    let lesson: Rc<RefCell<Option<Rc<L>>>> = Rc::default();
    let autopilot =
        options.autopilot.then(|| Rc::new(drive::AutopilotRun::new(about.id, &options)));

    app.connect_activate(glib::clone!(
        #[strong]
        lesson,
        #[strong]
        autopilot,
        move |app| {
            if lesson.borrow().is_some() {
                return;
            }
            let probe = Rc::new(HeartbeatProbe::start(HEARTBEAT_INTERVAL));
            let window = LessonWindow::new(app, about.title, probe.clone());
            let stage = Stage { window: window.clone(), options: options.clone() };
            let built = Rc::new(L::build(&stage));
            *lesson.borrow_mut() = Some(built.clone());
            window.gtk_window().present();
            if let Some(run) = &autopilot {
                let pilot =
                    Pilot::new(probe, window.gtk_window().clone(), options.screenshot.clone());
                glib::spawn_future_local(run.clone().drive(built, Rc::new(pilot), window));
            }
        }
    ));
    app.connect_shutdown(glib::clone!(
        #[strong]
        lesson,
        #[strong]
        autopilot,
        move |_| {
            if let Some(lesson) = lesson.borrow_mut().take() {
                let outcome = lesson.shutdown();
                if let Some(run) = &autopilot {
                    run.shut_down(outcome);
                } else if let Err(message) = outcome {
                    eprintln!("{}: shutdown: {message}", about.id);
                }
            }
        }
    ));

    app.run_with_args(&[about.id]);
    // The report comes last, after the window closed and the lesson shut down, so that it can
    // say how the shutdown went.
    match autopilot {
        Some(run) => ExitCode::from(run.finish()),
        None => ExitCode::SUCCESS,
    }
}
