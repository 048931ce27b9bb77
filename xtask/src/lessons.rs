//! The lesson list, the project's one source of truth for which lessons exist: every workspace
//! package whose manifest has `[package.metadata.lesson]`, as `cargo metadata` reads it. The
//! README's table is generated from it (`cargo xtask lessons`); the book check holds the README,
//! SUMMARY.md and the figures' summary to it; `cargo xtask run 01` resolves against it.

use crate::book::Problem;
use crate::cmd::{self, Failure, Result};
use serde_json::Value;
use std::path::Path;

#[derive(Debug, Clone, PartialEq)]
pub struct Lesson {
    /// `lesson-01-blocking`: its chapter is `book/src/<package>.md`.
    pub package: String,
    pub number: u32,
    /// The package's description.
    pub title: String,
    pub pattern: String,
    /// What the Qt and PySide tutorials call it.
    pub qt: String,
    /// `minimal-01`, once the package has that example.
    pub example: Option<String>,
    /// Its rows in the book's summary across patterns.
    pub summary: Vec<SummaryRow>,
    /// Where its Cargo.toml is, for messages.
    pub manifest: String,
}

/// A row of the summary across patterns, as a lesson declares it in its
/// `[package.metadata.lesson]`: `summary = [{ label, at, notes = [{ text, at, decimals }] }]`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct SummaryRow {
    pub label: String,
    /// Where the common figures (heartbeat, frames, input, work) are in the report: "" for the
    /// report itself, `/naive` for lesson 07's naive run.
    #[serde(default)]
    pub at: String,
    #[serde(default)]
    pub notes: Vec<Note>,
}

/// A note of a summary row: `text` with `{}` replaced by the median at the pointer `at`.
#[derive(Debug, Clone, PartialEq, serde::Deserialize)]
pub struct Note {
    pub text: String,
    pub at: String,
    #[serde(default)]
    pub decimals: usize,
}

/// The lessons, by number.
pub fn discover() -> Result<Vec<Lesson>> {
    let mut cargo = cmd::cargo();
    cargo.args(["metadata", "--format-version", "1", "--no-deps"]);
    let out = cmd::capture(cargo.stderr(std::process::Stdio::inherit()))?;
    if !out.status.success() {
        return Err(Failure::quiet(out.status));
    }
    parse(&out.stdout).map_err(|e| Failure::new(format!("the lesson list: {e}")))
}

pub fn parse(metadata: &[u8]) -> std::result::Result<Vec<Lesson>, String> {
    let metadata: Value = serde_json::from_slice(metadata).map_err(|e| e.to_string())?;
    let mut lessons = Vec::new();
    for package in metadata["packages"].as_array().ok_or("no packages")? {
        let lesson = &package["metadata"]["lesson"];
        let name = package["name"].as_str().unwrap_or_default();
        if lesson.is_null() {
            continue;
        }
        let text = |value: &Value, key: &str| {
            let text = value[key].as_str().map(str::to_string);
            text.ok_or_else(|| format!("{name} has [package.metadata.lesson] but no `{key}`"))
        };
        let not_named =
            || format!("{name} has [package.metadata.lesson] but is not lesson-NN-name");
        let (number, _) = parts(name).ok_or_else(not_named)?;
        let example = format!("minimal-{number:02}");
        let mut targets = package["targets"].as_array().into_iter().flatten();
        let has_example = targets.any(|t| t["name"] == *example && t["kind"][0] == "example");
        lessons.push(Lesson {
            package: name.to_string(),
            number,
            title: text(package, "description")?,
            pattern: text(lesson, "pattern")?,
            qt: text(lesson, "qt")?,
            example: has_example.then_some(example),
            manifest: package["manifest_path"].as_str().unwrap_or(name).to_string(),
            summary: match &lesson["summary"] {
                Value::Null => Vec::new(),
                rows => serde_json::from_value(rows.clone())
                    .map_err(|e| format!("{name}'s summary rows: {e}"))?,
            },
        });
    }
    lessons.sort_by(|a, b| (a.number, &a.package).cmp(&(b.number, &b.package)));
    Ok(lessons)
}

/// The lesson `query` names: its package, its directory name (`01-blocking`), its number (`01`,
/// `1`) or its name part (`blocking`).
pub fn resolve<'a>(query: &str, lessons: &'a [Lesson]) -> std::result::Result<&'a str, String> {
    let number: Option<u32> =
        query.parse().ok().filter(|_| query.bytes().all(|b| b.is_ascii_digit()));
    let names = |package: &&str| {
        let (n, name) = parts(package).unwrap_or_default();
        *package == query
            || package.strip_prefix("lesson-") == Some(query)
            || number == Some(n)
            || name == query
    };
    let packages: Vec<&str> = lessons.iter().map(|lesson| lesson.package.as_str()).collect();
    match packages.iter().copied().filter(names).collect::<Vec<_>>()[..] {
        [one] => Ok(one),
        [] => Err(format!("unknown lesson '{query}'; lessons: {}", packages.join(", "))),
        ref several => Err(format!("lesson '{query}' is ambiguous: {}", several.join(", "))),
    }
}

/// `lesson-01-blocking` as `(1, "blocking")`.
fn parts(package: &str) -> Option<(u32, &str)> {
    let (number, name) = package.strip_prefix("lesson-")?.split_once('-')?;
    let digits = number.len() == 2 && number.bytes().all(|b| b.is_ascii_digit());
    Some((number.parse().ok().filter(|_| digits)?, name))
}

pub const BEGIN: &str =
    "<!-- lessons:begin: generated by `cargo xtask lessons` from the lessons' Cargo.toml -->";
pub const END: &str = "<!-- lessons:end -->";

/// The README's lessons table.
pub fn table(lessons: &[Lesson]) -> String {
    let mut table = "| package | pattern | Qt counterpart | minimal example |\n".to_string();
    table.push_str("| --- | --- | --- | --- |\n");
    for lesson in lessons {
        let example = match &lesson.example {
            Some(example) => format!("`cargo run -p {} --example {example}`", lesson.package),
            None => "(not yet)".to_string(),
        };
        let cells = [&format!("`{}`", lesson.package), &lesson.pattern, &lesson.qt, &example];
        let cells = cells.map(|cell| cell.replace('|', "\\|"));
        table.push_str(&format!("| {} |\n", cells.join(" | ")));
    }
    table
}

/// `readme` with `table` between the markers.
pub fn with_table(readme: &str, table: &str) -> std::result::Result<String, String> {
    let begin = readme.find(BEGIN).ok_or(format!("no `{BEGIN}` line"))?;
    let end = readme[begin..].find(END).ok_or(format!("no `{END}` line after `{BEGIN}`"))?;
    Ok(format!("{}{BEGIN}\n{table}{}", &readme[..begin], &readme[begin + end..]))
}

/// `cargo xtask lessons`.
pub fn write_readme() -> Result {
    let path = cmd::root().join("README.md");
    let readme = std::fs::read_to_string(&path).map_err(cmd::io("read", &path))?;
    let lessons = discover()?;
    let updated = with_table(&readme, &table(&lessons)).map_err(Failure::new)?;
    let verb = if updated == readme { "was up to date" } else { "is written" };
    std::fs::write(&path, updated).map_err(cmd::io("write", &path))?;
    eprintln!("README.md: the table of {} lessons {verb}", lessons.len());
    Ok(())
}

/// Where the README, SUMMARY.md (its chapters, by line) and the figures' summary disagree with
/// the lesson list.
pub fn check(root: &Path, lessons: &[Lesson], summary: &[(usize, String)]) -> Vec<Problem> {
    let mut found: Vec<(&str, usize, String)> = Vec::new();
    let readme = std::fs::read_to_string(root.join("README.md")).unwrap_or_default();
    match with_table(&readme, &table(lessons)) {
        Ok(fresh) if fresh == readme => {}
        Ok(_) => {
            let line = readme[..readme.find(BEGIN).unwrap_or(0)].lines().count() + 1;
            let stale = "the lessons table is stale: run `cargo xtask lessons`";
            found.push(("README.md", line, stale.into()));
        }
        Err(e) => found.push(("README.md", 0, e)),
    }
    let (at, mut previous) = ("book/src/SUMMARY.md", None::<&Lesson>);
    for (line, chapter) in summary {
        let Some(name) = chapter.strip_suffix(".md").filter(|name| parts(name).is_some()) else {
            continue;
        };
        let Some(lesson) = lessons.iter().find(|lesson| lesson.package == name) else {
            let what = format!("no package `{name}` has [package.metadata.lesson]");
            found.push((
                at,
                *line,
                format!("{chapter} is named like a lesson's chapter, but {what}"),
            ));
            continue;
        };
        if let Some(before) = previous.filter(|before| before.number > lesson.number) {
            let order = format!("comes after {}.md: lessons go in number order", before.package);
            found.push((at, *line, format!("{chapter} {order}")));
        }
        previous = Some(lesson);
    }
    for lesson in
        lessons.iter().filter(|l| !summary.iter().any(|(_, c)| *c == format!("{}.md", l.package)))
    {
        found.push((
            at,
            0,
            format!("lesson {:02}'s chapter {}.md is not listed", lesson.number, lesson.package),
        ));
    }
    let mut problems: Vec<Problem> = found
        .into_iter()
        .map(|(file, line, message)| Problem { file: root.join(file), line, message })
        .collect();
    for lesson in lessons.iter().filter(|lesson| lesson.summary.is_empty()) {
        let message = "no `summary` rows in [package.metadata.lesson]".to_string();
        problems.push(Problem { file: lesson.manifest.clone().into(), line: 0, message });
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn package(name: &str, lesson: bool, examples: &[&str]) -> serde_json::Value {
        let mut targets = vec![json!({"name": name, "kind": ["bin"]})];
        targets.extend(examples.iter().map(|e| json!({"name": e, "kind": ["example"]})));
        json!({
            "name": name,
            "description": format!("Lesson: {name}"),
            "metadata": lesson.then(|| json!({"lesson": {
                "pattern": "p|q",
                "qt": "QThread",
                "summary": if name == "lesson-10-pool" { json!(null) } else { json!([{
                    "label": "the pattern",
                    "notes": [{"text": "{} ms", "at": "/x_ms"}],
                }]) },
            }})),
            "targets": targets,
        })
    }

    fn lessons() -> Vec<Lesson> {
        let metadata = json!({"packages": [
            package("lesson-10-pool", true, &[]),
            package("xtask", false, &[]),
            package("lesson-01-blocking", true, &["minimal-01"]),
            package("lesson-02-main-context-iteration", true, &["minimal-03"]),
        ]});
        parse(metadata.to_string().as_bytes()).unwrap()
    }

    #[test]
    fn lessons_are_the_packages_with_lesson_metadata_by_number() {
        let lessons = lessons();
        let names: Vec<(&str, u32)> =
            lessons.iter().map(|l| (l.package.as_str(), l.number)).collect();
        assert_eq!(
            names,
            [
                ("lesson-01-blocking", 1),
                ("lesson-02-main-context-iteration", 2),
                ("lesson-10-pool", 10)
            ]
        );
        assert_eq!(lessons[0].title, "Lesson: lesson-01-blocking");
        assert_eq!((lessons[0].pattern.as_str(), lessons[0].qt.as_str()), ("p|q", "QThread"));
        assert_eq!(lessons[0].example.as_deref(), Some("minimal-01"));
        assert_eq!(lessons[1].example, None, "minimal-03 is not lesson 02's example");

        let badly_named = json!({"packages": [package("lesson-1-x", true, &[])]}).to_string();
        assert!(parse(badly_named.as_bytes()).unwrap_err().contains("lesson-NN-name"));
        let mut no_pattern = package("lesson-01-x", true, &[]);
        no_pattern["metadata"]["lesson"].as_object_mut().unwrap().remove("pattern");
        let error = parse(json!({"packages": [no_pattern]}).to_string().as_bytes()).unwrap_err();
        assert!(error.contains("pattern"), "{error}");
    }

    #[test]
    fn resolves_every_way_of_naming_a_lesson() {
        let lessons = lessons();
        for query in ["lesson-01-blocking", "01-blocking", "01", "1", "001", "blocking"] {
            assert_eq!(resolve(query, &lessons), Ok("lesson-01-blocking"), "{query}");
        }
        assert_eq!(resolve("10", &lessons), Ok("lesson-10-pool"));
        assert_eq!(
            resolve("nonsense", &lessons).unwrap_err(),
            "unknown lesson 'nonsense'; lessons: lesson-01-blocking, \
             lesson-02-main-context-iteration, lesson-10-pool"
        );
        for query in ["3", "", "lesson"] {
            assert!(resolve(query, &lessons).is_err(), "{query}");
        }
        let mut twins = lessons.clone();
        twins[1].package = "lesson-01-blocking-fixed".into();
        assert_eq!(resolve("blocking", &twins), Ok("lesson-01-blocking"));
        assert!(resolve("01", &twins).unwrap_err().contains("ambiguous"));
    }

    #[test]
    fn the_readme_table_is_made_from_the_list() {
        let table = table(&lessons()[..2]);
        assert_eq!(
            table,
            "| package | pattern | Qt counterpart | minimal example |\n| --- | --- | --- | --- |\n\
             | `lesson-01-blocking` | p\\|q | QThread | \
             `cargo run -p lesson-01-blocking --example minimal-01` |\n\
             | `lesson-02-main-context-iteration` | p\\|q | QThread | (not yet) |\n"
        );
        let readme = format!("# Title\n\n{BEGIN}\nold table\n{END}\n\nMore.\n");
        assert_eq!(
            with_table(&readme, "new\n").unwrap(),
            format!("# Title\n\n{BEGIN}\nnew\n{END}\n\nMore.\n")
        );
        assert!(with_table("no markers", "x").unwrap_err().contains("lessons:begin"));
        assert!(with_table(BEGIN, "x").unwrap_err().contains(END));
    }

    #[test]
    fn the_readme_summary_and_figures_are_held_to_the_list() {
        let dir = std::env::temp_dir().join(format!("xtask-lessons-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lessons = lessons();
        let fresh = format!("x\n{BEGIN}\n{}{END}\n", table(&lessons));
        let listed = |chapters: &[&str]| -> Vec<(usize, String)> {
            chapters.iter().enumerate().map(|(i, c)| (i + 3, c.to_string())).collect()
        };
        let in_order = listed(&[
            "intro.md",
            "lesson-01-blocking.md",
            "lesson-02-main-context-iteration.md",
            "forbidden.md",
            "lesson-10-pool.md",
        ]);
        std::fs::write(dir.join("README.md"), &fresh).unwrap();
        let only_rows = check(&dir, &lessons, &in_order);
        std::fs::write(dir.join("README.md"), fresh.replace("QThread", "QRunnable")).unwrap();
        let wrong = listed(&[
            "lesson-02-main-context-iteration.md",
            "lesson-01-blocking.md",
            "lesson-05-gone.md",
        ]);
        let problems = check(&dir, &lessons, &wrong);
        let _ = std::fs::remove_dir_all(&dir);

        // Only lesson 10 declares no summary rows.
        assert_eq!(only_rows.len(), 1, "{only_rows:#?}");
        let found: Vec<String> = problems.iter().map(ToString::to_string).collect();
        let found: Vec<&str> =
            found.iter().map(|p| p.trim_start_matches(&format!("{}/", dir.display()))).collect();
        assert_eq!(
            &found[..4],
            [
                "README.md:2: the lessons table is stale: run `cargo xtask lessons`",
                "book/src/SUMMARY.md:4: lesson-01-blocking.md comes after \
                 lesson-02-main-context-iteration.md: lessons go in number order",
                "book/src/SUMMARY.md:5: lesson-05-gone.md is named like a lesson's chapter, but no \
                 package `lesson-05-gone` has [package.metadata.lesson]",
                "book/src/SUMMARY.md: lesson 10's chapter lesson-10-pool.md is not listed",
            ],
            "{found:#?}"
        );
        let no_row = "lesson-10-pool: no `summary` rows in [package.metadata.lesson]";
        assert!(found.contains(&no_row), "{found:#?}");
        assert_eq!(lessons[0].summary[0].notes[0].at, "/x_ms");
    }

    /// The layout book/src/style.md promises: a short main.rs, files small enough to read, the
    /// scenario apart from the pattern, tests of both, a minimal example of a size to copy, and
    /// exercises.
    #[test]
    fn every_lesson_keeps_the_layout() {
        let lines = |path: &Path| std::fs::read_to_string(path).unwrap().lines().count();
        let mut problems = Vec::new();
        let mut seen = 0;
        let lessons = crate::cmd::root().join("lessons");
        for dir in std::fs::read_dir(&lessons).unwrap().map(|entry| entry.unwrap().path()) {
            let src = dir.join("src");
            if !src.join("main.rs").is_file() {
                continue;
            }
            seen += 1;
            let main = lines(&src.join("main.rs"));
            if main > 20 {
                problems.push(format!("{}: main.rs has {main} lines, over 20", dir.display()));
            }
            // exercises/: every lesson has an exercise (book/src/exercises.md).
            let files = [
                "src/autopilot.rs",
                "tests/autopilot.rs",
                "tests/minimal.rs",
                "exercises/Cargo.toml",
            ];
            for file in files {
                if !dir.join(file).is_file() {
                    problems.push(format!("{}: no {file}", dir.display()));
                }
            }
            let minimal = dir.join("examples/minimal.rs");
            match minimal.is_file().then(|| lines(&minimal)) {
                Some(40..=100) => {}
                other => {
                    problems.push(format!("{}: minimal.rs has {other:?} lines", dir.display()))
                }
            }
            let mut walk = vec![src];
            while let Some(path) = walk.pop() {
                if path.is_dir() {
                    walk.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
                } else if path.extension().is_some_and(|e| e == "rs") && lines(&path) > 350 {
                    problems.push(format!("{}: {} lines, over 350", path.display(), lines(&path)));
                }
            }
        }
        assert!(seen >= 11, "found {seen} lessons in {}", lessons.display());
        assert!(problems.is_empty(), "{problems:#?}");
    }
}
