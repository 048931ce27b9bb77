//! The child that runs, what Stop has done to it, and what the window says
//! about it: while it runs, and once it is gone.

use crate::pattern::GRACE;
use gtk::gio;
use nix::sys::signal::Signal;
use std::time::Instant;

/// The child that runs, and what Stop has done to it.
pub struct Running {
    pub child: gio::Subprocess,
    pub pid: String,
    pub started: Instant,
    pub lines: u32,
    pub task: glib::JoinHandle<()>,
    pub stopping: Option<Stopping>,
}

/// When Stop sent SIGTERM, and when SIGKILL followed, if it had to.
pub struct Stopping {
    pub asked: Instant,
    pub killed: Option<Instant>,
    pub grace: glib::JoinHandle<()>,
}

/// How a child ended: an exit code, or a signal by name.
enum Exit {
    Code(i32),
    Signal(String),
}

impl std::fmt::Display for Exit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Code(code) => write!(f, "exit code {code}"),
            Self::Signal(name) => write!(f, "killed by {name}"),
        }
    }
}

impl Running {
    /// The line about the child while it runs.
    pub fn describe(&self) -> String {
        let (pid, n, grace) = (&self.pid, self.lines, GRACE.as_secs_f64());
        match &self.stopping {
            None => format!("Child {pid} running, {n} lines so far."),
            Some(Stopping { killed: None, .. }) => format!(
                "Child {pid}: SIGTERM sent, SIGKILL in {grace:.1} s; {n} lines \
                 so far."
            ),
            Some(Stopping { killed: Some(_), .. }) => format!(
                "Child {pid}: still there after {grace:.1} s, SIGKILL sent; \
                 {n} lines so far."
            ),
        }
    }

    // ANCHOR: ending
    /// The child's end in words, and whether it is an error: an exit code or
    /// a signal that nobody asked for. Only once glib has reaped it.
    pub fn ending(
        &self,
        child: &gio::Subprocess,
        read: Result<(), glib::Error>,
    ) -> (String, bool) {
        let (pid, n) = (&self.pid, self.lines);
        if let Err(e) = read {
            return (format!("Child {pid} lost: {e}; {n} lines."), true);
        }
        let exit = if child.has_exited() {
            Exit::Code(child.exit_status())
        } else {
            let number = child.term_sig();
            let name = Signal::try_from(number).map(Signal::as_str);
            Exit::Signal(name.map_or_else(|_| number.to_string(), From::from))
        };
        let ms = |since: &Instant| since.elapsed().as_secs_f64() * 1000.0;
        let took = self.started.elapsed().as_secs_f64();
        let text = match (&exit, &self.stopping) {
            (Exit::Code(0), None) => format!("exited, code 0, in {took:.2} s"),
            (Exit::Code(_), None) => format!("failed: {exit}"),
            (Exit::Signal(_), None) => format!("crashed: {exit}"),
            (_, Some(Stopping { asked, killed: None, .. })) => {
                format!("stopped by SIGTERM in {:.0} ms ({exit})", ms(asked))
            }
            (_, Some(Stopping { killed: Some(killed), .. })) => {
                format!("ignored SIGTERM, then {exit} in {:.0} ms", ms(killed))
            }
        };
        let error = self.stopping.is_none() && !matches!(exit, Exit::Code(0));
        (format!("Child {pid} {text}; {n} lines."), error)
    }
    // ANCHOR_END: ending
}
