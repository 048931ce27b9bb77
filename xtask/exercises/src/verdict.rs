//! What a check found wrong, as a kind (which the lessons' metadata name in `fails`) and a
//! sentence with the measured figures, followed by a hint in plain words.

use crate::catalogue::Check;
use serde::{Deserialize, Serialize};

/// Every way an exercise can fail its checks, in the order the checks find them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// The compiler refuses it.
    DoesNotCompile,
    /// Clippy, with the project's configuration and warnings denied, refuses it.
    Lint,
    /// The window did not open.
    NoWindow,
    /// The window painted nothing for a second or more after Start, or during the work.
    Frozen,
    /// The window painted, but too few frames or with long gaps between them.
    Stutters,
    /// The window manager's pings waited too long for an answer.
    Unresponsive,
    /// The window was still changing long after the work should have ended.
    NeverFinished,
    /// The window went quiet long before the work could have ended.
    FinishedEarly,
    /// The program did not exit promptly when its window closed.
    ExitLate,
    /// The program ended with a failure (a panic, a crash), or before it was closed.
    ExitStatus,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::DoesNotCompile,
        Kind::Lint,
        Kind::NoWindow,
        Kind::Frozen,
        Kind::Stutters,
        Kind::Unresponsive,
        Kind::NeverFinished,
        Kind::FinishedEarly,
        Kind::ExitLate,
        Kind::ExitStatus,
    ];

    /// The check that finds it.
    pub fn check(self) -> Check {
        match self {
            Kind::DoesNotCompile => Check::Compile,
            Kind::Lint => Check::Lint,
            _ => Check::Run,
        }
    }

    /// Its name in the metadata and the messages: `frozen`, `exit-late`.
    pub fn name(self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    }

    /// The hint for a failure an exercise is not about (its own hint is in its metadata).
    pub fn hint(self) -> &'static str {
        match self {
            Kind::DoesNotCompile => "the command below shows the compiler's full message",
            Kind::Lint => {
                "the project's lint policy (clippy.toml) denies it; the command below shows why"
            }
            Kind::NoWindow => "the program's output is below",
            Kind::Frozen => "something still blocks the main loop",
            Kind::Stutters => "the main loop is still busy for long stretches of the work",
            Kind::Unresponsive => "the main loop is still busy when the window manager asks",
            Kind::NeverFinished => {
                "the work never ended, or nothing stopped the spinner when it did"
            }
            Kind::FinishedEarly => {
                "the spinner stopped before the work was done: stop it when the answer comes back"
            }
            Kind::ExitLate => "something still runs, or is waited for, after the window closes",
            Kind::ExitStatus => "the program's output is below",
        }
    }
}

/// A failed check: its kind, what was measured (a sentence without a full stop), and anything
/// that helps to see why (the compiler's message, the end of the program's output).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub kind: Kind,
    pub measured: String,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<String>,
}

impl Failure {
    pub fn new(kind: Kind, measured: impl Into<String>) -> Self {
        Self { kind, measured: measured.into(), details: Vec::new() }
    }

    pub fn with_details(mut self, details: Vec<String>) -> Self {
        self.details = details;
        self
    }

    /// The sentence a learner reads: what was measured, then the hint. `own` is the hint of the
    /// exercise, for the failure the exercise is about (`about`).
    pub fn message(&self, about: Kind, own: &str) -> String {
        let hint = if self.kind == about { own } else { self.kind.hint() };
        format!("{}: {hint}", self.measured)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_their_metadata_names_and_checks() {
        let names: Vec<String> = Kind::ALL.iter().map(|k| k.name()).collect();
        assert_eq!(names[0], "does-not-compile");
        assert_eq!(names[8], "exit-late");
        for (kind, name) in Kind::ALL.iter().zip(&names) {
            let parsed: Kind = serde_json::from_value(serde_json::json!(name)).unwrap();
            assert_eq!(parsed, *kind);
            assert!(!kind.hint().is_empty());
        }
        assert_eq!(Kind::Lint.check(), Check::Lint);
        assert_eq!(Kind::ExitLate.check(), Check::Run);
    }

    #[test]
    fn the_exercise_hint_goes_with_its_own_failure_only() {
        let frozen = Failure::new(Kind::Frozen, "the window painted no frame for 3.0 s");
        assert_eq!(
            frozen.message(Kind::Frozen, "the work still runs on the main loop"),
            "the window painted no frame for 3.0 s: the work still runs on the main loop"
        );
        assert_eq!(
            frozen.message(Kind::ExitLate, "its worker was never told to stop"),
            "the window painted no frame for 3.0 s: something still blocks the main loop"
        );
    }
}
