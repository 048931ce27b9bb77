// The solution of exercise 09-fetch (lesson 09, the network on the main
// loop): the fetch is an async fn that a future on the main loop awaits.
// gio's socket client connects and reads without blocking: while the server
// is slow, the main loop is free, and no thread of ours waits for it.
// Check it: cargo xtask exercise 09-fetch --solution

use gtk::gio;
use gtk::prelude::*;
use std::io::Write;
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
async fn fetch(
    address: SocketAddr,
    bar: &gtk::ProgressBar,
) -> Result<usize, glib::Error> {
    let address = gio::InetSocketAddress::from(address);
    let connection = gio::SocketClient::new().connect_future(&address).await?;
    let input = connection.input_stream();
    let (mut buffer, mut received) = (vec![0; 16 * 1024], 0);
    loop {
        let read = input.read_future(buffer, glib::Priority::DEFAULT);
        let (back, n) = read.await.map_err(|(_, error)| error)?;
        if n == 0 {
            return Ok(received); // the server is done
        }
        (buffer, received) = (back, received + n);
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
            let button = button.clone();
            glib::spawn_future_local(async move {
                bar.set_text(Some(&match fetch(address, &bar).await {
                    Ok(bytes) => format!("Done: {bytes} bytes."),
                    Err(e) => format!("It failed: {e}"),
                }));
                spinner.stop();
                button.set_sensitive(true);
            });
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
