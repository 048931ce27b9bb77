// Exercise 08-async-read: read without blocking (lesson 08, waiting without
// a thread). Press Read: the program reads a file back from a slow disk, a
// chunk at a time, and shows how far it got. The window freezes until the
// end: every read, and every wait for the disk, blocks the main loop.
// The task, and what is still wrong: cargo xtask exercise 08-async-read
// The same on every save: cargo xtask exercise 08-async-read --watch
// See it: cargo run -p exercises-08-async-io --features exercises \
//           --example exercise-08-async-read

use gtk::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::Duration;

const CHUNK: usize = 1 << 16;
const CHUNKS: usize = 30;
/// The slow disk: a chunk takes this long to come.
const DISK: Duration = Duration::from_millis(100);

fn main() -> glib::ExitCode {
    let name = format!("exercise-08-{}.bin", std::process::id());
    let path = std::env::temp_dir().join(name);
    if let Err(error) = std::fs::write(&path, vec![7u8; CHUNK * CHUNKS]) {
        eprintln!("Cannot write {}: {error}", path.display());
        return glib::ExitCode::FAILURE;
    }
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Exercise08")
        .build();
    let file = path.clone();
    app.connect_activate(move |app| build_ui(app, file.clone()));
    let status = app.run();
    let _ = std::fs::remove_file(&path);
    status
}

/// Reads the file a chunk at a time from the slow disk: the bytes read.
// TODO: this runs on the main loop, and each chunk blocks it twice: in the
// read, and in the wait for the disk. Make it an async fn that reads with
// gio (gio::File::for_path, read_future, then read_all_future for each
// chunk) and waits for the disk with glib::timeout_future, and await it in
// a future on the main loop (glib::spawn_future_local).
fn read_slowly(path: &Path, bar: &gtk::ProgressBar) -> std::io::Result<usize> {
    let mut file = std::fs::File::open(path)?;
    let (mut buffer, mut done) = (vec![0; CHUNK], 0);
    loop {
        #[expect(clippy::disallowed_methods, reason = "the slow disk")]
        std::thread::sleep(DISK);
        let n = file.read(&mut buffer)?;
        if n == 0 {
            return Ok(done);
        }
        done += n;
        bar.set_fraction(done as f64 / (CHUNK * CHUNKS) as f64);
        bar.set_text(Some(&format!("{} of {CHUNKS} chunks", done / CHUNK)));
    }
}

fn build_ui(app: &gtk::Application, path: PathBuf) {
    let read = gtk::Button::with_label("Read");
    let spinner = gtk::Spinner::new();
    let bar = gtk::ProgressBar::builder().show_text(true).build();
    read.connect_clicked(glib::clone!(
        #[weak]
        spinner,
        #[weak]
        bar,
        move |read| {
            read.set_sensitive(false);
            spinner.start();
            bar.set_text(Some(&match read_slowly(&path, &bar) {
                Ok(bytes) => format!("Read all {} chunks.", bytes / CHUNK),
                Err(e) => format!("It failed: {e}"),
            }));
            spinner.stop();
            read.set_sensitive(true);
        }
    ));

    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&read); // first, so that it has the keyboard focus
    column.append(&spinner);
    column.append(&bar);
    gtk::ApplicationWindow::builder()
        .application(app)
        .title("Exercise 08: read without blocking")
        .default_width(320)
        .child(&column)
        .build()
        .present();
}
