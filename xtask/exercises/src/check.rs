//! The checks of one or several programs in order: one `cargo build` for all of them, one
//! `cargo clippy` for those that compiled, then the run check of each that got that far. The
//! first failure ends a program's checks: it is the one to fix next. Then how a report reads,
//! and `--verify`, which proves every check can fail and can pass.

use crate::cargo::{self, Tool};
use crate::catalogue::{self, Catalogue, Check, Exercise, Variant};
use crate::judge::{self, Halt};
use crate::state::{self, Last, State};
use crate::verdict::{Failure, Kind};
use std::time::Instant;

#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// Passed, with what it measured (empty for the compiler).
    Passed(String),
    Failed(Failure),
}

/// The checks one program went through, up to its first failure.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub name: String,
    pub variant: Variant,
    pub steps: Vec<(Check, Step)>,
}

impl Report {
    pub fn failure(&self) -> Option<&Failure> {
        self.steps.iter().find_map(|(_, step)| match step {
            Step::Failed(failure) => Some(failure),
            Step::Passed(_) => None,
        })
    }
}

/// Checks `programs` and records their outcomes in `target/exercises.json`. `say` hears what
/// is being done, for a terminal that would otherwise stay silent through a build.
pub fn check(
    catalogue: &Catalogue,
    programs: &[(&Exercise, Variant)],
    say: &dyn Fn(&str),
) -> Result<Vec<Report>, String> {
    let mut reports: Vec<Report> = programs
        .iter()
        .map(|(exercise, variant)| Report {
            name: exercise.name.clone(),
            variant: *variant,
            steps: Vec::new(),
        })
        .collect();
    let targets = |check: Check, reports: &[Report]| -> Vec<(String, String)> {
        programs
            .iter()
            .zip(reports)
            .filter(|((exercise, _), report)| {
                exercise.checks.contains(&check) && report.failure().is_none()
            })
            .map(|((exercise, variant), _)| (exercise.package.clone(), exercise.example(*variant)))
            .collect()
    };

    say("compiling (cargo build)");
    let built = cargo::run(&catalogue.root, Tool::Build, &targets(Check::Compile, &reports))?;
    for ((exercise, variant), report) in programs.iter().zip(&mut reports) {
        let outcome = &built[&exercise.example(*variant)];
        let step = match outcome.errors.first() {
            None => Step::Passed(String::new()),
            Some(first) => Step::Failed(
                Failure::new(Kind::DoesNotCompile, format!("it does not compile yet: {first}"))
                    .with_details(more(&outcome.errors, "build", exercise, *variant)),
            ),
        };
        report.steps.push((Check::Compile, step));
    }

    let linted = targets(Check::Lint, &reports);
    if !linted.is_empty() {
        say("linting (cargo clippy, with the project's clippy.toml and warnings denied)");
    }
    let clippy = cargo::run(&catalogue.root, Tool::Clippy, &linted)?;
    for (_, example) in &linted {
        let index = reports_index(programs, example);
        let (exercise, variant) = &programs[index];
        let step = match clippy[example].errors.first() {
            None => Step::Passed(String::new()),
            Some(first) => Step::Failed(
                Failure::new(Kind::Lint, format!("clippy: {first}")).with_details(more(
                    &clippy[example].errors,
                    "clippy",
                    exercise,
                    *variant,
                )),
            ),
        };
        reports[index].steps.push((Check::Lint, step));
    }

    let logs = catalogue.target.join("exercises");
    std::fs::create_dir_all(&logs).map_err(|e| format!("{}: {e}", logs.display()))?;
    for (_, example) in targets(Check::Run, &reports) {
        let index = reports_index(programs, &example);
        let (exercise, _) = programs[index];
        let Some(spec) = &exercise.run else { continue };
        let Some(program) = built[&example].executable.clone() else { continue };
        say(&format!("running {example} on a private X server and judging its window"));
        let step = match judge::run(&program, spec, &logs.join(format!("{example}.log"))) {
            Ok(figures) => Step::Passed(figures.summary()),
            Err(Halt::Verdict(failure)) => Step::Failed(failure),
            Err(Halt::Broken(why)) => return Err(format!("the run check of {example}: {why}")),
        };
        reports[index].steps.push((Check::Run, step));
    }
    record(catalogue, programs, &reports);
    Ok(reports)
}

/// The errors after the first (a few), and the command that shows them all in full.
fn more(errors: &[String], tool: &str, exercise: &Exercise, variant: Variant) -> Vec<String> {
    let mut more: Vec<String> = errors.iter().skip(1).take(4).cloned().collect();
    let lints = if tool == "clippy" { " -- -D warnings" } else { "" };
    more.push(format!(
        "(in full: cargo {tool} -p {} --features exercises --example {}{lints})",
        exercise.package,
        exercise.example(variant)
    ));
    more
}

fn reports_index(programs: &[(&Exercise, Variant)], example: &str) -> usize {
    programs
        .iter()
        .position(|(exercise, variant)| exercise.example(*variant) == example)
        .unwrap_or(0)
}

fn record(catalogue: &Catalogue, programs: &[(&Exercise, Variant)], reports: &[Report]) {
    let mut state = State::load(&catalogue.target);
    for ((exercise, variant), report) in programs.iter().zip(reports) {
        let failure = report.failure();
        let message = match failure {
            Some(failure) => failure.message(exercise.fails, &exercise.hint),
            None => figures(report),
        };
        let last = Last {
            failed: failure.map(|failure| failure.kind),
            message,
            at: state::now(),
            fingerprint: state::fingerprint(&catalogue.root.join(exercise.file(*variant))),
        };
        state.0.insert(state::key(&exercise.name, *variant == Variant::Solution), last);
    }
    if let Err(e) = state.save(&catalogue.target) {
        eprintln!("(the state of the checks was not saved: {e})");
    }
}

/// What the passed checks measured.
fn figures(report: &Report) -> String {
    let measured = report.steps.iter().filter_map(|(_, step)| match step {
        Step::Passed(figures) if !figures.is_empty() => Some(figures.as_str()),
        _ => None,
    });
    measured.collect::<Vec<_>>().join("; ")
}

/// How a report reads: the program, each check, and then either what to do or why it works.
pub fn render(catalogue: &Catalogue, exercise: &Exercise, report: &Report) -> String {
    let mut out = String::new();
    let solution = if report.variant == Variant::Solution { " --solution" } else { "" };
    out.push_str(&format!(
        "{}{solution}: {} ({})\n  {}\n",
        exercise.name,
        exercise.title,
        exercise.lesson,
        exercise.file(report.variant).display()
    ));
    for (check, step) in &report.steps {
        let line = match step {
            Step::Passed(figures) if figures.is_empty() => "ok".to_string(),
            Step::Passed(figures) => format!("ok: {figures}"),
            Step::Failed(failure) => {
                format!("STILL WRONG: {}", failure.message(exercise.fails, &exercise.hint))
            }
        };
        out.push_str(&wrap(&format!("  {:<8} ", check.name()), &line));
        if let Step::Failed(failure) = step {
            for detail in &failure.details {
                out.push_str(&format!("           | {detail}\n"));
            }
        }
    }
    for check in exercise.checks.iter().filter(|c| !report.steps.iter().any(|(s, _)| s == *c)) {
        out.push_str(&format!("  {:<8} not checked yet\n", check.name()));
    }
    match report.failure() {
        Some(_) => {
            out.push('\n');
            out.push_str(&wrap("The task: ", &exercise.task));
        }
        None => {
            let book = catalogue.root.join("book/src");
            let why = match catalogue::section(&book, &exercise.section) {
                Ok((chapter, heading)) => {
                    format!("\"{heading}\" in {chapter} (book/src/{})", exercise.section)
                }
                Err(_) => format!("book/src/{}", exercise.section),
            };
            out.push_str(&wrap(
                &format!("{}{solution} passes. ", exercise.name),
                &format!("Why it works: {why}"),
            ));
        }
    }
    out
}

/// `text` after `head`, wrapped at 100 columns, continued under the text's start.
fn wrap(head: &str, text: &str) -> String {
    let indent = " ".repeat(head.chars().count().min(40));
    let mut out = head.to_string();
    let mut column = head.chars().count();
    for word in text.split_whitespace() {
        // A unit stays with its number: `0.25 s`, `40 ms;`.
        let unit = matches!(word.trim_end_matches([',', ';', ')', ':']), "s" | "ms");
        if column + 1 + word.chars().count() > 100 && column > indent.len() && !unit {
            out.push('\n');
            out.push_str(&indent);
            column = indent.len();
        } else if !out.ends_with(' ') && !out.is_empty() {
            out.push(' ');
            column += 1;
        }
        out.push_str(word);
        column += word.chars().count();
    }
    out.push('\n');
    out
}

/// Every exercise fails its checks as shipped, with the failure it is about, and its solution
/// passes them; and the catalogue's sections exist. `Ok(false)`: some do not, as printed.
pub fn verify(catalogue: &Catalogue) -> Result<bool, String> {
    let started = Instant::now();
    let mut sound = true;
    let book = catalogue.root.join("book/src");
    let chapter = std::fs::read_to_string(book.join("exercises.md")).unwrap_or_default();
    for exercise in &catalogue.exercises {
        // The section that explains the fix, the exercise's own in the exercises chapter, and
        // its row in that chapter's table.
        let own = format!("exercises.md#{}", exercise.name);
        let sections = [&exercise.section, &own].map(|s| catalogue::section(&book, s).err());
        let row = catalogue::table_row_problem(&chapter, exercise);
        for problem in sections.into_iter().chain([row]).flatten() {
            eprintln!("{}: {problem}", exercise.name);
            sound = false;
        }
    }
    let programs: Vec<(&Exercise, Variant)> = catalogue
        .exercises
        .iter()
        .flat_map(|exercise| [(exercise, Variant::Exercise), (exercise, Variant::Solution)])
        .collect();
    let say =
        |what: &str| eprintln!("exercises ({:.0} s): {what}", started.elapsed().as_secs_f64());
    let reports = check(catalogue, &programs, &say)?;
    for ((exercise, variant), report) in programs.iter().zip(&reports) {
        let failure = report.failure();
        let (fine, verdict) = match (variant, failure) {
            (Variant::Exercise, Some(f)) if exercise.fails_so(f) => (
                true,
                format!(
                    "fails at {} with {}, as it must: {}",
                    f.kind.check().name(),
                    f.kind.name(),
                    f.message(exercise.fails, &exercise.hint)
                ),
            ),
            (Variant::Exercise, Some(f)) => (
                false,
                format!(
                    "fails with {}, but it must fail with {}{}: {}",
                    f.kind.name(),
                    exercise.fails.name(),
                    exercise.because.as_ref().map_or(String::new(), |w| format!(" (\"{w}\")")),
                    f.message(exercise.fails, &exercise.hint)
                ),
            ),
            (Variant::Exercise, None) => (
                false,
                format!(
                    "passes, but as shipped it must fail with {} (solved it here? `git checkout \
                     {}` restores it)",
                    exercise.fails.name(),
                    exercise.exercise.display()
                ),
            ),
            (Variant::Solution, None) => (true, format!("passes: {}", figures(report))),
            (Variant::Solution, Some(f)) => {
                (false, format!("fails, but it must pass: {}", f.message(exercise.fails, "")))
            }
        };
        sound &= fine;
        let width = catalogue.exercises.iter().map(|e| e.name.len()).max().unwrap_or(0);
        let head = format!(
            "{:<width$} {:<9} {} ",
            exercise.name,
            variant.prefix(),
            if fine { "ok" } else { "WRONG" }
        );
        print!("{}", wrap(&head, &verdict));
        if !fine {
            print!("{}", render(catalogue, exercise, report));
        }
    }
    let took = started.elapsed().as_secs_f64();
    if !sound {
        println!("exercises: not as they must be, as WRONG above says ({took:.0} s)");
    } else {
        println!(
            "exercises: all {} fail as shipped for their reason, and their solutions pass ({took:.0} s)",
            catalogue.exercises.len()
        );
    }
    Ok(sound)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_lines_wrap_under_their_text() {
        let text = "word ".repeat(40);
        let wrapped = wrap("  run      ", &text);
        let lines: Vec<&str> = wrapped.lines().collect();
        assert!(lines.len() > 1);
        assert!(lines.iter().all(|line| line.chars().count() <= 100), "{wrapped}");
        assert!(lines[0].starts_with("  run      word word"));
        assert!(lines[1].starts_with("           word"));
        assert_eq!(wrap("a: ", "b c"), "a: b c\n");
        let x = |n| "x".repeat(n);
        let figures = format!("{} 0.04 s; gaps", x(96));
        assert_eq!(wrap("", &figures), format!("{}\n0.04 s; gaps\n", x(96)));
        let figures = format!("{} 0.04 s; gaps", x(95));
        assert_eq!(wrap("", &figures), format!("{} 0.04 s;\ngaps\n", x(95)), "the unit stays");
    }
}
