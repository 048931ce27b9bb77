//! What every lesson shares, so that a lesson's own file holds only its pattern.
//!
//! A lesson implements [`Lesson`]: it builds its widgets into the [`Stage`] (a window that already
//! has the ticking counter, a status line and a heartbeat probe), and it scripts an autopilot
//! scenario that presses its own buttons and reports what happened. Its `main` is one line:
//! `lesson_kit::run::<MyLesson>()`.

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
use lesson_report::{Report, Work};
use serde::Serialize;
use std::cell::{Cell, RefCell};
use std::process::ExitCode;
use std::rc::Rc;
use std::time::Duration;

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
    /// ended): stop workers and join threads here, so nothing is lost and nothing hangs.
    fn shutdown(&self) {}
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
    let status = Rc::new(Cell::new(0u8));
    let lesson: Rc<RefCell<Option<Rc<L>>>> = Rc::default();

    app.connect_activate(glib::clone!(
        #[strong]
        status,
        #[strong]
        lesson,
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
            if options.autopilot {
                glib::spawn_future_local(drive(
                    built,
                    probe,
                    window,
                    options.clone(),
                    status.clone(),
                ));
            }
        }
    ));
    app.connect_shutdown(glib::clone!(
        #[strong]
        lesson,
        move |_| {
            if let Some(lesson) = lesson.borrow_mut().take() {
                lesson.shutdown();
            }
        }
    ));

    app.run_with_args(&[about.id]);
    ExitCode::from(status.get())
}

/// Plays the lesson's scenario, prints the report, and closes the window the way a user would.
async fn drive<L: Lesson>(
    lesson: Rc<L>,
    probe: Rc<HeartbeatProbe>,
    window: LessonWindow,
    options: Options,
    status: Rc<Cell<u8>>,
) {
    let id = L::ABOUT.id;
    // A scenario stuck on a blocked main loop cannot time itself out, so a thread does it.
    let watchdog = watchdog::Watchdog::arm(id, Duration::from_secs(60) + options.work * 20);
    let pilot = Rc::new(Pilot::new(probe, window.gtk_window().clone(), options.screenshot));

    // Start-up (mapping, the first frames) is not the lesson's stall: let it settle first.
    let gtk_window = window.gtk_window().clone();
    let outcome = match pilot
        .wait_until("the window to be mapped", Duration::from_secs(20), || gtk_window.is_mapped())
        .await
    {
        Ok(()) => {
            pilot.sleep(Duration::from_millis(300)).await;
            lesson.autopilot(pilot.clone()).await
        }
        Err(e) => Err(e),
    };
    let outcome = outcome.and_then(|findings| {
        pilot.check_screenshot()?;
        Ok(findings)
    });

    match outcome {
        Ok(findings) => {
            let report = Report {
                lesson: id.to_owned(),
                heartbeat: findings.heartbeat,
                work: Work { wall_ms: ms(findings.work_wall) },
                details: findings.details,
            };
            match serde_json::to_string(&report) {
                Ok(line) => println!("{line}"),
                Err(e) => {
                    eprintln!("{id}: could not encode the report: {e}");
                    status.set(EXIT_SCENARIO_FAILED);
                }
            }
        }
        Err(ScenarioError(message)) => {
            eprintln!("{id}: autopilot failed: {message}");
            status.set(EXIT_SCENARIO_FAILED);
        }
    }
    watchdog.disarm();
    window.gtk_window().close();
}
