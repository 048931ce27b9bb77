//! The last check of every exercise and solution, kept in `target/exercises.json` so that the
//! list can show where each one stands, and whether its file changed since.

use crate::verdict::Kind;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Last {
    /// `None`: it passed.
    pub failed: Option<Kind>,
    /// The verdict's sentence, or the passing figures.
    pub message: String,
    /// Seconds since the Unix epoch.
    pub at: u64,
    /// The file's content then ([`fingerprint`]).
    pub fingerprint: u64,
}

/// By `01-freeze` and `01-freeze --solution`.
#[derive(Debug, Default, Clone, PartialEq, Serialize, Deserialize)]
pub struct State(pub BTreeMap<String, Last>);

pub fn key(name: &str, solution: bool) -> String {
    if solution { format!("{name} --solution") } else { name.to_string() }
}

pub fn path(target: &Path) -> PathBuf {
    target.join("exercises.json")
}

impl State {
    /// The saved state; none yet, or unreadable, is an empty one.
    pub fn load(target: &Path) -> Self {
        std::fs::read(path(target))
            .ok()
            .and_then(|bytes| serde_json::from_slice(&bytes).ok())
            .unwrap_or_default()
    }

    pub fn save(&self, target: &Path) -> Result<(), String> {
        let path = path(target);
        let json = serde_json::to_string_pretty(self).map_err(|e| e.to_string())?;
        std::fs::create_dir_all(target).map_err(|e| format!("{}: {e}", target.display()))?;
        std::fs::write(&path, json + "\n").map_err(|e| format!("{}: {e}", path.display()))
    }

    /// How it stands, in a few words: `passes`, `fails: frozen`, `not checked yet`, with
    /// `(changed since)` if `fingerprint`, the file now, differs from the one checked.
    pub fn describe(&self, key: &str, fingerprint: u64, now: u64) -> String {
        let Some(last) = self.0.get(key) else { return "not checked yet".to_string() };
        let verdict = match last.failed {
            None => "passes".to_string(),
            Some(kind) => format!("fails: {}", kind.name()),
        };
        let changed = if last.fingerprint == fingerprint { "" } else { ", changed since" };
        format!("{verdict} ({}{changed})", ago(now.saturating_sub(last.at)))
    }
}

pub fn now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

/// A file's content as a number (FNV-1a), to tell whether it changed since its last check;
/// 0 for a file that cannot be read.
pub fn fingerprint(file: &Path) -> u64 {
    let bytes = std::fs::read(file).unwrap_or_default();
    bytes.iter().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(*byte)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn ago(seconds: u64) -> String {
    match seconds {
        0..60 => "just now".to_string(),
        60..3600 => format!("{} min ago", seconds / 60),
        3600..86400 => format!("{} h ago", seconds / 3600),
        _ => format!("{} days ago", seconds / 86400),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_state_reads_back_and_says_where_each_stands() {
        let dir = std::env::temp_dir().join(format!("exercises-state-{}", std::process::id()));
        let file = dir.join("freeze.rs");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(&file, "fn main() {}").unwrap();
        let fingerprint = fingerprint(&file);
        let mut state = State::load(&dir);
        assert_eq!(state, State::default(), "no file yet");
        let last = Last { failed: Some(Kind::Frozen), message: "m".into(), at: 1000, fingerprint };
        state.0.insert(key("01-freeze", false), last);
        let passed = Last { failed: None, message: "ok".into(), at: 1000, fingerprint };
        state.0.insert(key("01-freeze", true), passed);
        state.save(&dir).unwrap();
        let loaded = State::load(&dir);
        std::fs::write(&file, "fn main() { }").unwrap();
        let changed = super::fingerprint(&file);
        let _ = std::fs::remove_dir_all(&dir);

        assert_eq!(loaded, state);
        assert_eq!(loaded.describe("01-freeze", fingerprint, 1030), "fails: frozen (just now)");
        assert_eq!(
            loaded.describe("01-freeze --solution", fingerprint, 1000 + 7200),
            "passes (2 h ago)"
        );
        assert_eq!(
            loaded.describe("01-freeze", changed, 1000 + 300),
            "fails: frozen (5 min ago, changed since)"
        );
        assert_eq!(loaded.describe("02-drain", 0, 0), "not checked yet");
        assert_ne!(fingerprint, changed);
    }
}
