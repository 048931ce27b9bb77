//! `cargo xtask setup`: the Debian/Ubuntu packages the lessons build against (GTK 4 headers,
//! found through pkg-config), the tests run under (Xvfb, which needs xauth), and the browser the
//! book check opens the built book in (Chromium, headless).

use crate::cmd::{self, Failure, Result};
use crate::version;

/// The gtk crate is built with its `v4_8` feature, so older GTK fails at link time with a far
/// less helpful message than this check's.
const MIN_GTK: [u64; 2] = [4, 8];

/// A package the machine lacks, and how we could tell.
struct Lack {
    package: &'static str,
    why: String,
}

pub fn setup() -> Result {
    cmd::step("setup: checking system packages");
    let lacking = check();
    if lacking.is_empty() {
        eprintln!("system packages: ok");
        return Ok(());
    }
    let packages: Vec<&str> = lacking.iter().map(|lack| lack.package).collect();
    eprintln!("missing: {}", describe(&lacking));

    if cmd::on_path("apt-get").is_none() {
        return Err(Failure::usage(format!(
            "no apt-get here: install GTK 4 (>= {}) development files, pkg-config, xvfb-run, \
             xauth and chromium with this system's package manager (Debian names: {})",
            MIN_GTK.map(|n| n.to_string()).join("."),
            packages.join(" ")
        )));
    }
    let sudo = if is_root() {
        false
    } else if can_sudo() {
        true
    } else {
        return Err(Failure::usage(format!(
            "not root and sudo needs a password; run: sudo apt-get install -y {}",
            packages.join(" ")
        )));
    };

    apt_get(sudo, &["update"])?;
    apt_get(sudo, &[&["install", "-y"], packages.as_slice()].concat())?;

    let still = check();
    if still.is_empty() {
        eprintln!("system packages: ok");
        Ok(())
    } else {
        Err(Failure::new(format!("still missing after apt-get install: {}", describe(&still))))
    }
}

fn check() -> Vec<Lack> {
    let mut lacking = Vec::new();
    let pkg_config = cmd::on_path("pkg-config").is_some();
    if let Some(why) = gtk_problem(pkg_config) {
        lacking.push(Lack { package: "libgtk-4-dev", why });
    }
    if !pkg_config {
        lacking.push(Lack { package: "pkg-config", why: "pkg-config not on PATH".into() });
    }
    for (program, package) in [("xvfb-run", "xvfb"), ("xauth", "xauth"), ("chromium", "chromium")] {
        if cmd::on_path(program).is_none() {
            lacking.push(Lack { package, why: format!("{program} not on PATH") });
        }
    }
    lacking
}

fn gtk_problem(pkg_config: bool) -> Option<String> {
    if !pkg_config {
        return Some("cannot ask pkg-config for gtk4".into());
    }
    let pkg_config = |args: &[&str]| cmd::output(cmd::command("pkg-config").args(args));
    if pkg_config(&["--exists", "gtk4"]).is_none() {
        return Some("pkg-config finds no gtk4".into());
    }
    let found = pkg_config(&["--modversion", "gtk4"]).unwrap_or_default();
    match version::parse(&found) {
        Some(parts) if version::at_least(&parts, &MIN_GTK) => None,
        _ => Some(format!(
            "GTK {found} found, the lessons need {} or newer",
            MIN_GTK.map(|n| n.to_string()).join(".")
        )),
    }
}

fn describe(lacking: &[Lack]) -> String {
    let parts: Vec<String> =
        lacking.iter().map(|lack| format!("{} ({})", lack.package, lack.why)).collect();
    parts.join(", ")
}

fn is_root() -> bool {
    cmd::output(cmd::command("id").arg("-u")).is_some_and(|uid| uid == "0")
}

fn can_sudo() -> bool {
    cmd::on_path("sudo").is_some()
        && cmd::output(cmd::command("sudo").args(["-n", "true"])).is_some()
}

fn apt_get(sudo: bool, args: &[&str]) -> Result {
    let mut command = if sudo {
        // sudo resets the environment, so the variable travels on the command line instead.
        let mut command = cmd::command("sudo");
        command.args(["-n", "env", "DEBIAN_FRONTEND=noninteractive", "apt-get"]);
        command
    } else {
        cmd::command("apt-get")
    };
    command.env("DEBIAN_FRONTEND", "noninteractive").args(args);
    cmd::run(&mut command)
}
