//! `cargo xtask book`, reporting every problem before failing: the lesson list's agreement
//! ([`lessons::check`]), the includes ([`anchors`]), no pasted Rust, the listing rules
//! ([`listings`]); then mdBook builds the book into `book/build/`, lychee checks its links,
//! fragments and images ([`lychee`]), and the browser test (xtask/browser) its pages.

mod listings;
mod lychee;
mod markdown;

use crate::cmd::{self, Failure, Result};
use crate::{anchors, lessons, setup};
use std::fmt;
use std::path::PathBuf;
use std::process::Stdio;

/// Something wrong at a place in a file; line 0 is the file as a whole.
#[derive(Debug, Clone, PartialEq)]
pub struct Problem {
    pub file: PathBuf,
    pub line: usize,
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            0 => write!(f, "{}: {}", cmd::shown(&self.file), self.message),
            line => write!(f, "{}:{line}: {}", cmd::shown(&self.file), self.message),
        }
    }
}

/// The word the browser test searches for: the first result must be a lesson chapter.
const SEARCH: &str = "ThreadPool";

pub fn book() -> Result {
    let root = cmd::root();
    let (src, build) = (root.join("book/src"), root.join("book/build"));
    setup::setup()?;
    let lessons = lessons::discover()?;
    let summary = src.join("SUMMARY.md");
    let summary =
        markdown::summary(&std::fs::read_to_string(&summary).map_err(cmd::io("read", &summary))?);
    let mut tally = Tally::default();

    cmd::step("book: checking the README, SUMMARY.md and the figures against the lesson list");
    let chapters: Vec<(usize, String)> =
        summary.iter().map(|l| (l.line, l.chapter.clone())).collect();
    tally.report("lesson-list problem", lessons::check(&root, &lessons, &chapters));
    cmd::step("book: checking the includes, the listings and the ```rust blocks in book/src");
    let mut files = Vec::new();
    anchors::markdown_files(&src, &mut files).map_err(cmd::io("list", &src))?;
    files.sort();
    for md in files {
        let text = std::fs::read_to_string(&md).map_err(cmd::io("read", &md))?;
        tally.report("broken include", anchors::check_markdown(&md, &text));
        tally.report("pasted-code block", markdown::check_pasted_code(&md, &text));
        tally.report_kinds(listings::check(&md, &text));
    }

    cmd::step("book: building it with mdBook");
    if let Err(failure) = cmd::run(cmd::command(setup::MDBOOK.ensure()?).args(["build", "book"])) {
        eprintln!(
            "{}\n(lychee and the browser test did not run)",
            failure.message.unwrap_or_default()
        );
        tally.count("failed build", 1);
        return tally.verdict();
    }
    cmd::step("book: checking links, fragments and images with lychee");
    tally.report_kinds(lychee::check(&setup::LYCHEE.ensure()?, &build, &src)?);

    cmd::step("book: testing the pages in headless Chromium (xtask/browser)");
    let mut browser = cmd::cargo();
    browser.args(["run", "--quiet", "-p", "xtask-browser", "--", "--site"]).arg(&build);
    browser.arg("--shots").arg(build.join("screenshots")).args(["--search", SEARCH]);
    let page = |chapter: &str| format!("{}.html", chapter.trim_end_matches(".md"));
    let chapters =
        summary.iter().map(|l| ["--chapter".into(), format!("{}={}", page(&l.chapter), l.title)]);
    browser.args(chapters.flatten());
    browser.args(lessons.iter().flat_map(|lesson| ["--lesson".into(), page(&lesson.package)]));
    let out = cmd::capture(browser.stderr(Stdio::inherit()))?;
    let problems = String::from_utf8_lossy(&out.stdout);
    eprint!("{problems}");
    // Failing without naming a problem, it failed to run at all (and said why on stderr).
    let failed = !out.status.success() && problems.is_empty();
    tally.count("browser problem", problems.lines().count() + usize::from(failed));
    tally.verdict()
}

/// The problems found so far, by kind, for the final message.
#[derive(Default)]
struct Tally(std::collections::BTreeMap<&'static str, usize>);

impl Tally {
    fn report(&mut self, kind: &'static str, problems: Vec<Problem>) {
        self.report_kinds(problems.into_iter().map(|problem| (kind, problem)).collect());
    }

    fn report_kinds(&mut self, problems: Vec<(&'static str, Problem)>) {
        for (kind, problem) in problems {
            eprintln!("{problem}");
            self.count(kind, 1);
        }
    }

    fn count(&mut self, kind: &'static str, n: usize) {
        *self.0.entry(kind).or_default() += n;
    }

    fn verdict(self) -> Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(kind, n)| format!("{n} × {kind}"))
            .collect();
        if parts.is_empty() {
            eprintln!("book: all checks passed");
            return Ok(());
        }
        Err(Failure::new(format!("the book has problems: {}", parts.join(", "))))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_verdict_counts_each_kind() {
        assert!(Tally::default().verdict().is_ok());
        let mut tally = Tally::default();
        tally.count("broken link", 2);
        tally.count("missing image", 0);
        tally.count("failed build", 1);
        tally.count("broken link", 1);
        let message = tally.verdict().unwrap_err().message.unwrap();
        assert_eq!(message, "the book has problems: 3 × broken link, 1 × failed build");
    }

    #[test]
    fn problems_name_their_place() {
        let problem = |line| Problem { file: "/x/a.md".into(), line, message: "m".into() };
        assert_eq!(problem(3).to_string(), "/x/a.md:3: m");
        assert_eq!(problem(0).to_string(), "/x/a.md: m");
    }
}
