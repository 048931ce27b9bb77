//! `cargo xtask book`: checks the book's sources, builds it with mdBook 0.5 and opens the result
//! in a browser, in this order, reporting every problem before failing:
//!
//! 1. every `{{#include}}` resolves to an existing, non-empty anchor ([`anchors`]): mdBook itself
//!    would render a silently empty block;
//! 2. every image points at a file ([`markdown`]);
//! 3. no ```rust block holds pasted code: the book's Rust is all included from compiled sources;
//! 4. every internal link lands on a listed chapter and, with a `#fragment`, on a heading;
//! 5. mdBook builds the book into `book/build/`;
//! 6. headless Chromium opens the index and lesson 01 from a loopback server without a console
//!    error or a failed request, and saves screenshots in `book/build/screenshots/`
//!    ([`browser`]).

mod browser;
mod markdown;
mod serve;

use crate::anchors::{self, Problem};
use crate::cmd::{self, Failure, Result};
use crate::version;
use std::path::PathBuf;

pub fn book() -> Result {
    let root = cmd::root();
    if !root.join("book/book.toml").is_file() {
        return Err(Failure::new("book/book.toml not found: there is no book to build"));
    }
    let mdbook = ensure_mdbook()?;
    let src = root.join("book/src");
    let unreadable =
        |e: std::io::Error| Failure::new(format!("cannot read {}: {e}", cmd::shown(&src)));
    let mut tally = Tally::default();

    cmd::step("book: checking the includes in book/src");
    tally.report("broken include", anchors::check_dir(&src).map_err(unreadable)?);
    let chapters = markdown::Book::load(&src).map_err(unreadable)?;
    cmd::step("book: checking the images in book/src");
    tally.report("missing image", chapters.check_images());
    cmd::step("book: checking that every ```rust block only includes compiled code");
    tally.report("pasted-code block", chapters.check_pasted_code());
    cmd::step("book: checking the internal links in book/src");
    tally.report("broken link", chapters.check_links());

    cmd::step("book: building it with mdBook");
    match cmd::run(cmd::command(mdbook).args(["build", "book"])) {
        Ok(()) => {
            cmd::step("book: opening the built book in headless Chromium");
            let problems = browser::check(&root.join("book/build"));
            for problem in &problems {
                eprintln!("{problem}");
            }
            tally.count("browser problem", problems.len());
        }
        Err(failure) => {
            eprintln!("{}", failure.message.unwrap_or_default());
            eprintln!("(not opened in Chromium: the book did not build)");
            tally.count("failed build", 1);
        }
    }
    tally.verdict()
}

/// The problems found so far, by kind, for the final message.
#[derive(Default)]
struct Tally(Vec<(&'static str, usize)>);

impl Tally {
    fn report(&mut self, kind: &'static str, problems: Vec<Problem>) {
        for problem in &problems {
            eprintln!("{problem}");
        }
        self.count(kind, problems.len());
    }

    fn count(&mut self, kind: &'static str, n: usize) {
        if n > 0 {
            self.0.push((kind, n));
        }
    }

    fn verdict(self) -> Result {
        if self.0.is_empty() {
            eprintln!("book: all checks passed");
            return Ok(());
        }
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|(kind, n)| if *n == 1 { format!("1 {kind}") } else { format!("{n} {kind}s") })
            .collect();
        Err(Failure::new(format!("the book has problems: {}", parts.join(", "))))
    }
}

/// An mdbook 0.5 to run, installed with cargo if there is none: the book relies on 0.5's
/// behaviour, and an older mdbook on PATH must not build it quietly differently.
fn ensure_mdbook() -> Result<PathBuf> {
    cmd::step("book: looking for mdBook 0.5");
    if let Some(found) = find_mdbook() {
        return Ok(found);
    }
    cmd::run(cmd::cargo().args(["install", "mdbook", "--locked", "--version", "~0.5"]))?;
    find_mdbook().ok_or_else(|| {
        Failure::new("installed mdbook 0.5, but found it neither on PATH nor in $CARGO_HOME/bin")
    })
}

fn find_mdbook() -> Option<PathBuf> {
    // cargo install puts it in $CARGO_HOME/bin, which may be missing from PATH or come after
    // an older mdbook there.
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    let candidates = [cmd::on_path("mdbook"), cargo_home.map(|home| home.join("bin/mdbook"))];
    candidates.into_iter().flatten().find(|exe| {
        let reported = cmd::output(cmd::command(exe).arg("--version"));
        let ok = reported.as_deref().is_some_and(is_mdbook_05);
        if let Some(reported) = reported {
            eprintln!("{}: {reported}{}", exe.display(), if ok { "" } else { " (need 0.5.x)" });
        }
        ok
    })
}

fn is_mdbook_05(reported: &str) -> bool {
    version::parse(reported).is_some_and(|parts| parts.starts_with(&[0, 5]))
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
        let message = tally.verdict().unwrap_err().message.unwrap();
        assert_eq!(message, "the book has problems: 2 broken links, 1 failed build");
    }

    #[test]
    fn only_0_5_will_do() {
        assert!(is_mdbook_05("mdbook v0.5.0"));
        assert!(is_mdbook_05("mdbook v0.5.2"));
        assert!(!is_mdbook_05("mdbook v0.4.52"));
        assert!(!is_mdbook_05("mdbook v0.6.0"));
        assert!(!is_mdbook_05("mdbook"));
    }
}
