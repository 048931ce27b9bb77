//! Which lessons exist (every `lessons/*/Cargo.toml`) and which one the user means by `01`, `1`,
//! `blocking` or `lesson-01-blocking`.

use crate::cmd::{self, Failure, Result};

/// The package names of all lessons, sorted, so that lesson 01 comes first everywhere.
pub fn discover() -> Result<Vec<String>> {
    let dir = cmd::root().join("lessons");
    let entries = std::fs::read_dir(&dir)
        .map_err(|e| Failure::new(format!("cannot list {}: {e}", cmd::shown(&dir))))?;
    let mut packages = Vec::new();
    for entry in entries {
        let manifest = entry
            .map_err(|e| Failure::new(format!("cannot list {}: {e}", cmd::shown(&dir))))?
            .path()
            .join("Cargo.toml");
        // A directory without a manifest is someone's lesson in the making, not yet a package.
        let Ok(text) = std::fs::read_to_string(&manifest) else { continue };
        let name = package_name(&text).ok_or_else(|| {
            Failure::new(format!("{}: no `name = \"...\"` in [package]", cmd::shown(&manifest)))
        })?;
        packages.push(name);
    }
    packages.sort();
    Ok(packages)
}

/// The `name` of a manifest's `[package]` table; enough TOML for the manifests this workspace
/// writes, without a TOML parser in xtask.
pub fn package_name(manifest: &str) -> Option<String> {
    let mut in_package = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            in_package = line.split('#').next().is_some_and(|header| header.trim() == "[package]");
            continue;
        }
        if !in_package {
            continue;
        }
        let Some(value) = line.strip_prefix("name").map(str::trim_start) else { continue };
        let Some(value) = value.strip_prefix('=').map(str::trim_start) else { continue };
        let value = value.strip_prefix('"')?;
        return value.find('"').map(|end| value[..end].to_string());
    }
    None
}

/// The package `query` names: the package itself, its directory name (`01-blocking`), its
/// number (`01`, `1`) or its name part (`blocking`).
pub fn resolve<'a>(query: &str, packages: &'a [String]) -> std::result::Result<&'a str, String> {
    let matching = |accept: &dyn Fn(&str) -> bool| -> Vec<&'a str> {
        packages.iter().map(String::as_str).filter(|package| accept(package)).collect()
    };
    let wanted_number = parse_number(query);
    let rules: [&dyn Fn(&str) -> bool; 4] = [
        &|package| package == query,
        &|package| package.strip_prefix("lesson-") == Some(query),
        &|package| wanted_number.is_some() && parts(package).map(|p| p.0) == wanted_number,
        &|package| parts(package).is_some_and(|(_, name)| name == query),
    ];
    for rule in rules {
        match matching(rule).as_slice() {
            [] => continue,
            [one] => return Ok(one),
            several => {
                return Err(format!("lesson '{query}' is ambiguous: {}", several.join(", ")));
            }
        }
    }
    if packages.is_empty() {
        Err(format!("unknown lesson '{query}'; there are no lessons under lessons/"))
    } else {
        Err(format!("unknown lesson '{query}'; lessons: {}", packages.join(", ")))
    }
}

/// `lesson-01-blocking` as `(1, "blocking")`.
fn parts(package: &str) -> Option<(u32, &str)> {
    let (number, name) = package.strip_prefix("lesson-")?.split_once('-')?;
    Some((parse_number(number)?, name))
}

fn parse_number(text: &str) -> Option<u32> {
    if text.is_empty() || !text.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    text.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lessons() -> Vec<String> {
        ["lesson-01-blocking", "lesson-02-main-context-iteration", "lesson-10-pool"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn reads_the_package_name_only() {
        let manifest = "[workspace]\nname = \"no\"\n\n[package] # the lesson\nname.workspace = \
                        false\nname = \"lesson-01-blocking\" # here\nversion.workspace = true\n\n\
                        [dependencies]\nname = \"no\"\n";
        assert_eq!(package_name(manifest).as_deref(), Some("lesson-01-blocking"));
        assert_eq!(package_name("[dependencies]\nname = \"x\"\n"), None);
        assert_eq!(package_name("[package]\nversion = \"1\"\n"), None);
    }

    #[test]
    fn resolves_every_way_of_naming_a_lesson() {
        let lessons = lessons();
        for query in ["lesson-01-blocking", "01-blocking", "01", "1", "001", "blocking"] {
            assert_eq!(resolve(query, &lessons), Ok("lesson-01-blocking"), "{query}");
        }
        assert_eq!(
            resolve("main-context-iteration", &lessons),
            Ok("lesson-02-main-context-iteration")
        );
        assert_eq!(resolve("10", &lessons), Ok("lesson-10-pool"));
    }

    #[test]
    fn unknown_lessons_list_the_known_ones() {
        let lessons = lessons();
        let error = resolve("nonsense", &lessons).unwrap_err();
        assert_eq!(
            error,
            "unknown lesson 'nonsense'; lessons: lesson-01-blocking, \
             lesson-02-main-context-iteration, lesson-10-pool"
        );
        assert!(resolve("3", &lessons).is_err());
        assert!(resolve("", &lessons).is_err());
        assert!(resolve("lesson", &lessons).is_err());
        assert!(resolve("1", &[]).unwrap_err().contains("no lessons"));
    }

    #[test]
    fn ambiguity_is_reported_not_guessed() {
        let lessons = ["lesson-01-blocking", "lesson-01-blocking-fixed"].map(String::from);
        assert_eq!(resolve("blocking", &lessons), Ok("lesson-01-blocking"));
        assert!(resolve("01", &lessons).unwrap_err().contains("ambiguous"));
    }
}
