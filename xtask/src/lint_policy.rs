//! `cargo xtask lint-policy`: proof that the lint policy still bites.
//!
//! The policy is `clippy.toml`'s `disallowed-methods` list plus the workspace's denied
//! `await_holding_*` lints. A policy can stop working without anyone noticing: an entry's path
//! stops resolving after a dependency update (clippy may then ignore it), the list is emptied, a
//! lint level is relaxed. So `tests/lint-fixture`, with its `violations` feature, breaks every
//! rule once, and this check runs clippy on it and fails unless clippy denied every one: each
//! listed path as `clippy::disallowed_methods`, and both `await_holding_*` lints, all as errors.

use crate::cmd::{self, Failure, Result};
use std::collections::{BTreeMap, BTreeSet};
use std::process::Stdio;

const FIXTURE: &str = "lint-fixture";

// ANCHOR: required
/// The entries the lessons rely on: without them the policy would not catch lesson 01's
/// `sleep`, lesson 02's `iteration` or a main loop waiting for a worker.
const REQUIRED_METHODS: [&str; 4] = [
    "std::thread::sleep",
    "glib::MainContext::iteration",
    "std::thread::JoinHandle::join",
    "async_channel::Receiver::recv_blocking",
];

const DISALLOWED_METHODS: &str = "clippy::disallowed_methods";

/// Lints the workspace denies and the fixture breaks, besides `disallowed_methods`.
const DENIED_LINTS: [&str; 2] = ["clippy::await_holding_refcell_ref", "clippy::await_holding_lock"];
// ANCHOR_END: required

pub fn lint_policy() -> Result {
    let config_path = cmd::root().join("clippy.toml");
    let config = std::fs::read_to_string(&config_path)
        .map_err(|e| Failure::new(format!("cannot read {}: {e}", cmd::shown(&config_path))))?;
    let listed = disallowed_methods(&config)
        .map_err(|e| Failure::new(format!("{}: {e}", cmd::shown(&config_path))))?;
    let mut problems = list_problems(&listed);

    let mut clippy = cmd::cargo();
    clippy.args(["clippy", "-p", FIXTURE, "--features", "violations", "--message-format=json"]);
    cmd::step(&format!("lint-policy: {} (expected to fail)", cmd::describe(&clippy)));
    let out = clippy
        .stdin(Stdio::null())
        .output()
        .map_err(|e| Failure::new(format!("could not start `{}`: {e}", cmd::describe(&clippy))))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    let findings = Findings::parse(&stdout);
    if out.status.success() {
        problems.push(format!("clippy passed on {FIXTURE}: nothing in the policy is denied"));
    }
    problems.extend(findings.problems(&listed));

    if problems.is_empty() {
        eprintln!(
            "lint-policy: clippy denied all {} disallowed methods and {}",
            listed.len(),
            DENIED_LINTS.join(" and ")
        );
        return Ok(());
    }
    // Clippy's own account (an entry that resolves to nothing, a build error) explains most
    // failures: cargo's on stderr, the compiler's in the messages no rule accounts for.
    eprint!("{}", String::from_utf8_lossy(&out.stderr));
    for other in &findings.others {
        eprint!("{other}");
    }
    for problem in &problems {
        eprintln!("lint-policy: {problem}");
    }
    let count = match problems.len() {
        1 => "1 problem".to_string(),
        n => format!("{n} problems"),
    };
    Err(Failure::new(format!("the lint policy does not bite ({count})")))
}

/// What is wrong with the list itself, before clippy is asked anything.
fn list_problems(listed: &[String]) -> Vec<String> {
    if listed.is_empty() {
        return vec!["clippy.toml's disallowed-methods list is empty".to_string()];
    }
    REQUIRED_METHODS
        .iter()
        .filter(|required| !listed.iter().any(|path| path == *required))
        .map(|missing| format!("clippy.toml's disallowed-methods list lacks `{missing}`"))
        .collect()
}

/// The paths of clippy.toml's `disallowed-methods` array, in order: each `path = "..."` of an
/// inline table, and each bare string (clippy accepts both forms). Understands as much TOML as
/// that array needs: basic and literal strings, comments, nesting.
pub fn disallowed_methods(config: &str) -> std::result::Result<Vec<String>, String> {
    let Some(array) = array_of(config, "disallowed-methods") else {
        return Err("no `disallowed-methods = [...]` array".to_string());
    };
    let tokens = tokens(array)?;
    let mut paths = Vec::new();
    let mut depth = 0;
    for (i, token) in tokens.iter().enumerate() {
        match token {
            Token::Open => depth += 1,
            Token::Close => depth -= 1,
            // A string straight inside the array is a path on its own...
            Token::Str(path) if depth == 1 => paths.push(path.clone()),
            // ...and inside an entry's table, the value of its `path` key.
            Token::Str(value) if matches!(&tokens[..i], [.., Token::Key(key), Token::Equals] if key == "path") =>
            {
                paths.push(value.clone());
            }
            _ => {}
        }
    }
    Ok(paths)
}

#[derive(Debug, PartialEq)]
enum Token {
    Open,
    Close,
    Equals,
    Key(String),
    Str(String),
}

/// The text of the array assigned to top-level `key`, from its `[` to its matching `]`.
fn array_of<'a>(config: &'a str, key: &str) -> Option<&'a str> {
    let mut offset = 0;
    for line in config.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let Some(rest) = line.trim_start().strip_prefix(key) else { continue };
        let Some(rest) = rest.trim_start().strip_prefix('=') else { continue };
        if !rest.trim_start().starts_with('[') {
            continue;
        }
        let open = start + line.find('[')?;
        return matching_close(&config[open..]).map(|len| &config[open..open + len]);
    }
    None
}

/// The length of `text` up to and including the `]` that closes its leading `[`.
fn matching_close(text: &str) -> Option<usize> {
    let mut depth = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        match c {
            '[' | '{' => depth += 1,
            ']' | '}' => {
                depth -= 1;
                if depth == 0 {
                    return Some(at + 1);
                }
            }
            '#' => while chars.next_if(|&(_, c)| c != '\n').is_some() {},
            '"' | '\'' => {
                let mut escaped = false;
                for (_, s) in chars.by_ref() {
                    if s == c && !escaped {
                        break;
                    }
                    escaped = c == '"' && s == '\\' && !escaped;
                }
            }
            _ => {}
        }
    }
    None
}

fn tokens(text: &str) -> std::result::Result<Vec<Token>, String> {
    let mut tokens = Vec::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '[' | '{' => tokens.push(Token::Open),
            ']' | '}' => tokens.push(Token::Close),
            '=' => tokens.push(Token::Equals),
            '#' => while chars.next_if(|&c| c != '\n').is_some() {},
            '"' => tokens.push(Token::Str(basic_string(&mut chars)?)),
            '\'' => {
                let value: String = chars.by_ref().take_while(|&c| c != '\'').collect();
                tokens.push(Token::Str(value));
            }
            c if c.is_alphanumeric() || c == '-' || c == '_' => {
                let mut key = c.to_string();
                while let Some(c) = chars.next_if(|&c| c.is_alphanumeric() || c == '-' || c == '_')
                {
                    key.push(c);
                }
                tokens.push(Token::Key(key));
            }
            _ => {}
        }
    }
    Ok(tokens)
}

/// The rest of a `"..."` string after its opening quote, with the escapes TOML paths could use.
fn basic_string(chars: &mut impl Iterator<Item = char>) -> std::result::Result<String, String> {
    let mut value = String::new();
    while let Some(c) = chars.next() {
        match c {
            '"' => return Ok(value),
            '\\' => match chars.next() {
                Some('"') => value.push('"'),
                Some('\\') => value.push('\\'),
                Some('n') => value.push('\n'),
                Some('t') => value.push('\t'),
                other => return Err(format!("unsupported escape \\{}", other.unwrap_or(' '))),
            },
            c => value.push(c),
        }
    }
    Err("a string is not closed".to_string())
}

/// What clippy reported, from its `--message-format=json` output.
#[derive(Debug, Default, PartialEq)]
pub struct Findings {
    /// The paths named by `disallowed_methods` reports, and the levels they were reported at.
    disallowed: BTreeMap<String, BTreeSet<String>>,
    /// Every other lint reported, with its levels.
    lints: BTreeMap<String, BTreeSet<String>>,
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
            if value["reason"] != "compiler-message" {
                continue;
            }
            let message = &value["message"];
            let (code, level) = (message["code"]["code"].as_str(), message["level"].as_str());
            let expected =
                code.is_some_and(|code| code == DISALLOWED_METHODS || DENIED_LINTS.contains(&code));
            if !expected && let Some(rendered) = message["rendered"].as_str() {
                findings.others.push(rendered.to_string());
            }
            let (Some(code), Some(level)) = (code, level) else { continue };
            let level = level.to_string();
            if code == DISALLOWED_METHODS {
                // "use of a disallowed method `std::thread::sleep`"
                let text = message["message"].as_str().unwrap_or_default();
                if let Some(path) = text.split('`').nth(1) {
                    findings.disallowed.entry(path.to_string()).or_default().insert(level);
                }
            } else {
                findings.lints.entry(code.to_string()).or_default().insert(level);
            }
        }
        findings
    }

    /// Every listed path and every denied lint that clippy did not report as an error.
    pub fn problems(&self, listed: &[String]) -> Vec<String> {
        let mut problems = Vec::new();
        for path in listed {
            problems.extend(missing(&self.disallowed, path, &format!("`{path}`")));
        }
        for lint in DENIED_LINTS {
            problems.extend(missing(&self.lints, lint, lint));
        }
        problems
    }
}

fn missing(reported: &BTreeMap<String, BTreeSet<String>>, key: &str, what: &str) -> Option<String> {
    match reported.get(key) {
        Some(levels) if levels.contains("error") => None,
        Some(levels) => Some(format!(
            "{what} was reported only as {}, not denied",
            levels.iter().cloned().collect::<Vec<_>>().join(", ")
        )),
        None => Some(format!("{what} was not reported by clippy on {FIXTURE}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn paths(config: &str) -> Vec<String> {
        disallowed_methods(config).unwrap()
    }

    #[test]
    fn reads_the_paths_of_inline_tables_and_bare_strings() {
        let config = r#"
# disallowed-methods = ["commented::out"]
disallowed-types = [{ path = "not::a::method" }]
disallowed-methods = [
    { path = "std::thread::sleep", reason = "blocks [the thread] # not a comment" },
    # { path = "a::comment" },
    { reason = "path = \"in::a::reason\"", path = 'glib::MainContext::iteration' },
    "std::thread::JoinHandle::join", # a bare path
    { path = "async_channel::Receiver::recv_blocking", allow-invalid = true },
]
after = [{ path = "not::in::the::list" }]
"#;
        assert_eq!(
            paths(config),
            [
                "std::thread::sleep",
                "glib::MainContext::iteration",
                "std::thread::JoinHandle::join",
                "async_channel::Receiver::recv_blocking",
            ]
        );
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
        assert!(disallowed_methods("msrv = \"1.95\"\n").is_err());
        assert!(disallowed_methods("disallowed-methods = [\n  \"open\"\n").is_err());
        assert!(disallowed_methods("disallowed-methods = [\"unclosed]\n").is_err());
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
