// The solution of exercise 11-on-the-runtime (lesson 11, tokio beside
// GTK): the fetch runs on the tokio runtime's threads, where its socket
// finds the reactor, and sends what it received over a channel to a future
// on the main loop, which is the only one to touch the widgets.
// Check it: cargo xtask exercise 11-on-the-runtime --solution

use async_channel::Sender;
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

/// Reads until the server closes the connection, sending the bytes
/// received so far after each read, or what went wrong.
async fn fetch(server: SocketAddr, news: Sender<std::io::Result<usize>>) {
    let fetching = async {
        let mut stream = TcpStream::connect(server).await?;
        let (mut buffer, mut received) = (vec![0; 16 * 1024], 0);
        loop {
            let n = stream.read(&mut buffer).await?;
            if n == 0 {
                return Ok(()); // the server is done
            }
            received += n;
            if news.send(Ok(received)).await.is_err() {
                return Ok(()); // nobody listens: the window is gone
            }
        }
    };
    if let Err(e) = fetching.await {
        let _ = news.send(Err(e)).await;
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
            let (sender, receiver) = async_channel::unbounded();
            // On the runtime's threads: tokio's sockets need its reactor.
            runtime().spawn(fetch(server, sender));
            // On the main loop: the news, until the channel closes.
            let button = button.clone();
            glib::spawn_future_local(async move {
                let mut last = Ok(0);
                while let Ok(news) = receiver.recv().await {
                    if let Ok(received) = news {
                        let whole = (PIECE * PIECES) as f64;
                        bar.set_fraction(received as f64 / whole);
                        bar.set_text(Some(&format!("{received} bytes")));
                    }
                    last = news;
                }
                bar.set_text(Some(&match last {
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
