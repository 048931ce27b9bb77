//! The driver against a real GTK window: this test binary, run again as a
//! child, is a window with one button that freezes its main loop for a second
//! when clicked. Needs a display (`cargo xtask test` runs the tests under
//! Xvfb).

use gtk::prelude::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;
use xdriver::{Driver, keysym};

const CHILD: &str = "XDRIVER_TEST_WINDOW";
const FREEZE: Duration = Duration::from_secs(1);

/// The window: a button that prints "clicked" and then blocks the main loop for
/// `FREEZE`.
fn window() {
    let app = gtk::Application::builder()
        .flags(gtk::gio::ApplicationFlags::NON_UNIQUE)
        .build();
    app.connect_activate(|app| {
        let button = gtk::Button::with_label("Freeze");
        button.connect_clicked(|_| {
            println!("clicked");
            #[expect(
                clippy::disallowed_methods,
                reason = "a frozen window is what is tested"
            )]
            std::thread::sleep(FREEZE);
        });
        let window = gtk::ApplicationWindow::builder()
            .application(app)
            .default_width(200)
            .default_height(100)
            .child(&button)
            .build();
        window.present();
    });
    app.run_with_args(&["drive-test"]);
    println!("closed");
}

/// Starts the window; its lines of output come out of the receiver.
fn start() -> (Child, mpsc::Receiver<String>) {
    let mut child = Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "the_driver_sees_what_a_window_manager_would",
            "--nocapture",
        ])
        .env(CHILD, "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = BufReader::new(child.stdout.take().unwrap());
    let (lines, received) = mpsc::channel();
    std::thread::spawn(move || {
        for line in stdout.lines().map_while(Result::ok) {
            let _ = lines.send(line);
        }
    });
    (child, received)
}

/// Waits for the window to print `expected`, for ten seconds at most.
fn says(lines: &mpsc::Receiver<String>, expected: &str) -> bool {
    loop {
        #[expect(
            clippy::disallowed_methods,
            reason = "the test waits for its child's output"
        )]
        match lines.recv_timeout(Duration::from_secs(10)) {
            Ok(line) if line == expected => return true,
            Ok(_) => continue,
            Err(_) => return false,
        }
    }
}

#[test]
fn the_driver_sees_what_a_window_manager_would() {
    if std::env::var_os(CHILD).is_some() {
        window();
        return;
    }
    let driver = Driver::connect().expect("a display: run under xvfb-run -a");
    let (mut child, lines) = start();
    let window =
        driver.find_window(child.id(), Duration::from_secs(20)).unwrap();
    driver.wait_until_drawn(window, Duration::from_secs(20)).unwrap();

    // A free main loop answers the window manager's ping at once.
    let ping = driver.ping(window, Duration::from_secs(5)).unwrap();
    assert!(ping.is_some_and(|p| p < Duration::from_millis(500)), "{ping:?}");

    // A real click in the middle of the button reaches its handler, which
    // freezes the loop: a ping then goes unanswered until the freeze is over.
    let (width, height) = driver.size(window).unwrap();
    let (x, y) =
        (i16::try_from(width / 2).unwrap(), i16::try_from(height / 2).unwrap());
    driver.click(window, x, y).unwrap();
    assert!(says(&lines, "clicked"), "the click never reached the handler");
    assert_eq!(
        driver.ping(window, FREEZE / 2).unwrap(),
        None,
        "answered during the freeze"
    );
    let late = driver.ping(window, FREEZE * 5).unwrap();
    assert!(late.is_some(), "no answer after the freeze");

    // The keyboard reaches the focused button the same way.
    driver.key(window, keysym::SPACE).unwrap();
    assert!(says(&lines, "clicked"), "the click never reached the handler");
    driver.ping(window, FREEZE * 5).unwrap();

    // The window painted (the button's pressed state at least), and closes like
    // a user's.
    assert!(!driver.paints().unwrap().is_empty(), "no paint reported");
    driver.close(window).unwrap();
    assert!(says(&lines, "closed"), "the window did not close");
    #[expect(
        clippy::disallowed_methods,
        reason = "the test waits for the program it drove; no main loop"
    )]
    let status = child.wait().unwrap();
    assert!(status.success());
}
