// Lesson 10 in one file: Run starts a child process with gio::Subprocess
// and shows its lines as they come, read asynchronously on the main loop,
// then how it ended. Stop asks it to end (SIGTERM), and makes it (SIGKILL)
// if it is still there a second later. Closing the window kills it.
// Run it: cargo run -p lesson-10-subprocess --example minimal-10

// ANCHOR: main_and_run
use gtk::gio;
use gtk::prelude::*;
use std::{cell::RefCell, ffi::OsStr, rc::Rc, time::Duration};

/// Five lines, one a second. Perl, not a shell loop: SIGTERM would end the
/// shell and leave the `sleep` it runs behind.
const SCRIPT: &str = "$| = 1; for (1 .. 5) { print qq(line $_\n); sleep 1 }";
const SIGTERM: i32 = 15; // on Linux, macOS and the BSDs alike
const GRACE: Duration = Duration::from_secs(1);

type Running = Rc<RefCell<Option<gio::Subprocess>>>;

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Minimal10")
        .build();
    let running = Running::default();
    let child = running.clone();
    app.connect_activate(move |app| build_ui(app, child.clone()));
    let status = app.run();
    // The window is gone, and the child must not outlive it.
    if let Some(child) = running.take() {
        child.force_exit(); // SIGKILL cannot be caught: the wait is short
        #[expect(clippy::disallowed_methods, reason = "the loop has ended")]
        let _ = child.wait(gio::Cancellable::NONE);
    }
    status
}

/// Starts the child, then shows each line as it comes, and how it ended.
fn start(button: gtk::Button, output: gtk::Label, running: Running) {
    let argv = ["perl", "-e", SCRIPT].map(OsStr::new);
    let flags = gio::SubprocessFlags::STDOUT_PIPE;
    let child = match gio::Subprocess::newv(&argv, flags) {
        Ok(child) => child,
        Err(e) => return output.set_label(&format!("Could not start: {e}")),
    };
    running.replace(Some(child.clone()));
    button.set_sensitive(false);
    output.set_label("");
    glib::spawn_future_local(async move {
        let pipe = child.stdout_pipe().expect("spawned with STDOUT_PIPE");
        let stdout = gio::DataInputStream::new(&pipe);
        let next = || stdout.read_line_utf8_future(glib::Priority::DEFAULT);
        while let Ok(Some(line)) = next().await {
            output.set_label(&format!("{}{line}\n", output.label()));
        }
        // Ok for exit code 0, else "Child process killed by signal 15"...
        let ended = match child.wait_check_future().await {
            Ok(()) => "Done.".to_owned(),
            Err(e) => format!("{e}."),
        };
        output.set_label(&format!("{}{ended}", output.label()));
        running.replace(None);
        button.set_sensitive(true);
    });
}
// ANCHOR_END: main_and_run

// ANCHOR: build_ui
fn build_ui(app: &gtk::Application, running: Running) {
    let (run_button, stop) =
        (gtk::Button::with_label("Run"), gtk::Button::with_label("Stop"));
    run_button
        .bind_property("sensitive", &stop, "sensitive")
        .invert_boolean()
        .sync_create()
        .build();
    let output = gtk::Label::new(Some("Press Run."));
    let child = running.clone();
    run_button.connect_clicked(glib::clone!(
        #[weak]
        output,
        move |button| start(button.clone(), output, child.clone())
    ));
    stop.connect_clicked(move |_| {
        let Some(child) = running.borrow().clone() else { return };
        child.send_signal(SIGTERM);
        glib::spawn_future_local(async move {
            let ended = child.wait_future();
            if glib::future_with_timeout(GRACE, ended).await.is_err() {
                child.force_exit();
            }
        });
    });
    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&run_button); // first, so that it has the keyboard focus
    column.append(&stop);
    column.append(&output);
    let window = gtk::ApplicationWindow::builder().application(app);
    window.title("Lesson 10: a child process").child(&column).build().present();
}
// ANCHOR_END: build_ui
