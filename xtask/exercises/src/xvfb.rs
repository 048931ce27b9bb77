//! A private X server for the run check. Always private, even where there is a display: the
//! check types into the window and moves the pointer with XTest, which on a desktop would land
//! wherever the user is working, and a private server judges every program under the same
//! conditions as CI. Xvfb picks a free display itself (`-displayfd`), so that several checks,
//! or tests under xvfb-run, can run at once without racing for a number.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

/// How long Xvfb may take to start.
const START: Duration = Duration::from_secs(10);

/// A running Xvfb, stopped when dropped.
pub struct Xvfb {
    child: Child,
    /// `:3`, for `DISPLAY`.
    pub display: String,
}

impl Xvfb {
    pub fn start() -> Result<Self, String> {
        let mut child = Command::new("Xvfb")
            // The display's number on stdout, once it accepts connections.
            .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "1280x1024x24"])
            // No reset when the last client leaves: each check starts a new program.
            .arg("-noreset")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("could not start Xvfb ({e}): `cargo xtask setup` installs it"))?;
        let stdout = child.stdout.take().ok_or("Xvfb has no stdout")?;
        let (number, read) = mpsc::channel();
        std::thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = number.send(line);
        });
        #[expect(clippy::disallowed_methods, reason = "a command line tool waits for its server")]
        let line = read.recv_timeout(START);
        let mut xvfb = Self { child, display: String::new() };
        match line.map(|line| line.trim().parse::<u32>()) {
            Ok(Ok(number)) => {
                xvfb.display = format!(":{number}");
                Ok(xvfb)
            }
            _ => Err(format!("Xvfb did not give its display number within {START:?}")),
        }
    }
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
