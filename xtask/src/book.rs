//! `cargo xtask book`: builds the book with mdBook 0.5, after making sure every include in it
//! still points at something (mdBook itself would render a silently empty block).

use crate::anchors;
use crate::cmd::{self, Failure, Result};
use crate::version;
use std::path::PathBuf;

pub fn book() -> Result {
    let root = cmd::root();
    if !root.join("book/book.toml").is_file() {
        return Err(Failure::new("book/book.toml not found: there is no book to build"));
    }
    let mdbook = ensure_mdbook()?;

    cmd::step("book: checking the includes in book/src");
    let src = root.join("book/src");
    let problems = anchors::check_dir(&src)
        .map_err(|e| Failure::new(format!("cannot read {}: {e}", cmd::shown(&src))))?;
    for problem in &problems {
        eprintln!("{problem}");
    }
    match problems.len() {
        0 => {}
        1 => return Err(Failure::new("1 broken include in book/src")),
        n => return Err(Failure::new(format!("{n} broken includes in book/src"))),
    }

    cmd::run(cmd::command(mdbook).args(["build", "book"]))
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
    fn only_0_5_will_do() {
        assert!(is_mdbook_05("mdbook v0.5.0"));
        assert!(is_mdbook_05("mdbook v0.5.2"));
        assert!(!is_mdbook_05("mdbook v0.4.52"));
        assert!(!is_mdbook_05("mdbook v0.6.0"));
        assert!(!is_mdbook_05("mdbook"));
    }
}
