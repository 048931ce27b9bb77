// Exercise 10-follow-child: follow a child without waiting for it (lesson
// 10, a child process). Press Run: the program runs a script that prints a
// line every tenth of a second, and shows its lines. The window freezes
// for the whole run, and the lines come all at once at the end: the click
// handler waits for the child.
// The task, and what is still wrong: cargo xtask exercise 10-follow-child
// The same on every save: cargo xtask exercise 10-follow-child --watch
// See it: cargo run -p exercises-10-subprocess --features exercises \
//           --example exercise-10-follow-child

use gtk::prelude::*;

/// Thirty lines, a tenth of a second apart. Perl, not a shell loop: a
/// signal would end the shell and leave the `sleep` it runs behind.
const SCRIPT: &str = "$| = 1; for (1 .. 30) { print qq(line $_\\n); \
                      select(undef, undef, undef, 0.1) }";

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Exercise10")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

/// Runs the child to its end: how many lines it printed, or why it failed.
// TODO: output() returns when the child has ended, and the main loop waits
// for it all that time. Start the child with gio::Subprocess::newv and
// gio::SubprocessFlags::STDOUT_PIPE instead; in a future on the main loop
// (glib::spawn_future_local), read its stdout_pipe() a line at a time with
// a gio::DataInputStream (read_line_utf8_future), showing each, then await
// wait_check_future. Keep the child where main can find it: if the window
// closes first, main must end it (force_exit) before the program ends.
fn run_child(output: &gtk::Label) -> Result<usize, String> {
    let mut child = std::process::Command::new("perl");
    child.args(["-e", SCRIPT]);
    #[expect(clippy::disallowed_methods, reason = "the mistake to undo")]
    let ended = child.output().map_err(|e| format!("Could not start: {e}"))?;
    let lines = String::from_utf8_lossy(&ended.stdout).into_owned();
    for line in lines.lines() {
        output.set_label(line); // all at once, and none of them painted
    }
    if !ended.status.success() {
        return Err(format!("The child failed: {}.", ended.status));
    }
    Ok(lines.lines().count())
}

fn build_ui(app: &gtk::Application) {
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
            output.set_label(&match run_child(&output) {
                Ok(lines) => format!("Done: {lines} lines."),
                Err(e) => e,
            });
            spinner.stop();
            run.set_sensitive(true);
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
