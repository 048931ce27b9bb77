// The solution of exercise 08-async-read (lesson 08, waiting without a
// thread): the read is an async fn that a future on the main loop awaits.
// gio reads each chunk (on a thread of its own, for a regular file) and the
// slow disk is a timer future; between two awaits the main loop is free.
// Check it: cargo xtask exercise 08-async-read --solution

use gtk::gio;
use gtk::prelude::*;
use std::path::PathBuf;
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
async fn read_slowly(
    path: PathBuf,
    bar: &gtk::ProgressBar,
) -> Result<usize, glib::Error> {
    let stream =
        gio::File::for_path(path).read_future(glib::Priority::DEFAULT).await?;
    let (mut buffer, mut done) = (vec![0; CHUNK], 0);
    loop {
        glib::timeout_future(DISK).await;
        let read = stream.read_all_future(buffer, glib::Priority::DEFAULT);
        let (back, n, error) = read.await.map_err(|(_, e)| e)?;
        error.map_or(Ok(()), Err)?; // what a short read ran into
        buffer = back;
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
            let (read, path) = (read.clone(), path.clone());
            glib::spawn_future_local(async move {
                bar.set_text(Some(&match read_slowly(path, &bar).await {
                    Ok(bytes) => format!("Read all {} chunks.", bytes / CHUNK),
                    Err(e) => format!("It failed: {e}"),
                }));
                spinner.stop();
                read.set_sensitive(true);
            });
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
