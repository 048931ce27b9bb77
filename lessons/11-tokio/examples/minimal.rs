// Lesson 11 in one file: a tokio runtime, made once, runs the networking
// (a server on 127.0.0.1 answering after two seconds, and Fetch's requests)
// on threads of its own; the answers reach the main loop over a channel.
// Run it: cargo run -p lesson-11-tokio --example minimal-11

// ANCHOR: tokio
use gtk::prelude::*;
use std::io::ErrorKind;
use std::net::SocketAddr;
use std::sync::OnceLock;
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;

/// One runtime for the whole program, made the first time it is needed. A
/// static is never dropped: its threads end when the process does.
fn runtime() -> &'static Runtime {
    static RUNTIME: OnceLock<Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| Runtime::new().expect("a tokio runtime"))
}

/// The server: answers each request two seconds after it came.
async fn serve(listener: std::net::TcpListener) -> std::io::Result<()> {
    listener.set_nonblocking(true)?; // as tokio requires
    let listener = TcpListener::from_std(listener)?;
    loop {
        let (mut socket, _) = listener.accept().await?;
        tokio::spawn(async move {
            let _ = socket.read(&mut [0; 64]).await;
            tokio::time::sleep(Duration::from_secs(2)).await;
            let _ = socket.write_all(b"Hello from tokio.").await;
        });
    }
}

/// The request, with tokio's socket: it must run on the runtime.
async fn fetch(server: SocketAddr) -> String {
    let asking = async {
        let mut stream = TcpStream::connect(server).await?;
        stream.write_all(b"Hello?").await?;
        let mut answer = String::new();
        stream.read_to_string(&mut answer).await?;
        Ok::<_, std::io::Error>(answer)
    };
    let answer = tokio::time::timeout(Duration::from_secs(10), asking).await;
    let answer = answer.unwrap_or_else(|_| Err(ErrorKind::TimedOut.into()));
    answer.unwrap_or_else(|e| format!("Failed: {e}"))
}
// ANCHOR_END: tokio

// ANCHOR: build_ui
fn main() -> glib::ExitCode {
    let app = gtk::Application::builder()
        .application_id("org.gtkthreadingpatterns.Minimal11")
        .build();
    app.connect_activate(build_ui);
    app.run()
}

fn build_ui(app: &gtk::Application) {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a port");
    let server = listener.local_addr().expect("a bound socket's address");
    runtime().spawn(serve(listener));
    let button = gtk::Button::with_label("Fetch");
    let label = gtk::Label::new(Some("Press Fetch."));
    button.connect_clicked(glib::clone!(
        #[weak]
        label,
        move |_| {
            label.set_label("Waiting for the server...");
            let (sender, receiver) = async_channel::bounded(1);
            // On the runtime's threads: tokio's sockets need its reactor.
            runtime().spawn(async move {
                let _ = sender.send(fetch(server).await).await;
            });
            // On the main loop: waits for the answer without blocking it.
            glib::spawn_future_local(glib::clone!(
                #[weak]
                label,
                async move {
                    if let Ok(text) = receiver.recv().await {
                        label.set_label(&text);
                    }
                }
            ));
        }
    ));

    let column = gtk::Box::new(gtk::Orientation::Vertical, 12);
    column.append(&button); // first, so that it has the keyboard focus
    column.append(&label);
    gtk::ApplicationWindow::builder()
        .application(app)
        .title("Lesson 11: tokio beside GTK")
        .child(&column)
        .build()
        .present();
}
// ANCHOR_END: build_ui
