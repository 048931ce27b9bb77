// Lesson 09 in one file: Fetch reads from a slow server with gio's socket
// client and async reads, in a future on the main loop: no thread of yours
// waits for the network. The label counts the bytes as they come, Cancel
// stops the fetch, and the window stays free all along.
// Run it: cargo run -p lesson-09-network --example minimal-09

// ANCHOR: fetch
use gtk::{gio, prelude::*};
use std::{io::Write, net::SocketAddr, time::Duration};

fn main() -> glib::ExitCode {
    // The slow server far away: here, a thread that sends each client in
    // turn 64 pieces of 4 KiB, one every 50 ms.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let address = listener.local_addr().unwrap();
    std::thread::spawn(move || {
        for mut client in listener.incoming().flatten() {
            for _ in 0..64 {
                #[expect(clippy::disallowed_methods, reason = "a server")]
                std::thread::sleep(Duration::from_millis(50));
                if client.write_all(&[b'x'; 4096]).is_err() {
                    break; // the client hung up
                }
            }
        }
    });
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Minimal09")
        .build();
    app.connect_activate(move |app| build_ui(app, address));
    app.run()
}

/// Reads until the server closes the connection; every read is an await.
async fn fetch(
    address: SocketAddr,
    label: gtk::Label,
) -> Result<usize, Box<dyn std::error::Error>> {
    let address = gio::InetSocketAddress::from(address);
    let connection = gio::SocketClient::new().connect_future(&address).await?;
    let input = connection.input_stream();
    let (mut buffer, mut received) = (vec![0; 16 * 1024], 0);
    loop {
        let read = input.read_future(buffer, glib::Priority::DEFAULT);
        // No byte for two seconds: give up (and drop the read).
        let read = glib::future_with_timeout(Duration::from_secs(2), read);
        let (back, n) = read.await?.map_err(|(_, error)| error)?;
        if n == 0 {
            return Ok(received); // the server is done
        }
        (buffer, received) = (back, received + n);
        label.set_label(&format!("{received} bytes received"));
    }
}
// ANCHOR_END: fetch

// ANCHOR: build_ui
fn build_ui(app: &gtk::Application, address: SocketAddr) {
    let fetch_button = gtk::Button::with_label("Fetch");
    let cancel = gtk::Button::with_label("Cancel");
    let label = gtk::Label::new(Some("Press Fetch."));
    fetch_button.connect_clicked(glib::clone!(
        #[weak]
        cancel,
        #[weak]
        label,
        move |button| {
            button.set_sensitive(false);
            let stop = gio::Cancellable::new();
            let fetching = fetch(address, label.clone());
            let fetching = gio::CancellableFuture::new(fetching, stop.clone());
            // Cancel ends this fetch at its next poll.
            let id = cancel.connect_clicked(move |_| stop.cancel());
            let button = button.clone();
            glib::spawn_future_local(async move {
                label.set_label(&match fetching.await {
                    Ok(Ok(bytes)) => format!("Done: {bytes} bytes."),
                    Ok(Err(e)) => format!("It failed: {e}"),
                    Err(gio::Cancelled) => "Cancelled.".to_owned(),
                });
                button.set_sensitive(true);
                cancel.disconnect(id);
            });
        }
    ));
    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&fetch_button); // first, so that it has the keyboard focus
    column.append(&cancel);
    column.append(&label);
    gtk::ApplicationWindow::builder()
        .application(app)
        .title("Lesson 09: the network on the main loop")
        .default_width(320)
        .child(&column)
        .build()
        .present();
}
// ANCHOR_END: build_ui
