// Exercise 11-on-the-runtime: run tokio's I/O on tokio's threads (lesson
// 11, tokio beside GTK). Press Fetch: the program reads a slow server's
// answer with tokio's socket, in a future on GTK's main loop. The window
// stays free, but the fetch never gets anywhere: tokio's socket needs
// tokio's reactor, and GTK's main thread has none.
// The task, and what is still wrong: cargo xtask exercise 11-on-the-runtime
// The same on every save: cargo xtask exercise 11-on-the-runtime --watch
// See it: cargo run -p exercises-11-tokio --features exercises \
//           --example exercise-11-on-the-runtime

use gtk::prelude::*;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

const PIECE: usize = 4096;
const PIECES: usize = 30;

/// One runtime for the whole program, made the first time it is needed. A
/// static is never dropped: its threads end when the process does.
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new().expect("a tokio runtime"))
}

/// The slow server: sends each client 30 pieces, a tenth of a second apart.
async fn serve(listener: std::net::TcpListener) -> std::io::Result<()> {
    listener.set_nonblocking(true)?; // as tokio requires
    let listener = TcpListener::from_std(listener)?;
    loop {
        let (mut socket, _) = listener.accept().await?;
        tokio::spawn(async move {
            for _ in 0..PIECES {
                tokio::time::sleep(Duration::from_millis(100)).await;
                if socket.write_all(&[b'x'; PIECE]).await.is_err() {
                    break; // the client hung up
                }
            }
        });
    }
}

/// Reads until the server closes the connection: the bytes received.
// TODO: this future runs on GTK's main loop, and its first poll panics:
// tokio's TcpStream registers with tokio's reactor, which exists only on
// the runtime's threads. Run it there (runtime().spawn) and let it send
// the bytes received so far over an async_channel (it cannot touch the
// progress bar from there: a widget is not Send); a future on the main loop
// receives them, moves the bar, and ends when the channel closes.
async fn fetch(
    server: SocketAddr,
    bar: &gtk::ProgressBar,
) -> std::io::Result<usize> {
    let mut stream = TcpStream::connect(server).await?;
    let (mut buffer, mut received) = (vec![0; 16 * 1024], 0);
    loop {
        let n = stream.read(&mut buffer).await?;
        if n == 0 {
            return Ok(received); // the server is done
        }
        received += n;
        bar.set_fraction(received as f64 / (PIECE * PIECES) as f64);
        bar.set_text(Some(&format!("{received} bytes received")));
    }
}

fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Exercise11")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

fn build_ui(app: &gtk::Application) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let server = listener.local_addr().expect("a bound socket's address");
    runtime().spawn(serve(listener));
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
                bar.set_text(Some(&match fetch(server, &bar).await {
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
        .title("Exercise 11: tokio's I/O on tokio's threads")
        .default_width(320)
        .child(&column)
        .build()
        .present();
}
