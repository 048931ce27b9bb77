//! Links, fragments and images of the built book, checked by lychee over its HTML, offline: a
//! link to a chapter SUMMARY.md does not list points at a page mdBook did not write, and a
//! `#fragment` must be an id of the page it names.

use super::Problem;
use crate::cmd::{self, Failure, Result};
use crate::figures;
use serde_json::Value;
use std::path::Path;

pub const LINK: &str = "broken link";
pub const FRAGMENT: &str = "missing fragment";
pub const IMAGE: &str = "missing image";

/// Every broken link of the book built in `build`, by kind; `Err` if lychee itself failed.
pub fn check(lychee: &Path, build: &Path, src: &Path) -> Result<Vec<(&'static str, Problem)>> {
    let mut command = cmd::command(lychee);
    command
        .args(["--offline", "--include-fragments", "--no-progress", "--format", "json"])
        // mdBook's 404 page links from the site's root.
        .arg("--root-dir")
        .arg(build)
        .arg(build);
    let out = cmd::capture(&mut command)?;
    let report: Value = serde_json::from_slice(&out.stdout).map_err(|_| {
        Failure::new(format!("lychee failed: {}", String::from_utf8_lossy(&out.stderr).trim()))
    })?;
    Ok(problems(&report, build, src))
}

/// lychee's `error_map` as problems, each at its page's line.
pub fn problems(report: &Value, build: &Path, src: &Path) -> Vec<(&'static str, Problem)> {
    let mut problems = Vec::new();
    let Some(pages) = report["error_map"].as_object() else { return problems };
    let root = format!("file://{}/", build.display());
    for (page, errors) in pages {
        for error in errors.as_array().into_iter().flatten() {
            let url = error["url"].as_str().unwrap_or_default();
            let shown = url.strip_prefix(&root).unwrap_or(url);
            let status = error["status"]["text"].as_str().unwrap_or("failed");
            let path = shown.split(['#', '?']).next().unwrap_or_default();
            let image = [".png", ".svg", ".jpg", ".jpeg", ".gif"].iter().any(|e| path.ends_with(e));
            let (kind, message) = if status.contains("fragment") {
                (FRAGMENT, format!("link `{shown}`: no such id in that page"))
            } else if image {
                // The hint says how to make the image, if xtask makes it.
                (IMAGE, format!("image `{shown}`: {}", figures::missing(&src.join(path))))
            } else {
                (LINK, format!("link `{shown}`: {status}"))
            };
            let line = error["span"]["line"].as_u64().unwrap_or(0) as usize;
            problems.push((kind, Problem { file: build.join(page), line, message }));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lychees_errors_become_problems_by_kind() {
        let error = |url: &str, text: &str, line: u64| {
            let (status, span) = (json!({"text": text}), json!({"line": line, "column": 3}));
            json!({"url": url, "status": status, "span": span})
        };
        let report = json!({"errors": 3, "error_map": {"/b/x.html": [
            error("file:///b/y.html#nope", "Cannot find fragment", 4),
            error("file:///b/images/lesson-09-z.png", "File not found", 5),
            error("file:///b/gone.html", "File not found. Check if file exists", 6),
        ]}});
        let problems = problems(&report, Path::new("/b"), Path::new("/s"));
        let found: Vec<(&str, usize, &str)> =
            problems.iter().map(|(kind, p)| (*kind, p.line, p.message.as_str())).collect();
        assert_eq!(
            found,
            [
                (FRAGMENT, 4, "link `y.html#nope`: no such id in that page"),
                (
                    IMAGE,
                    5,
                    "image `images/lesson-09-z.png`: /s/images/lesson-09-z.png does not exist: \
                     run `cargo xtask screenshots`"
                ),
                (LINK, 6, "link `gone.html`: File not found. Check if file exists"),
            ]
        );
        assert_eq!(problems[0].1.file, Path::new("/b/x.html"));
        assert!(
            super::problems(
                &json!({"errors": 0, "error_map": {}}),
                Path::new("/b"),
                Path::new("/s")
            )
            .is_empty()
        );
    }
}
