// Exercise 09-fetch: fetch without blocking (lesson 09, the network on the
// main loop). Press Fetch: the program asks a slow server for its answer
// and shows how much of it came. The window freezes until the end: the
// connect and every read wait for the server on the main loop.
// The task, and what is still wrong: cargo xtask exercise 09-fetch
// The same on every save: cargo xtask exercise 09-fetch --watch
// See it: cargo run -p exercises-09-network --features exercises \
//           --example exercise-09-fetch

use gtk::prelude::*;
use std::io::{Read, Write};
use std::net::SocketAddr;
use std::time::Duration;

const PIECE: usize = 4096;
const PIECES: usize = 30;

fn main() -> glib::ExitCode {
    // The slow server far away: here, a thread that sends each client in
    // turn 30 pieces, one every tenth of a second.
    let listener = match std::net::TcpListener::bind("127.0.0.1:0") {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("Cannot listen on 127.0.0.1: {e}");
            return glib::ExitCode::FAILURE;
        }
    };
    let address = listener.local_addr().expect("a bound socket's address");
    std::thread::spawn(move || {
        for mut client in listener.incoming().flatten() {
            for _ in 0..PIECES {
                #[expect(clippy::disallowed_methods, reason = "a slow server")]
                std::thread::sleep(Duration::from_millis(100));
                if client.write_all(&[b'x'; PIECE]).is_err() {
                    break; // the client hung up
                }
            }
        }
    });
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Exercise09")
        .build();
    app.connect_activate(move |app| build_ui(app, address));
    app.run()
}

/// Reads until the server closes the connection: the bytes received.
// TODO: this runs on the main loop, and waits there for the server: in the
// connect, and in every read. Make it an async fn that connects with
// gio::SocketClient (connect_future, to a gio::InetSocketAddress made
// from the address) and reads the connection's input_stream() with
// read_future, and await it in a future on the main loop
// (glib::spawn_future_local).
fn fetch(
    address: SocketAddr,
    bar: &gtk::ProgressBar,
) -> std::io::Result<usize> {
    let mut connection = std::net::TcpStream::connect(address)?;
    let (mut buffer, mut received) = (vec![0; 16 * 1024], 0);
    loop {
        let n = connection.read(&mut buffer)?;
        if n == 0 {
            return Ok(received); // the server is done
        }
        received += n;
        bar.set_fraction(received as f64 / (PIECE * PIECES) as f64);
        bar.set_text(Some(&format!("{received} bytes received")));
    }
}

fn build_ui(app: &gtk::Application, address: SocketAddr) {
    let fetch_button = gtk::Button::with_label("Fetch");
    let spinner = gtk::Spinner::new();
    let bar = gtk::ProgressBar::builder().show_text(true).build();
    fetch_button.connect_clicked(glib::clone!(
        #[weak]
        spinner,
        #[weak]
        bar,
        move |button| {
            button.set_sensitive(false);
            spinner.start();
            bar.set_text(Some(&match fetch(address, &bar) {
                Ok(bytes) => format!("Done: {bytes} bytes."),
                Err(e) => format!("It failed: {e}"),
            }));
            spinner.stop();
            button.set_sensitive(true);
        }
    ));

    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&fetch_button); // first, so that it has the keyboard focus
    column.append(&spinner);
    column.append(&bar);
    gtk::ApplicationWindow::builder()
        .application(app)
        .title("Exercise 09: fetch without blocking")
        .default_width(320)
        .child(&column)
        .build()
        .present();
}
