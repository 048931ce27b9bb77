//! The command-line contract every lesson keeps, checked against its real
//! binary: help on request, and for a user's mistake one clear line on stderr
//! and exit code 2, never a panic.

use std::path::Path;
use std::process::{Command, Output, Stdio};

/// The exit code for a mistake in how a lesson was started.
pub const EXIT_USAGE: i32 = 2;

/// Runs `exe` with each kind of bad input and checks how it answers.
pub fn check_command_line(exe: &Path) -> Result<(), String> {
    let help = run(exe, &["--help"], false)?;
    let text = String::from_utf8_lossy(&help.stdout);
    if !help.status.success()
        || !text.contains("Usage:")
        || !text.contains("--autopilot")
    {
        return Err(format!(
            "--help should print usage and exit 0, got {:?}:\n{text}",
            help.status
        ));
    }

    let mistakes: [(&[&str], bool, &str); 6] = [
        (&["--no-such-option"], true, "--no-such-option"),
        (&["stray-argument"], true, "stray-argument"),
        (&["--work-ms", "fast"], true, "--work-ms"),
        (&["--screenshot", "shot.png"], true, "--autopilot"),
        // Refused before the scenario runs, not found out after it.
        (
            &["--autopilot", "--screenshot", "/proc/shot.png"],
            true,
            "cannot write",
        ),
        (&["--autopilot"], false, "display"),
    ];
    for (args, with_display, needle) in mistakes {
        let out = run(exe, args, with_display)?;
        let stderr = String::from_utf8_lossy(&out.stderr);
        let lines: Vec<&str> =
            stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let setting = if with_display { "" } else { " without a display" };
        if out.status.code() != Some(EXIT_USAGE) {
            return Err(format!(
                "{args:?}{setting}: exit {:?}, expected 2",
                out.status.code()
            ));
        }
        if lines.len() != 1
            || !lines[0].contains(needle)
            || stderr.contains("panicked")
        {
            return Err(format!(
                "{args:?}{setting}: expected one line naming '{needle}':\n{stderr}"
            ));
        }
    }
    Ok(())
}

#[expect(
    clippy::disallowed_methods,
    reason = "a test runs a lesson to its end, never on a main loop"
)]
fn run(
    exe: &Path,
    args: &[&str],
    with_display: bool,
) -> Result<Output, String> {
    let mut command = Command::new(exe);
    command.args(args).stdin(Stdio::null());
    if !with_display {
        command.env_remove("DISPLAY").env_remove("WAYLAND_DISPLAY");
    }
    command
        .output()
        .map_err(|e| format!("could not start {}: {e}", exe.display()))
}
