//! The compile and lint checks: `cargo build`, or `cargo clippy --no-deps -- -D warnings` with
//! the project's clippy.toml, on any number of exercise programs in one invocation
//! (`--keep-going`: one that does not compile stops no other), read through cargo's JSON
//! messages: each program's errors, one line each, and its executable.

use crate::catalogue;
use serde_json::Value;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Build,
    Clippy,
}

/// What cargo said about one program.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Built {
    /// Its executable, once built.
    pub executable: Option<PathBuf>,
    /// Its errors, each as rustc's short format writes it: `file:line:col: error[E0277]: ...`.
    pub errors: Vec<String>,
}

/// Builds or lints `programs` (package, example) together: each program's outcome by example
/// name. An error is cargo failing for another reason than the programs' own errors (a broken
/// manifest, a dependency that does not compile): its output is in the message.
pub fn run(
    root: &Path,
    tool: Tool,
    programs: &[(String, String)],
) -> Result<HashMap<String, Built>, String> {
    if programs.is_empty() {
        return Ok(HashMap::new());
    }
    let mut packages: Vec<&str> = programs.iter().map(|(package, _)| package.as_str()).collect();
    packages.sort_unstable();
    packages.dedup();
    let mut command = catalogue::cargo(root);
    command.arg(match tool {
        Tool::Build => "build",
        Tool::Clippy => "clippy",
    });
    command.args(["--keep-going", "--message-format", "json-diagnostic-short"]);
    if tool == Tool::Clippy {
        command.arg("--no-deps"); // the lessons' own dependencies are linted by their tests
    }
    for package in &packages {
        command.args(["-p", package]);
    }
    let features: Vec<String> = packages.iter().map(|p| format!("{p}/exercises")).collect();
    command.args(["--features", &features.join(",")]);
    for (_, example) in programs {
        command.args(["--example", example]);
    }
    if tool == Tool::Clippy {
        command.args(["--", "-D", "warnings"]);
    }
    let out = command.output().map_err(|e| format!("could not run cargo: {e}"))?;
    let mut outcomes = parse(&String::from_utf8_lossy(&out.stdout), programs);
    let unexplained = |built: &Built| {
        built.errors.is_empty() && (tool == Tool::Build && built.executable.is_none())
    };
    if !out.status.success() && outcomes.values().all(|built| built.errors.is_empty())
        || outcomes.values().any(unexplained)
    {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().filter(|l| !l.trim().is_empty()).collect();
        let tail = tail[tail.len().saturating_sub(12)..].join("\n");
        let verb = if tool == Tool::Build { "build" } else { "clippy" };
        return Err(format!("cargo {verb} failed before it reached the exercises:\n{tail}"));
    }
    for (_, example) in programs {
        outcomes.entry(example.clone()).or_default();
    }
    Ok(outcomes)
}

/// The outcome of each of `programs` in cargo's JSON messages.
pub fn parse(stdout: &str, programs: &[(String, String)]) -> HashMap<String, Built> {
    let mut outcomes: HashMap<String, Built> = HashMap::new();
    for line in stdout.lines() {
        let Ok(message) = serde_json::from_str::<Value>(line) else { continue };
        let Some(name) = message["target"]["name"].as_str() else { continue };
        if !programs.iter().any(|(_, example)| example == name) {
            continue;
        }
        let built = outcomes.entry(name.to_string()).or_default();
        match message["reason"].as_str() {
            Some("compiler-artifact") => {
                if let Some(executable) = message["executable"].as_str() {
                    built.executable = Some(PathBuf::from(executable));
                }
            }
            Some("compiler-message") => {
                let diagnostic = &message["message"];
                let text = diagnostic["message"].as_str().unwrap_or_default();
                if diagnostic["level"] != "error" || text.starts_with("aborting due to") {
                    continue;
                }
                let rendered = diagnostic["rendered"].as_str().unwrap_or(text);
                built.errors.push(one_line(rendered.lines().next().unwrap_or(text), diagnostic));
            }
            _ => {}
        }
    }
    outcomes
}

/// An error as one line: rustc's short form, without the span's label when it only repeats
/// the message, and with the type that holds what cannot cross threads, when rustc names one
/// (`*mut c_void` says less than `gtk4::Label`).
fn one_line(short: &str, diagnostic: &Value) -> String {
    let text = diagnostic["message"].as_str().unwrap_or_default();
    let mut line = short.trim().to_string();
    if line.ends_with(&format!("{text}: {text}")) {
        line.truncate(line.len() - text.len() - 2);
    }
    let notes = diagnostic["children"].as_array().into_iter().flatten();
    let mut within = notes.filter_map(|note| {
        let note = note["message"].as_str()?;
        let ty = note.strip_prefix("required because it appears within the type ")?;
        (!ty.starts_with("`{")).then_some(ty) // not a closure or an async block
    });
    if let Some(ty) = within.next_back() {
        line.push_str(&format!(" (inside {ty})"));
    }
    line
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_and_executables_are_read_per_program() {
        let programs = [
            ("lesson-01-blocking".to_string(), "exercise-01-freeze".to_string()),
            ("lesson-03-thread-pool".to_string(), "exercise-03-label".to_string()),
        ];
        let stdout = r#"{"reason":"compiler-artifact","target":{"name":"lesson_kit"},"executable":null}
not json: cargo's own line
{"reason":"compiler-message","target":{"name":"exercise-03-label"},"message":{"level":"warning","message":"unused","rendered":"x.rs:1:1: warning: unused\n"}}
{"reason":"compiler-message","target":{"name":"exercise-03-label"},"message":{"level":"error","message":"`Rc<Label>` cannot be sent between threads safely","rendered":"lessons/03/exercises/label.rs:40:9: error[E0277]: `Rc<Label>` cannot be sent between threads safely\n"}}
{"reason":"compiler-message","target":{"name":"exercise-03-label"},"message":{"level":"error","message":"`*mut c_void` cannot be sent between threads safely","rendered":"label.rs:63:36: error[E0277]: `*mut c_void` cannot be sent between threads safely: `*mut c_void` cannot be sent between threads safely\n","children":[{"message":"the trait `Send` is not implemented for `*mut c_void`"},{"message":"required because it appears within the type `TypedObjectRef<*mut c_void, ()>`"},{"message":"required because it appears within the type `gtk4::Label`"},{"message":"required because it appears within the type `{closure@label.rs:63:36}`"}]}}
{"reason":"compiler-message","target":{"name":"exercise-03-label"},"message":{"level":"error","message":"aborting due to 1 previous error","rendered":"error: aborting due to 1 previous error\n"}}
{"reason":"compiler-artifact","target":{"name":"exercise-01-freeze"},"executable":"/w/target/debug/examples/exercise-01-freeze"}
{"reason":"build-finished","success":false}"#;
        let outcomes = parse(stdout, &programs);
        assert_eq!(outcomes.len(), 2);
        let freeze = &outcomes["exercise-01-freeze"];
        assert_eq!(
            freeze.executable.as_deref(),
            Some(Path::new("/w/target/debug/examples/exercise-01-freeze"))
        );
        assert!(freeze.errors.is_empty());
        let label = &outcomes["exercise-03-label"];
        assert_eq!(
            label.errors[1],
            "label.rs:63:36: error[E0277]: `*mut c_void` cannot be sent between threads safely \
             (inside `gtk4::Label`)"
        );
        assert_eq!(label.executable, None);
        assert_eq!(
            label.errors[0],
            "lessons/03/exercises/label.rs:40:9: error[E0277]: `Rc<Label>` cannot be sent \
             between threads safely"
        );
        assert_eq!(label.errors.len(), 2, "warnings and the closing summary are no errors");
    }
}
