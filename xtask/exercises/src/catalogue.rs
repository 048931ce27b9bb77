//! The exercises, as the lessons declare them: every `[[package.metadata.exercise]]` entry of a
//! workspace package, read with `cargo metadata` as xtask reads `[package.metadata.lesson]`.
//! A lesson's exercises are a package of their own, in its `exercises/` directory, so that they
//! depend on nothing but what the minimal examples use; each entry there comes with the two
//! examples that hold the exercise and its solution (`exercise-<name>` and `solution-<name>`,
//! built only with the package's `exercises` feature).

use crate::verdict::{Failure, Kind};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The checks, in the order they run: each needs the one before to pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Check {
    /// `cargo build`: compile-fail exercises pass it once they compile.
    Compile,
    /// `cargo clippy -- -D warnings` with the project's clippy.toml.
    Lint,
    /// The program itself on an X server, judged from outside ([`crate::judge`]).
    Run,
}

impl Check {
    pub fn name(self) -> &'static str {
        match self {
            Check::Compile => "compile",
            Check::Lint => "lint",
            Check::Run => "run",
        }
    }
}

/// A key the run check types, to press Start from the window's first focus.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Key {
    Tab,
    Space,
    Return,
}

impl Key {
    pub fn keysym(self) -> u32 {
        match self {
            Key::Tab => xdriver::keysym::TAB,
            Key::Space => xdriver::keysym::SPACE,
            Key::Return => xdriver::keysym::RETURN,
        }
    }
}

/// How the run check drives the program and what it requires of it.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RunSpec {
    /// The keys that press Start: `["space"]` when it has the focus, `["tab", "space"]`...
    pub press: Vec<Key>,
    /// How long the work lasts, in seconds.
    pub work_s: f64,
    /// During the work, the window paints at least this many frames a second...
    #[serde(default = "min_fps")]
    pub min_fps: f64,
    /// ...and never waits longer than this between two frames, once the first is painted.
    #[serde(default = "max_gap_s")]
    pub max_gap_s: f64,
}

/// A spinning `gtk::Spinner` paints about 60 frames a second on a free main loop; a loaded
/// two-core machine still gets well over half of that.
pub(crate) fn min_fps() -> f64 {
    20.0
}

/// A free main loop paints every 16.7 ms; a quarter of a second without a frame is a stutter
/// anyone sees. With one of two cores kept busy, the solutions' longest gaps were 26 ms (five
/// `--verify` runs), and work on the main loop fails the frames a second long before (lesson
/// 02's drain paints 3).
pub(crate) fn max_gap_s() -> f64 {
    0.25
}

/// One `[[package.metadata.exercise]]` entry, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    name: String,
    title: String,
    task: String,
    checks: Vec<Check>,
    fails: Kind,
    #[serde(default)]
    because: Option<String>,
    hint: String,
    section: String,
    #[serde(default)]
    run: Option<RunSpec>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Exercise {
    /// `01-freeze`: unique in the workspace, and starting with its lesson's number.
    pub name: String,
    pub title: String,
    /// The one-paragraph task.
    pub task: String,
    /// The checks that apply, in order.
    pub checks: Vec<Check>,
    /// The failure the exercise is about: the verdict it gets as shipped...
    pub fails: Kind,
    /// ...and words that verdict must contain, where its kind alone does not tell the reason
    /// (which error the compiler gives).
    pub because: Option<String>,
    /// Plain words for that failure.
    pub hint: String,
    /// The chapter section that explains the fix: `lesson-01-blocking.md#the-way-out`.
    pub section: String,
    pub run: Option<RunSpec>,
    /// The package that declares it (`exercises-01-blocking`), and its lesson's title.
    pub package: String,
    pub lesson: String,
    /// The two programs, relative to the workspace root.
    pub exercise: PathBuf,
    pub solution: PathBuf,
}

/// The exercise as shipped (and as the learner edits it), or its solution.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Variant {
    Exercise,
    Solution,
}

impl Variant {
    pub fn prefix(self) -> &'static str {
        match self {
            Variant::Exercise => "exercise",
            Variant::Solution => "solution",
        }
    }
}

impl Exercise {
    /// The example's name: `exercise-01-freeze`, `solution-01-freeze`.
    pub fn example(&self, variant: Variant) -> String {
        format!("{}-{}", variant.prefix(), self.name)
    }

    /// Whether `failure` is the one the exercise is about: its kind, and its `because` words.
    pub fn fails_so(&self, failure: &Failure) -> bool {
        failure.kind == self.fails
            && self.because.as_ref().is_none_or(|words| failure.measured.contains(words.as_str()))
    }

    pub fn file(&self, variant: Variant) -> &Path {
        match variant {
            Variant::Exercise => &self.exercise,
            Variant::Solution => &self.solution,
        }
    }
}

/// The exercises, and where things are.
#[derive(Debug, Clone)]
pub struct Catalogue {
    pub root: PathBuf,
    pub target: PathBuf,
    pub exercises: Vec<Exercise>,
}

/// The cargo that started us (`cargo run` sets `CARGO`), so that a pinned toolchain stays
/// pinned.
pub fn cargo(root: &Path) -> Command {
    let mut command = Command::new(std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into()));
    command.current_dir(root);
    command
}

/// The workspace root: this crate sits two levels below it.
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.ancestors().nth(2).unwrap_or(manifest).to_path_buf()
}

pub fn discover() -> Result<Catalogue, String> {
    let root = root();
    let out = cargo(&root)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("could not run cargo metadata: {e}"))?;
    if !out.status.success() {
        return Err(format!("cargo metadata failed ({})", out.status));
    }
    parse(&out.stdout)
}

/// The catalogue in `cargo metadata`'s output, every entry checked; sorted by name.
pub fn parse(metadata: &[u8]) -> Result<Catalogue, String> {
    let metadata: Value = serde_json::from_slice(metadata).map_err(|e| e.to_string())?;
    let root = PathBuf::from(metadata["workspace_root"].as_str().unwrap_or("."));
    let target = metadata["target_directory"].as_str().map_or(root.join("target"), PathBuf::from);
    let packages = metadata["packages"].as_array().ok_or("no packages")?;
    let mut exercises: Vec<Exercise> = Vec::new();
    for package in packages {
        let entries = &package["metadata"]["exercise"];
        if entries.is_null() {
            continue;
        }
        let name = package["name"].as_str().unwrap_or_default();
        let lesson = lesson_of(package, packages).ok_or_else(|| {
            format!("{name} declares exercises, but not in a lesson's exercises/")
        })?;
        let entries: Vec<Entry> = serde_json::from_value(entries.clone())
            .map_err(|e| format!("{name}'s [[package.metadata.exercise]]: {e}"))?;
        for entry in entries {
            let exercise = complete(&root, package, lesson, entry)?;
            if exercises.iter().any(|other| other.name == exercise.name) {
                return Err(format!("two exercises are named {}", exercise.name));
            }
            exercises.push(exercise);
        }
    }
    exercises.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(Catalogue { root, target, exercises })
}

/// The lesson whose `exercises/` directory holds `package`: the `lesson-NN-*` package one
/// directory up.
fn lesson_of<'a>(package: &Value, packages: &'a [Value]) -> Option<&'a Value> {
    let directory = |package: &Value| {
        let manifest = Path::new(package["manifest_path"].as_str().unwrap_or_default());
        manifest.parent().map(Path::to_path_buf)
    };
    let own = directory(package)?;
    if own.file_name()? != "exercises" {
        return None;
    }
    packages.iter().find(|other| {
        other["name"].as_str().is_some_and(|name| name.starts_with("lesson-"))
            && directory(other).as_deref() == own.parent()
    })
}

fn complete(
    root: &Path,
    package: &Value,
    lesson: &Value,
    entry: Entry,
) -> Result<Exercise, String> {
    let package_name = package["name"].as_str().unwrap_or_default();
    let at = format!("{package_name}'s exercise {}", entry.name);
    let lesson_name = lesson["name"].as_str().unwrap_or_default();
    let number = lesson_name.strip_prefix("lesson-").and_then(|rest| rest.get(..3));
    let named = number.is_some_and(|number| {
        number.ends_with('-')
            && entry.name.starts_with(number)
            && entry.name.len() > 3
            && entry.name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
    });
    if !named {
        return Err(format!("{at}: a name is NN-words, NN being the lesson's number (01-freeze)"));
    }
    for (field, text) in [
        ("title", &entry.title),
        ("task", &entry.task),
        ("hint", &entry.hint),
        ("section", &entry.section),
    ] {
        if text.trim().is_empty() {
            return Err(format!("{at}: `{field}` is empty"));
        }
    }
    let mut checks = entry.checks.clone();
    checks.sort();
    checks.dedup();
    if checks.len() != entry.checks.len() || checks.first() != Some(&Check::Compile) {
        return Err(format!(
            "{at}: `checks` are \"compile\", then \"lint\" and/or \"run\", once each"
        ));
    }
    if !checks.contains(&entry.fails.check()) {
        let fails = entry.fails.name();
        return Err(format!(
            "{at}: it fails with `{fails}`, which the `{}` check finds, but `checks` has no `{}`",
            entry.fails.check().name(),
            entry.fails.check().name()
        ));
    }
    if entry.because.as_deref().is_some_and(|words| words.trim().is_empty()) {
        return Err(format!("{at}: `because` is empty"));
    }
    match &entry.run {
        None if checks.contains(&Check::Run) => {
            return Err(format!(
                "{at}: the run check needs `run = {{ press = [...], work_s = ... }}`"
            ));
        }
        Some(_) if !checks.contains(&Check::Run) => {
            return Err(format!("{at}: `run` is given, but `checks` has no \"run\""));
        }
        Some(run) if run.press.is_empty() || run.work_s <= 0.0 || run.min_fps <= 0.0 => {
            return Err(format!(
                "{at}: `run` needs keys to press and a work_s and min_fps above 0"
            ));
        }
        _ => {}
    }
    let [exercise, solution] = [Variant::Exercise, Variant::Solution].map(|variant| {
        let example = format!("{}-{}", variant.prefix(), entry.name);
        let targets = package["targets"].as_array().into_iter().flatten();
        let target =
            targets.into_iter().find(|t| t["name"] == *example && t["kind"][0] == "example");
        let declared =
            target.filter(|t| t["required-features"] == serde_json::json!(["exercises"]));
        let file = declared.and_then(|t| t["src_path"].as_str()).map(PathBuf::from);
        file.map(|file| file.strip_prefix(root).map(Path::to_path_buf).unwrap_or(file)).ok_or_else(
            || {
                format!(
                    "{at}: its Cargo.toml needs [[example]] name = \"{example}\" path = \
                     \"{}{}.rs\" required-features = [\"exercises\"]",
                    if variant == Variant::Solution { "solutions/" } else { "" },
                    entry.name.get(3..).unwrap_or_default().replace('-', "_"),
                )
            },
        )
    });
    let (exercise, solution) = (exercise?, solution?);
    Ok(Exercise {
        name: entry.name,
        title: entry.title,
        task: entry.task,
        checks,
        fails: entry.fails,
        because: entry.because,
        hint: entry.hint,
        section: entry.section,
        run: entry.run,
        package: package_name.to_string(),
        lesson: lesson["description"].as_str().unwrap_or(lesson_name).to_string(),
        exercise,
        solution,
    })
}

impl Catalogue {
    /// The exercise `name` names, or a one-line answer listing them.
    pub fn find(&self, name: &str) -> Result<&Exercise, String> {
        self.exercises.iter().find(|e| e.name == name).ok_or_else(|| {
            let names: Vec<&str> = self.exercises.iter().map(|e| e.name.as_str()).collect();
            format!("unknown exercise '{name}'; exercises: {}", names.join(", "))
        })
    }
}

/// The heading that `section` (`lesson-01-blocking.md#the-way-out`) points to in `book_src`,
/// with the chapter's title: `("Lesson 01: the frozen window", "The way out")`.
pub fn section(book_src: &Path, section: &str) -> Result<(String, String), String> {
    let (chapter, id) = section.split_once('#').unwrap_or((section, ""));
    let path = book_src.join(chapter);
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("section {section}: cannot read book/src/{chapter}: {e}"))?;
    let headings = headings(&text);
    let title = headings.first().map(|(_, title)| title.clone()).unwrap_or_default();
    if id.is_empty() {
        return Ok((title.clone(), title));
    }
    let heading = headings.into_iter().find(|(slug, _)| slug == id);
    let (_, heading) = heading.ok_or_else(|| format!("section {section}: no such heading"))?;
    Ok((title, heading))
}

/// What is wrong with `exercise`'s row in the exercises chapter's table, which states the checks
/// that apply and the verdict as shipped: `| [`01-freeze`](#01-freeze) | ... | compile, lint,
/// run | frozen |`.
pub fn table_row_problem(chapter: &str, exercise: &Exercise) -> Option<String> {
    let start = format!("| [`{0}`](#{0}) |", exercise.name);
    let Some(row) = chapter.lines().find(|line| line.starts_with(&start)) else {
        return Some(format!("exercises.md has no table row starting `{start}`"));
    };
    let cells: Vec<&str> = row.trim_matches('|').split('|').map(str::trim).collect();
    let checks: Vec<&str> = exercise.checks.iter().map(|check| check.name()).collect();
    let (checks, fails) = (checks.join(", "), exercise.fails.name().replace('-', " "));
    match cells.as_slice() {
        [.., shown_checks, shown_fails] if *shown_checks == checks && *shown_fails == fails => None,
        _ => Some(format!("exercises.md's row must end `| {checks} | {fails} |`: {row}")),
    }
}

/// The headings of a chapter outside code blocks, with the ids mdBook gives them (an explicit
/// `{#id}`, or the text lowercased, spaces as dashes, other punctuation dropped; a repeated id
/// gets `-1`, `-2`...).
fn headings(markdown: &str) -> Vec<(String, String)> {
    let mut found: Vec<(String, String)> = Vec::new();
    let mut fenced = false;
    for line in markdown.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
        }
        let Some(text) = line.strip_prefix('#').filter(|_| !fenced) else { continue };
        let text = text.trim_start_matches('#').trim();
        let (text, explicit) = match text.rsplit_once("{#") {
            Some((text, id)) if id.ends_with('}') => (text.trim(), Some(id.trim_end_matches('}'))),
            _ => (text, None),
        };
        let mut slug: String = explicit.map(str::to_string).unwrap_or_else(|| {
            text.chars()
                .filter_map(|c| match c {
                    c if c.is_alphanumeric() || c == '_' || c == '-' => {
                        Some(c.to_ascii_lowercase())
                    }
                    c if c.is_whitespace() => Some('-'),
                    _ => None,
                })
                .collect()
        });
        let base = slug.clone();
        let mut n = 0;
        while found.iter().any(|(other, _)| *other == slug) {
            n += 1;
            slug = format!("{base}-{n}");
        }
        let shown = text.replace('`', "");
        found.push((slug, shown));
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Lesson 01, and its exercises' package with `entries` and the `examples` (gated by the
    /// `exercises` feature or not).
    fn lesson(entries: Value, examples: &[(&str, bool)]) -> Vec<Value> {
        let mut targets = Vec::new();
        for (example, gated) in examples {
            let features = if *gated { json!(["exercises"]) } else { Value::Null };
            let path = format!("/w/lessons/01-blocking/exercises/{example}.rs");
            targets.push(json!({
                "name": example, "kind": ["example"], "src_path": path,
                "required-features": features,
            }));
        }
        vec![
            json!({
                "name": "lesson-01-blocking",
                "description": "Lesson 01: the frozen window",
                "manifest_path": "/w/lessons/01-blocking/Cargo.toml",
                "metadata": {"lesson": {}},
                "targets": [{"name": "lesson-01-blocking", "kind": ["bin"]}],
            }),
            json!({
                "name": "exercises-01-blocking",
                "description": "Lesson 01's exercises",
                "manifest_path": "/w/lessons/01-blocking/exercises/Cargo.toml",
                "metadata": {"exercise": entries},
                "targets": targets,
            }),
        ]
    }

    fn entry(name: &str) -> Value {
        json!({
            "name": name, "title": "Unfreeze", "task": "Do it.", "checks": ["compile", "lint", "run"],
            "fails": "frozen", "hint": "the work runs on the main loop",
            "section": "lesson-01-blocking.md#the-way-out",
            "run": {"press": ["tab", "space"], "work_s": 3.0},
        })
    }

    fn parse_packages(packages: Vec<Value>) -> Result<Catalogue, String> {
        let metadata =
            json!({"workspace_root": "/w", "target_directory": "/w/target", "packages": packages});
        parse(metadata.to_string().as_bytes())
    }

    const BOTH: [(&str, bool); 2] = [("exercise-01-freeze", true), ("solution-01-freeze", true)];

    #[test]
    fn entries_become_exercises_with_their_two_programs() {
        let mut packages = lesson(json!([entry("01-freeze")]), &BOTH);
        packages.push(json!({"name": "xtask", "metadata": null, "targets": []}));
        let catalogue = parse_packages(packages).unwrap();
        let [exercise] = &catalogue.exercises[..] else { panic!("{catalogue:#?}") };
        assert_eq!(
            exercise.exercise,
            Path::new("lessons/01-blocking/exercises/exercise-01-freeze.rs")
        );
        assert_eq!(exercise.package, "exercises-01-blocking");
        assert_eq!(exercise.because, None);
        assert_eq!(exercise.example(Variant::Solution), "solution-01-freeze");
        assert_eq!(exercise.checks, [Check::Compile, Check::Lint, Check::Run]);
        assert_eq!(exercise.fails, Kind::Frozen);
        let run = exercise.run.as_ref().unwrap();
        assert_eq!(run.press, [Key::Tab, Key::Space]);
        assert_eq!((run.min_fps, run.max_gap_s), (20.0, 0.25), "the defaults");
        assert_eq!(exercise.lesson, "Lesson 01: the frozen window");
        assert_eq!(catalogue.target, Path::new("/w/target"));
        assert!(catalogue.find("01-freeze").is_ok());
        assert_eq!(
            catalogue.find("01").unwrap_err(),
            "unknown exercise '01'; exercises: 01-freeze"
        );
    }

    #[test]
    fn every_mistake_in_an_entry_is_named() {
        let fails = |entry: Value, examples: &[(&str, bool)]| {
            parse_packages(lesson(json!([entry]), examples)).unwrap_err()
        };
        let with = |key: &str, value: Value| {
            let mut entry = entry("01-freeze");
            entry[key] = value;
            entry
        };
        assert!(fails(entry("02-freeze"), &BOTH).contains("NN-words"));
        assert!(fails(entry("01-"), &BOTH).contains("NN-words"));
        assert!(fails(with("hint", json!(" ")), &BOTH).contains("`hint` is empty"));
        assert!(fails(with("checks", json!(["lint", "run"])), &BOTH).contains("once each"));
        assert!(
            fails(with("checks", json!(["compile", "run", "run"])), &BOTH).contains("once each")
        );
        let mut lint_only = with("checks", json!(["compile", "lint"]));
        lint_only["fails"] = json!("lint");
        assert!(fails(lint_only, &BOTH).contains("`run` is given"));
        let mut compile_only = with("checks", json!(["compile"]));
        compile_only.as_object_mut().unwrap().remove("run");
        assert!(fails(compile_only, &BOTH).contains("has no `run`"));
        let mut no_run = entry("01-freeze");
        no_run.as_object_mut().unwrap().remove("run");
        assert!(fails(no_run, &BOTH).contains("needs `run = "));
        assert!(fails(with("run", json!({"press": [], "work_s": 1.0})), &BOTH).contains("keys"));
        assert!(fails(with("fails", json!("sluggish")), &BOTH).contains("unknown variant"));
        assert!(fails(with("colour", json!("red")), &BOTH).contains("unknown field"));
        let ungated = [("exercise-01-freeze", true), ("solution-01-freeze", false)];
        let message = fails(entry("01-freeze"), &ungated);
        assert!(
            message.contains(
                "[[example]] name = \"solution-01-freeze\" path = \"solutions/freeze.rs\""
            ),
            "{message}"
        );
        assert!(fails(with("because", json!(" ")), &BOTH).contains("`because` is empty"));
        let twice = json!([entry("01-freeze"), entry("01-freeze")]);
        let message = parse_packages(lesson(twice, &BOTH)).unwrap_err();
        assert_eq!(message, "two exercises are named 01-freeze");
        // Exercises belong in a lesson's exercises/ directory, next to the lesson's package.
        let mut stray = lesson(json!([entry("01-freeze")]), &BOTH);
        stray[1]["manifest_path"] = json!("/w/lessons/01-blocking/drills/Cargo.toml");
        assert_eq!(
            parse_packages(stray.clone()).unwrap_err(),
            "exercises-01-blocking declares exercises, but not in a lesson's exercises/"
        );
        stray.remove(0);
        stray[0]["manifest_path"] = json!("/w/lessons/01-blocking/exercises/Cargo.toml");
        assert!(parse_packages(stray).unwrap_err().contains("not in a lesson's exercises/"));
    }

    #[test]
    fn the_chapters_table_must_say_what_the_entry_says() {
        let catalogue = parse_packages(lesson(json!([entry("01-freeze")]), &BOTH)).unwrap();
        let freeze = &catalogue.exercises[0];
        let row =
            |end: &str| format!("| x |\n| [`01-freeze`](#01-freeze) | [01](l.md) | it | {end}\n");
        assert_eq!(table_row_problem(&row("compile, lint, run | frozen |"), freeze), None);
        let stale = table_row_problem(&row("compile, run | frozen |"), freeze).unwrap();
        assert!(stale.contains("must end `| compile, lint, run | frozen |`"), "{stale}");
        assert!(table_row_problem(&row("compile, lint, run | stutters |"), freeze).is_some());
        let missing = table_row_problem("| x |\n", freeze).unwrap();
        assert!(missing.contains("no table row"), "{missing}");
    }

    #[test]
    fn sections_are_found_by_the_ids_mdbook_gives_headings() {
        let chapter = "# Lesson 01: the `frozen` window\n\n```sh\n# not a heading\n```\n\
                       ## The way out\n### What's next?\n## The way out\n## Odd {#odd-one}\n";
        let found = headings(chapter);
        let slugs: Vec<&str> = found.iter().map(|(slug, _)| slug.as_str()).collect();
        assert_eq!(
            slugs,
            [
                "lesson-01-the-frozen-window",
                "the-way-out",
                "whats-next",
                "the-way-out-1",
                "odd-one"
            ]
        );
        assert_eq!(found[0].1, "Lesson 01: the frozen window");
        assert_eq!(found[4].1, "Odd");

        let dir = std::env::temp_dir().join(format!("exercises-sections-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("c.md"), chapter).unwrap();
        let way_out = section(&dir, "c.md#the-way-out");
        let missing = section(&dir, "c.md#nowhere");
        let no_file = section(&dir, "d.md#x");
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(
            way_out.unwrap(),
            ("Lesson 01: the frozen window".to_string(), "The way out".to_string())
        );
        assert_eq!(missing.unwrap_err(), "section c.md#nowhere: no such heading");
        assert!(no_file.unwrap_err().contains("cannot read book/src/d.md"));
    }
}
