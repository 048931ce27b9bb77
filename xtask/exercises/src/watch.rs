//! `--watch`: the checks again every time the exercise's file is saved, until Ctrl+C.
//!
//! The watch is on the file's directory, not the file: many editors save by writing a new file
//! and renaming it over the old one, which a watch on the old file would not see again. Events
//! are debounced, so that a save made of several writes is checked once, and a check runs only
//! when the file's content changed: the checks themselves open the file, and opening it is an
//! event too.

use crate::state::fingerprint;
use notify_debouncer_mini::new_debouncer;
use notify_debouncer_mini::notify::RecursiveMode;
use std::path::Path;
use std::sync::mpsc;
use std::time::Duration;

/// How long the file must stay still before it is checked.
const SETTLE: Duration = Duration::from_millis(300);

/// Calls `check` now and after every save of `file`, until the process is interrupted.
pub fn watch(file: &Path, mut check: impl FnMut()) -> Result<(), String> {
    let file = file.canonicalize().map_err(|e| format!("{}: {e}", file.display()))?;
    let directory = file.parent().ok_or("the file has no directory")?;
    let (saved, saves) = mpsc::channel();
    let mut debouncer = new_debouncer(SETTLE, saved).map_err(|e| format!("watching: {e}"))?;
    debouncer
        .watcher()
        .watch(directory, RecursiveMode::NonRecursive)
        .map_err(|e| format!("watching {}: {e}", directory.display()))?;
    loop {
        let checked = fingerprint(&file);
        check();
        eprintln!("\nwatching {}: save it to check again, Ctrl+C to stop", file.display());
        loop {
            #[expect(clippy::disallowed_methods, reason = "a command line tool waits for saves")]
            let events = saves.recv().map_err(|_| "the file watcher stopped".to_string())?;
            let events = events.map_err(|e| format!("watching: {e}"))?;
            if events.iter().any(|event| event.path == file) && fingerprint(&file) != checked {
                break;
            }
        }
    }
}
