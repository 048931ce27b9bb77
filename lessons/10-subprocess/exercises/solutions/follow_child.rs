// The solution of exercise 10-follow-child (lesson 10, a child process):
// gio::Subprocess starts the child, and a future on the main loop reads its
// lines as they come and then awaits its end. While the child is quiet, the
// main loop is free; if the window closes first, main ends the child.
// Check it: cargo xtask exercise 10-follow-child --solution

use gtk::gio;
use gtk::prelude::*;
use std::{cell::RefCell, ffi::OsStr, rc::Rc};

/// Thirty lines, a tenth of a second apart. Perl, not a shell loop: a
/// signal would end the shell and leave the `sleep` it runs behind.
const SCRIPT: &str = "$| = 1; for (1 .. 30) { print qq(line $_\\n); \
                      select(undef, undef, undef, 0.1) }";

/// The child while it runs, for main to end if the window closes first.
type Running = Rc<RefCell<Option<gio::Subprocess>>>;

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Exercise10")
        .build();
    let running = Running::default();
    let child = running.clone();
    app.connect_activate(move |app| build_ui(app, child.clone()));
    let status = app.run();
    if let Some(child) = running.take() {
        child.force_exit(); // SIGKILL cannot be caught: the wait is short
        #[expect(clippy::disallowed_methods, reason = "the loop has ended")]
        let _ = child.wait(gio::Cancellable::NONE);
    }
    status
}

/// Runs the child to its end, showing each line as it comes: how many
/// lines it printed.
async fn follow_child(
    output: &gtk::Label,
    running: &Running,
) -> Result<usize, glib::Error> {
    let argv = ["perl", "-e", SCRIPT].map(OsStr::new);
    let flags = gio::SubprocessFlags::STDOUT_PIPE;
    let child = gio::Subprocess::newv(&argv, flags)?;
    running.replace(Some(child.clone()));
    let pipe = child.stdout_pipe().expect("spawned with STDOUT_PIPE");
    let stdout = gio::DataInputStream::new(&pipe);
    let next = || stdout.read_line_utf8_future(glib::Priority::DEFAULT);
    let mut lines = 0;
    while let Some(line) = next().await? {
        output.set_label(&line);
        lines += 1;
    }
    // Ok for exit code 0, else "Child process exited with code 1"...
    let ended = child.wait_check_future().await;
    running.replace(None);
    ended.map(|()| lines)
}

fn build_ui(app: &gtk::Application, running: Running) {
    let run = gtk::Button::with_label("Run");
    let spinner = gtk::Spinner::new();
    let output = gtk::Label::new(Some("Press Run."));
    run.connect_clicked(glib::clone!(
        #[weak]
        spinner,
        #[weak]
        output,
        move |run| {
            run.set_sensitive(false);
            spinner.start();
            let (run, running) = (run.clone(), running.clone());
            glib::spawn_future_local(async move {
                output.set_label(
                    &match follow_child(&output, &running).await {
                        Ok(lines) => format!("Done: {lines} lines."),
                        Err(e) => format!("It failed: {e}"),
                    },
                );
                spinner.stop();
                run.set_sensitive(true);
            });
        }
    ));

    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&run); // first, so that it has the keyboard focus
    column.append(&spinner);
    column.append(&output);
    gtk::ApplicationWindow::builder()
        .application(app)
        .title("Exercise 10: follow a child")
        .default_width(320)
        .child(&column)
        .build()
        .present();
}
