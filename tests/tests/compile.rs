//! The catalogue of forbidden patterns, run through trybuild.
//!
//! Every `ui/<topic>/<case>.rs` must fail to compile, with exactly the error
//! committed next to it in `<case>.stderr` (the book quotes those files). Every
//! case has a twin, `<case>_twin.rs`: the same program with the fix, which must
//! compile, and which trybuild then runs. Twins therefore only name their
//! demonstration (`let _ = demo;`), never call it: nothing GTK happens at run
//! time.
//!
//! After a toolchain or dependency change, `cargo xtask bless` rewrites the
//! `.stderr` files; read the diff before committing it.

use std::path::{Path, PathBuf};

const TWIN_SUFFIX: &str = "_twin.rs";

// ANCHOR: harness
#[test]
fn forbidden_patterns_fail_and_their_twins_compile() {
    let cases = trybuild::TestCases::new();
    for file in catalogue() {
        if is_twin(&file) {
            cases.pass(&file);
        } else {
            cases.compile_fail(&file);
        }
    }
    // The cases run when `cases` is dropped, here.
}
// ANCHOR_END: harness

#[test]
fn every_case_has_a_twin_a_rule_and_an_expected_error() {
    let files = catalogue();
    assert!(!files.is_empty(), "no cases found under {}", ui().display());
    let mut problems = Vec::new();
    for file in &files {
        let name = file.display();
        let rule = rule(file);
        if rule.is_none() {
            problems
                .push(format!("{name}: the first line must be a `// ` comment stating the rule"));
        }
        if is_twin(file) {
            let case = case_of(file);
            if !files.contains(&case) {
                problems.push(format!(
                    "{name}: a twin without a case ({})",
                    case.display()
                ));
            } else if let (Some(rule), Some(case_rule)) =
                (rule, self::rule(&case))
                && rule != case_rule
            {
                problems.push(format!(
                    "{name}: its first line must repeat its case's:\n  twin: {rule}\n  case: {case_rule}"
                ));
            }
        } else {
            let twin = twin_of(file);
            if !files.contains(&twin) {
                problems.push(format!(
                    "{name}: a case without a twin ({})",
                    twin.display()
                ));
            }
            let stderr = file.with_extension("stderr");
            if !root().join(&stderr).is_file() {
                problems.push(format!(
                    "{name}: no expected error ({}); run `cargo xtask bless` and read it",
                    stderr.display()
                ));
            }
        }
    }
    problems.extend(stray_files(&files));
    assert!(
        problems.is_empty(),
        "the catalogue is malformed:\n{}",
        problems.join("\n")
    );
}

/// Twins are shown as the right way to do it, so none may teach a leak: a
/// repeating main-loop source (a timer or an idle callback that is not `_once`)
/// must be able to stop, by returning `ControlFlow::Break` (when its widget is
/// gone, at the latest). A glib source lives until it breaks or is removed,
/// whatever becomes of its `SourceId`.
#[test]
fn no_twin_leaves_a_repeating_source_running_forever() {
    let mut problems = Vec::new();
    for file in catalogue().iter().filter(|file| is_twin(file)) {
        let text = std::fs::read_to_string(root().join(file)).unwrap();
        let repeats = [
            "timeout_add_local(",
            "idle_add_local(",
            "timeout_add(",
            "idle_add(",
        ]
        .iter()
        .any(|call| text.contains(call));
        if repeats && !text.contains("ControlFlow::Break") {
            problems.push(format!(
                "{}: a repeating source that never breaks",
                file.display()
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The crate's directory: trybuild runs with it as the current directory and
/// names the cases relative to it, as do the messages here.
fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn ui() -> PathBuf {
    root().join("ui")
}

/// Every `ui/<topic>/*.rs`, relative to the crate's directory, sorted so that
/// runs and messages come in the same order on every machine.
fn catalogue() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = topics()
        .iter()
        .flat_map(|topic| entries(topic))
        .filter(|path| path.extension().is_some_and(|ext| ext == "rs"))
        .map(|path| path.strip_prefix(root()).unwrap().to_path_buf())
        .collect();
    files.sort();
    files
}

fn topics() -> Vec<PathBuf> {
    let mut topics: Vec<PathBuf> =
        entries(&ui()).into_iter().filter(|p| p.is_dir()).collect();
    topics.sort();
    topics
}

fn entries(dir: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot read {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().path())
        .collect()
}

/// Anything in `ui/` that the harness would silently ignore: files outside a
/// topic, files other than cases and expected errors, and expected errors whose
/// case is gone (or is a twin).
fn stray_files(cases: &[PathBuf]) -> Vec<String> {
    let mut problems = Vec::new();
    for path in entries(&ui()).into_iter().filter(|p| !p.is_dir()) {
        let shown = path.strip_prefix(root()).unwrap().display().to_string();
        problems.push(format!("{shown}: not inside a topic directory"));
    }
    for topic in topics() {
        for path in entries(&topic) {
            let shown = path.strip_prefix(root()).unwrap().to_path_buf();
            match path.extension().and_then(|ext| ext.to_str()) {
                Some("rs") => {}
                Some("stderr") => {
                    let case = shown.with_extension("rs");
                    if is_twin(&case) || !cases.contains(&case) {
                        problems.push(format!(
                            "{}: no failing case of that name",
                            shown.display()
                        ));
                    }
                }
                _ => problems.push(format!(
                    "{}: neither a case nor an expected error",
                    shown.display()
                )),
            }
        }
    }
    problems
}

fn is_twin(file: &Path) -> bool {
    file.to_str().is_some_and(|name| name.ends_with(TWIN_SUFFIX))
}

fn twin_of(case: &Path) -> PathBuf {
    let stem = case.file_stem().unwrap().to_str().unwrap();
    case.with_file_name(format!("{stem}{TWIN_SUFFIX}"))
}

fn case_of(twin: &Path) -> PathBuf {
    let name = twin.file_name().unwrap().to_str().unwrap();
    twin.with_file_name(format!(
        "{}.rs",
        name.strip_suffix(TWIN_SUFFIX).unwrap()
    ))
}

/// The rule a file demonstrates: its first line, if that is a one-line `// `
/// comment (the line after it must not continue the comment).
fn rule(file: &Path) -> Option<String> {
    let text = std::fs::read_to_string(root().join(file)).ok()?;
    let mut lines = text.lines();
    let first = lines.next()?;
    let continued = lines
        .next()
        .is_some_and(|second| second.trim_start().starts_with("//"));
    let stated =
        first.strip_prefix("// ").is_some_and(|rule| !rule.trim().is_empty());
    (stated && !continued).then(|| first.to_string())
}
