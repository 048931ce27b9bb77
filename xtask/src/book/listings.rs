//! The project's listing rules (book/src/style.md) on what a reader sees of every Rust and TOML
//! file a chapter includes, cut as mdBook cuts it ([`anchors::included`]): at most 60 lines and
//! 80 columns, and in the lesson chapters no line that names the measuring. The words are those
//! of shared/tools/listings.py, matched as it matches them (whole words, case-sensitive).

use super::Problem;
use crate::{anchors, cmd};
use regex_lite::Regex;
use std::path::Path;

const MAX_LINES: usize = 60;
const MAX_COLUMNS: usize = 80;
/// `note(` needs no word after it: listings.py's `\b` there would miss `note()` and `note("`.
const MEASURING: &str = concat!(
    r"\b(autopilot|pilot|Findings|report|Recorder|Milestone|timeline|max_queued|max_running",
    r"|heartbeat|memory\.sample|MemoryWatch|Metered|tally)\b|\bnote\("
);

/// The kinds of problem, for the tally.
pub const LONG: &str = "listing over 60 lines";
pub const WIDE: &str = "listed line over 80 columns";
pub const MEASURES: &str = "listed line naming the measuring";

/// Every rule `md` (whose text is `text`) breaks, by kind. A lesson chapter is one named
/// `lesson-*.md`. Includes that do not resolve are left to the include check.
pub fn check(md: &Path, text: &str) -> Vec<(&'static str, Problem)> {
    let words = Regex::new(MEASURING).expect("the pattern is valid");
    let name = md.file_name().and_then(|name| name.to_str()).unwrap_or("");
    let lesson = name.starts_with("lesson-") && name.ends_with(".md");
    let mut problems = Vec::new();
    for include in anchors::find_includes(text) {
        if !include.path.ends_with(".rs") && !include.path.ends_with(".toml") {
            continue;
        }
        let file = anchors::target(md, &include);
        let Ok(content) = std::fs::read_to_string(&file) else { continue };
        let Ok(lines) = anchors::included(&include.select, &content) else { continue };
        let shown = format!("shown by {}:{}", cmd::shown(md), include.line);
        if lines.len() > MAX_LINES {
            let message =
                format!("{} shows {} lines (at most {MAX_LINES})", include.link, lines.len());
            problems.push((LONG, Problem { file: md.to_path_buf(), line: include.line, message }));
        }
        for (line, code) in lines {
            let at = |message| Problem { file: file.clone(), line, message };
            let columns = code.chars().count();
            if columns > MAX_COLUMNS {
                problems.push((
                    WIDE,
                    at(format!("{columns} columns (at most {MAX_COLUMNS}), {shown}")),
                ));
            }
            if let Some(word) = words.find(code).filter(|_| lesson) {
                let message = format!("`{}` names the measuring, {shown}", word.as_str());
                problems.push((MEASURES, at(message)));
            }
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn long_wide_and_measuring_lines_are_found_where_they_are() {
        let dir = std::env::temp_dir().join(format!("xtask-listings-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("src")).unwrap();
        let mut code = String::from("// ANCHOR: short\nlet report = 1;\n// ANCHOR_END: short\n");
        code.push_str(&format!("{}\n", "x".repeat(81)));
        code.push_str("reports(); lesson_report::x(); note(\"a\"); Report; pilot;\n");
        code.push_str(&"ok\n".repeat(60));
        std::fs::write(dir.join("code.rs"), &code).unwrap();
        std::fs::write(dir.join("notes.md"), "").unwrap();
        let chapter = "{{#include ../code.rs:short}}\n{{#include ../code.rs:4:5}}\n\
                       {{#include ../code.rs}}\n{{#include ../notes.md}}\n";
        let lesson = check(&dir.join("src/lesson-01-x.md"), chapter);
        let other = check(&dir.join("src/forbidden.md"), chapter);
        let _ = std::fs::remove_dir_all(&dir);

        let found = |problems: &[(&'static str, Problem)]| -> Vec<(&'static str, String, usize)> {
            problems
                .iter()
                .map(|(kind, p)| {
                    (*kind, p.file.file_name().unwrap().to_string_lossy().into(), p.line)
                })
                .collect()
        };
        let code = "code.rs".to_string();
        assert_eq!(
            found(&lesson),
            [
                (MEASURES, code.clone(), 2),
                (WIDE, code.clone(), 4),
                (MEASURES, code.clone(), 5),
                (LONG, "lesson-01-x.md".into(), 3),
                (MEASURES, code.clone(), 2),
                (WIDE, code.clone(), 4),
                (MEASURES, code.clone(), 5),
            ]
        );
        assert!(lesson[0].1.message.starts_with("`report` names the measuring, shown by "));
        assert!(lesson[0].1.message.ends_with("lesson-01-x.md:1"), "{}", lesson[0].1.message);
        assert!(lesson[2].1.message.starts_with("`note(` names"), "{}", lesson[2].1.message);
        assert!(lesson[3].1.message.contains("shows 65 lines (at most 60)"));
        assert_eq!(
            found(&other),
            [(WIDE, code.clone(), 4), (LONG, "forbidden.md".into(), 3), (WIDE, code, 4)]
        );
    }
}
