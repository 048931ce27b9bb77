//! `cargo xtask lint-policy`: proof that the policy (`clippy.toml`'s `disallowed-methods` and the
//! denied `await_holding_*` lints) still bites. It can stop working unnoticed: a path stops
//! resolving after an update, the list is emptied, a level is relaxed. So `tests/lint-fixture`
//! breaks every rule once, and this fails unless clippy denied each one as an error.

use crate::cmd::{self, Failure, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;

const FIXTURE: &str = "lint-fixture";

// ANCHOR: required
/// The entries the lessons rely on: without them the policy would not
/// catch lesson 01's `sleep`, lesson 02's `iteration` or a main loop
/// waiting for a worker.
const REQUIRED_METHODS: [&str; 4] = [
    "std::thread::sleep",
    "glib::MainContext::iteration",
    "std::thread::JoinHandle::join",
    "async_channel::Receiver::recv_blocking",
];

const DISALLOWED_METHODS: &str = "clippy::disallowed_methods";

// ANCHOR_END: required

/// Lints the workspace denies and the fixture breaks, besides `disallowed_methods`.
const DENIED_LINTS: [&str; 2] = ["clippy::await_holding_refcell_ref", "clippy::await_holding_lock"];

pub fn lint_policy() -> Result {
    let path = cmd::root().join("clippy.toml");
    let config = std::fs::read_to_string(&path).map_err(cmd::io("read", &path))?;
    let listed =
        disallowed_methods(&config).map_err(|e| Failure::new(format!("clippy.toml: {e}")))?;
    let mut problems = list_problems(&listed);
    let mut clippy = cmd::cargo();
    clippy.args(["clippy", "-p", FIXTURE, "--features", "violations", "--message-format=json"]);
    cmd::step(&format!("lint-policy: {} (expected to fail)", cmd::describe(&clippy)));
    let out = cmd::capture(clippy.stdin(Stdio::null()))?;
    let findings = Findings::parse(&String::from_utf8_lossy(&out.stdout));
    if out.status.success() {
        problems.push(format!("clippy passed on {FIXTURE}: nothing in the policy is denied"));
    }
    problems.extend(findings.problems(&listed));
    if problems.is_empty() {
        let lints = DENIED_LINTS.join(" and ");
        eprintln!("lint-policy: clippy denied all {} disallowed methods and {lints}", listed.len());
        return Ok(());
    }
    // Clippy's own account (an entry that resolves to nothing, a build error) explains most
    // failures: cargo's on stderr, the compiler's in the messages no rule accounts for.
    eprint!("{}{}", String::from_utf8_lossy(&out.stderr), findings.others.concat());
    problems.iter().for_each(|problem| eprintln!("lint-policy: {problem}"));
    Err(Failure::new(format!("the lint policy does not bite ({} problems)", problems.len())))
}

/// What is wrong with the list itself, before clippy is asked anything.
fn list_problems(listed: &[String]) -> Vec<String> {
    let lacking = REQUIRED_METHODS.iter().filter(|required| !listed.iter().any(|p| p == *required));
    let mut problems: Vec<String> = lacking
        .map(|missing| format!("clippy.toml's disallowed-methods list lacks `{missing}`"))
        .collect();
    if listed.is_empty() {
        problems = vec!["clippy.toml's disallowed-methods list is empty".to_string()];
    }
    problems
}

/// The paths of clippy.toml's `disallowed-methods`, in order: each entry is a table with a
/// `path` (`[[disallowed-methods]]` or inline) or a bare path, both of which clippy accepts.
pub fn disallowed_methods(config: &str) -> std::result::Result<Vec<String>, String> {
    let config: toml::Table = config.parse().map_err(|e: toml::de::Error| e.to_string())?;
    let entries = config.get("disallowed-methods").and_then(toml::Value::as_array);
    let path = |entry: &toml::Value| match entry {
        toml::Value::String(path) => Some(path.clone()),
        table => table.get("path")?.as_str().map(String::from),
    };
    let paths = entries.ok_or("no `disallowed-methods` list")?.iter().map(path);
    paths
        .collect::<Option<_>>()
        .ok_or_else(|| "an entry of `disallowed-methods` has no path".into())
}

/// What clippy reported, from its `--message-format=json` output: for each listed path (as
/// `` `path` ``) and each other lint, the levels it was reported at.
#[derive(Debug, Default, PartialEq)]
pub struct Findings {
    reported: BTreeMap<String, BTreeSet<String>>,
    /// The rendered text of every message that is not a report of a rule the fixture breaks:
    /// clippy's warning about a path that resolves to nothing, a compile error...
    others: Vec<String>,
}

impl Findings {
    /// Reads cargo's JSON lines; lines that are not compiler messages (artifacts, build
    /// scripts, the final summary) are skipped.
    pub fn parse(stdout: &str) -> Self {
        let mut findings = Self::default();
        for line in stdout.lines() {
            let Ok(value) = serde_json::from_str::<serde_json::Value>(line) else { continue };
            let message = &value["message"];
            let (code, level) = (message["code"]["code"].as_str(), message["level"].as_str());
            let expected =
                code.is_some_and(|c| c == DISALLOWED_METHODS || DENIED_LINTS.contains(&c));
            if value["reason"] != "compiler-message" {
                continue;
            } else if !expected && let Some(rendered) = message["rendered"].as_str() {
                findings.others.push(rendered.to_string());
            }
            let (Some(code), Some(level)) = (code, level) else { continue };
            // "use of a disallowed method `std::thread::sleep`"
            let text = message["message"].as_str().unwrap_or_default();
            let key = match text.split('`').nth(1) {
                Some(path) if code == DISALLOWED_METHODS => format!("`{path}`"),
                _ => code.to_string(),
            };
            findings.reported.entry(key).or_default().insert(level.to_string());
        }
        findings
    }

    /// Every listed path and every denied lint that clippy did not report as an error.
    pub fn problems(&self, listed: &[String]) -> Vec<String> {
        let paths = listed.iter().map(|path| format!("`{path}`"));
        let rules = paths.chain(DENIED_LINTS.map(String::from));
        rules
            .filter_map(|rule| match self.reported.get(&rule) {
                Some(levels) if levels.contains("error") => None,
                Some(levels) => Some(format!(
                    "{rule} was reported only as {}, not denied",
                    levels.iter().cloned().collect::<Vec<_>>().join(", ")
                )),
                None => Some(format!("{rule} was not reported by clippy on {FIXTURE}")),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(config: &str) -> Vec<String> {
        disallowed_methods(config).unwrap()
    }

    #[test]
    fn reads_the_paths_of_every_form_clippy_accepts() {
        let config = r#"
# disallowed-methods = ["commented::out"]
disallowed-types = [{ path = "not::a::method" }]
avoid-breaking-exported-api = false

[[disallowed-methods]]
path = "std::thread::sleep"
reason = """\
  blocks [the thread] \
  # not a comment"""

[[disallowed-methods]]
reason = "path = \"in::a::reason\""
path = 'glib::MainContext::iteration'
allow-invalid = true
"#;
        assert_eq!(paths(config), ["std::thread::sleep", "glib::MainContext::iteration"]);
        let inline = "disallowed-methods = [\"a::b\", { path = \"c::d\", reason = \"r\" }]\n";
        assert_eq!(paths(inline), ["a::b", "c::d"]);
    }

    #[test]
    fn reads_the_real_clippy_toml() {
        let config = std::fs::read_to_string(cmd::root().join("clippy.toml")).unwrap();
        let listed = paths(&config);
        assert!(list_problems(&listed).is_empty(), "{:?}", list_problems(&listed));
    }

    #[test]
    fn an_empty_or_missing_list_is_a_problem() {
        assert_eq!(paths("disallowed-methods = []\n"), Vec::<String>::new());
        assert!(list_problems(&[])[0].contains("empty"));
        assert!(disallowed_methods("msrv = \"1.95\"\n").unwrap_err().contains("no `disallowed"));
        assert!(disallowed_methods("disallowed-methods = [\n  \"open\"\n").is_err());
        assert!(disallowed_methods("disallowed-methods = [\"unclosed]\n").is_err());
        assert!(disallowed_methods("[[disallowed-methods]]\nreason = \"no path\"\n").is_err());
    }

    #[test]
    fn the_lessons_entries_are_required() {
        let listed: Vec<String> = REQUIRED_METHODS.iter().map(|p| p.to_string()).collect();
        assert!(list_problems(&listed).is_empty());
        let without_join: Vec<String> =
            listed.iter().filter(|p| !p.ends_with("join")).cloned().collect();
        assert_eq!(
            list_problems(&without_join),
            ["clippy.toml's disallowed-methods list lacks `std::thread::JoinHandle::join`"]
        );
    }

    fn message(level: &str, code: &str, text: &str) -> String {
        serde_json::json!({
            "reason": "compiler-message",
            "package_id": "lint-fixture",
            "message": { "level": level, "code": { "code": code }, "message": text },
        })
        .to_string()
    }

    #[test]
    fn parses_clippys_json_lines() {
        let stdout = [
            r#"{"reason":"compiler-artifact","package_id":"glib"}"#.to_string(),
            message("error", DISALLOWED_METHODS, "use of a disallowed method `std::thread::sleep`"),
            message("warning", DISALLOWED_METHODS, "use of a disallowed method `a::b`"),
            message("error", "clippy::await_holding_lock", "this `MutexGuard` is held across an await point"),
            r#"{"reason":"compiler-message","message":{"level":"error","code":null,"message":"aborting","rendered":"error: aborting\n"}}"#.to_string(),
            "not json: a stray line".to_string(),
            r#"{"reason":"build-finished","success":false}"#.to_string(),
        ]
        .join("\n");
        let findings = Findings::parse(&stdout);
        assert_eq!(findings.others, ["error: aborting\n"]);
        let listed = ["std::thread::sleep".to_string(), "a::b".to_string(), "c::d".to_string()];
        assert_eq!(
            findings.problems(&listed),
            [
                "`a::b` was reported only as warning, not denied",
                "`c::d` was not reported by clippy on lint-fixture",
                "clippy::await_holding_refcell_ref was not reported by clippy on lint-fixture",
            ]
        );
    }

    #[test]
    fn nothing_reported_means_every_rule_is_missing() {
        let findings = Findings::parse("");
        let listed = vec!["std::thread::sleep".to_string()];
        assert_eq!(findings.problems(&listed).len(), 1 + DENIED_LINTS.len());
    }
}
