//! `cargo xtask setup`: what a fresh Debian/Ubuntu machine lacks. Debian packages: GTK 4's
//! headers (found through pkg-config) for the lessons, Xvfb and xauth for the tests, Chromium and
//! chromedriver for the browser test. From crates.io, at pinned versions, into $CARGO_HOME/bin:
//! mdBook and lychee, which Debian does not package at the versions the book is checked with.

use crate::cmd::{self, Failure, Result};
use semver::{Version, VersionReq};
use std::path::PathBuf;

/// The gtk crate is built with its `v4_8` feature, so older GTK fails at link time with a far
/// less helpful message than this check's.
const GTK: &str = ">=4.8";

/// Programs the tests and the book check run, by their Debian package.
const PROGRAMS: [(&str, &str); 5] = [
    ("pkg-config", "pkg-config"),
    ("xvfb-run", "xvfb"),
    ("xauth", "xauth"),
    ("chromium", "chromium"),
    ("chromedriver", "chromium-driver"),
];

/// A tool from crates.io at the version the book is checked with: another mdBook renders other
/// HTML, which the browser test reads.
#[derive(Clone, Copy)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

pub const MDBOOK: Tool = Tool { name: "mdbook", version: "0.5.4" };
pub const LYCHEE: Tool = Tool { name: "lychee", version: "0.24.2" };

pub fn setup() -> Result {
    packages()?;
    MDBOOK.ensure()?;
    LYCHEE.ensure().map(drop)
}

/// The Debian packages alone: all that running a lesson needs.
pub fn packages() -> Result {
    cmd::step("setup: checking system packages");
    let missing = lacking();
    if missing.is_empty() {
        eprintln!("system packages: ok");
        return Ok(());
    }
    eprintln!("missing: {}", describe(&missing));
    let packages: Vec<&str> = missing.iter().map(|(package, _)| *package).collect();
    let install = format!("apt-get install -y {}", packages.join(" "));
    let is_root = cmd::output(cmd::command("id").arg("-u")).is_some_and(|uid| uid == "0");
    if which::which("apt-get").is_err() {
        return Err(Failure::usage(format!(
            "no apt-get here: install the equivalent of {install}"
        )));
    } else if !is_root && cmd::output(cmd::command("sudo").args(["-n", "true"])).is_none() {
        return Err(Failure::usage(format!(
            "not root and sudo needs a password; run: sudo {install}"
        )));
    }
    apt_get(!is_root, &["update"])?;
    apt_get(!is_root, &[&["install", "-y"], packages.as_slice()].concat())?;
    match lacking().as_slice() {
        [] => Ok(()),
        still => Err(Failure::new(format!("still missing after {install}: {}", describe(still)))),
    }
}

/// Each package the machine lacks, and how we could tell.
fn lacking() -> Vec<(&'static str, String)> {
    let mut lacking: Vec<(&str, String)> = PROGRAMS
        .into_iter()
        .filter(|(program, _)| which::which(program).is_err())
        .map(|(program, package)| (package, format!("{program} not on PATH")))
        .collect();
    let found = cmd::output(cmd::command("pkg-config").args(["--modversion", "gtk4"]));
    if !found
        .as_deref()
        .and_then(lenient)
        .is_some_and(|v| VersionReq::parse(GTK).is_ok_and(|req| req.matches(&v)))
    {
        let found = found.map_or("no gtk4 through pkg-config".into(), |v| format!("GTK {v}"));
        lacking.push(("libgtk-4-dev", format!("{found}, the lessons need {GTK}")));
    }
    lacking
}

fn describe(lacking: &[(&str, String)]) -> String {
    let parts: Vec<String> =
        lacking.iter().map(|(package, why)| format!("{package} ({why})")).collect();
    parts.join(", ")
}

/// `4.8.3`, `4.10` or `4` as a semver version, missing parts counting as zero.
fn lenient(text: &str) -> Option<Version> {
    let padding = [".0.0", ".0", ""].get(text.matches('.').count()).copied().unwrap_or("");
    Version::parse(&format!("{text}{padding}")).ok()
}

fn apt_get(sudo: bool, args: &[&str]) -> Result {
    // sudo resets the environment, so the variable travels on the command line too.
    let mut command = cmd::command(if sudo { "sudo" } else { "env" });
    command.args(if sudo { &["-n", "env"][..] } else { &[] }).arg("DEBIAN_FRONTEND=noninteractive");
    cmd::run(command.arg("apt-get").args(args))
}

impl Tool {
    /// The tool at its pinned version, installed first if it is not here.
    pub fn ensure(self) -> Result<PathBuf> {
        if let Some(found) = self.find() {
            return Ok(found);
        }
        let pinned = format!("={}", self.version);
        cmd::run(cmd::cargo().args(["install", self.name, "--locked", "--version", &pinned]))?;
        self.find()
            .ok_or_else(|| Failure::new(format!("installed {}, yet cannot find it", self.name)))
    }

    /// $CARGO_HOME/bin first: that is where cargo installs it, and PATH may lack it or hold
    /// another version before it.
    fn find(self) -> Option<PathBuf> {
        let home = std::env::var_os("CARGO_HOME").map(PathBuf::from);
        let home = home.or_else(|| std::env::home_dir().map(|home| home.join(".cargo")));
        let installed = home.map(|home| home.join("bin").join(self.name));
        let version = |exe: &PathBuf| cmd::output(cmd::command(exe).arg("--version"));
        [installed, which::which(self.name).ok()]
            .into_iter()
            .flatten()
            .find(|exe| version(exe).is_some_and(|reported| self.is(&reported)))
    }

    /// Whether `--version`'s answer (`mdbook v0.5.4`, `lychee 0.24.2`) names the pinned version.
    fn is(self, reported: &str) -> bool {
        let mut words = reported.split_whitespace().map(|word| word.trim_start_matches('v'));
        let found = words.find_map(|word| Version::parse(word).ok());
        found.is_some_and(|found| Version::parse(self.version).ok() == Some(found))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gtk_versions_compare_as_numbers() {
        let req = VersionReq::parse(GTK).unwrap();
        for (found, ok) in
            [("4.8.3", true), ("4.10", true), ("5", true), ("4.6.9", false), ("3.99", false)]
        {
            assert_eq!(lenient(found).is_some_and(|v| req.matches(&v)), ok, "{found}");
        }
        assert_eq!(lenient("not a version"), None);
    }

    #[test]
    fn only_the_pinned_version_will_do() {
        assert!(MDBOOK.is("mdbook v0.5.4"));
        assert!(!MDBOOK.is("mdbook v0.5.3"));
        assert!(!MDBOOK.is("mdbook v0.4.52"));
        assert!(!MDBOOK.is("mdbook"));
        assert!(LYCHEE.is("lychee 0.24.2"));
        assert!(!LYCHEE.is("lychee 0.24.2-beta.1"));
    }
}
