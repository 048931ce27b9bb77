// Lesson 08 in one file: Read writes a file with one blocking call on gio's
// pool (gio::spawn_blocking), then reads it back in chunks with gio's async
// calls, from a future on the main loop: no thread of yours. A progress bar
// follows it, Cancel stops it, and the window stays free all along.
// Run it: cargo run -p lesson-08-async-io --example minimal-08

// ANCHOR: write_and_read
use gtk::gio;
use gtk::prelude::*;
use std::{path::PathBuf, time::Duration};

const CHUNK: usize = 1 << 20;
const CHUNKS: usize = 32;

fn main() -> glib::ExitCode {
    let name = format!("minimal-08-{}.bin", std::process::id());
    let path = std::env::temp_dir().join(name);
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Minimal08")
        .build();
    let file = path.clone();
    app.connect_activate(move |app| build_ui(app, file.clone()));
    let status = app.run();
    let _ = std::fs::remove_file(&path);
    status
}

/// Writes the file on gio's pool, then reads it back a chunk at a time.
async fn write_and_read(
    path: PathBuf,
    bar: gtk::ProgressBar,
) -> Result<usize, Box<dyn std::error::Error>> {
    let (target, data) = (path.clone(), vec![7u8; CHUNK * CHUNKS]);
    let write = gio::spawn_blocking(move || std::fs::write(target, data));
    write.await.map_err(|_panic| "the write panicked")??;
    let file = gio::File::for_path(path);
    let stream = file.read_future(glib::Priority::DEFAULT).await?;
    let (mut buffer, mut done) = (vec![0; CHUNK], 0);
    loop {
        let read = stream.read_all_future(buffer, glib::Priority::DEFAULT);
        let (back, n, error) = read.await.map_err(|(_, e)| e)?;
        error.map_or(Ok(()), Err)?; // what a short read ran into
        (buffer, done) = (back, done + n);
        if n == 0 {
            return Ok(done / CHUNK);
        }
        bar.set_fraction(done as f64 / (CHUNK * CHUNKS) as f64);
        bar.set_text(Some(&format!("{} of {CHUNKS} MiB", done / CHUNK)));
        // A slow disk, so that there is time to watch it and to cancel.
        glib::timeout_future(Duration::from_millis(50)).await;
    }
}
// ANCHOR_END: write_and_read

// ANCHOR: build_ui
fn build_ui(app: &gtk::Application, path: PathBuf) {
    let read = gtk::Button::with_label("Read");
    let cancel = gtk::Button::with_label("Cancel");
    let flags =
        glib::BindingFlags::SYNC_CREATE | glib::BindingFlags::INVERT_BOOLEAN;
    read.bind_property("sensitive", &cancel, "sensitive").flags(flags).build();
    let bar = gtk::ProgressBar::builder().show_text(true).build();
    read.connect_clicked(glib::clone!(
        #[weak]
        cancel,
        #[weak]
        bar,
        move |read| {
            read.set_sensitive(false);
            bar.set_text(Some("Writing the file..."));
            let stop = gio::Cancellable::new();
            let reading = write_and_read(path.clone(), bar.clone());
            let reading = gio::CancellableFuture::new(reading, stop.clone());
            // Cancel ends this read at its next poll.
            let id = cancel.connect_clicked(move |_| stop.cancel());
            let read = read.clone();
            glib::spawn_future_local(async move {
                bar.set_text(Some(&match reading.await {
                    Ok(Ok(mib)) => format!("Read all {mib} MiB."),
                    Ok(Err(e)) => format!("It failed: {e}"),
                    Err(gio::Cancelled) => "Cancelled.".to_owned(),
                }));
                read.set_sensitive(true);
                cancel.disconnect(id);
            });
        }
    ));

    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&read); // first, so that it has the keyboard focus
    column.append(&cancel);
    column.append(&bar);
    gtk::ApplicationWindow::builder()
        .application(app)
        .title("Lesson 08: waiting without a thread")
        .child(&column)
        .build()
        .present();
}
// ANCHOR_END: build_ui
