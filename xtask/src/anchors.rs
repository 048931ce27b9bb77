//! The book's `{{#include}}` and `{{#rustdoc_include}}` links, checked against the files they
//! point at. mdBook renders a missing anchor or an out-of-range line span as an empty (or short)
//! code block and carries on; a lesson refactor that drops an `ANCHOR:` line would leave the book
//! quietly showing nothing. This check makes that a build failure. Parsing mirrors mdBook 0.5's
//! own (its link regex and `parse_include_path`).

use crate::book::Problem;
use crate::{cmd, figures};
use std::io;
use std::path::{Component, Path, PathBuf};

/// One include link in a markdown file.
#[derive(Debug, Clone, PartialEq)]
pub struct Include {
    pub line: usize,
    /// The link as written, for messages.
    pub link: String,
    /// Relative to the markdown file's directory.
    pub path: String,
    pub select: Select,
}

/// Which part of the file a link includes; lines are 0-based, the end exclusive or open.
#[derive(Debug, Clone, PartialEq)]
pub enum Select {
    All,
    Anchor(String),
    Lines(usize, Option<usize>),
}

/// mdBook's link pattern (mdbook-driver's `find_links`). Its first branch, an escaped link
/// (`\{{#...}}`), is greedy: it runs to the last `}}` on the line, so a link after an escaped one
/// on the same line is not expanded either.
const LINK: &str = r"(?x)\\\{\{\#.*\}\} | \{\{\s*\#([a-zA-Z0-9_]+)\s+([^}]+)\}\}";

/// Every include link in `text`, in order.
pub fn find_includes(text: &str) -> Vec<Include> {
    let link = regex_lite::Regex::new(LINK).expect("mdBook's pattern is valid");
    let include = |found: regex_lite::Captures<'_>| {
        let (whole, kind) = (found.get(0)?, found.get(1)?.as_str());
        // mdBook reads the first word as the target and ignores the rest.
        let (path, select) = split_target(found.get(2)?.as_str().split_whitespace().next()?);
        (kind == "include" || kind == "rustdoc_include").then(|| Include {
            line: text[..whole.start()].matches('\n').count() + 1,
            link: whole.as_str().to_string(),
            path: path.to_string(),
            select,
        })
    };
    link.captures_iter(text).filter_map(include).collect()
}

/// `path`, `path:anchor`, `path:N`, `path:N:M`, `path:N:` or `path::M`, read as mdBook reads it.
fn split_target(target: &str) -> (&str, Select) {
    let Some((path, spec)) = target.split_once(':') else { return (target, Select::All) };
    let mut parts = spec.splitn(3, ':');
    let first = parts.next().unwrap_or("");
    let start = match first.parse::<usize>() {
        Ok(line) => Some(line.saturating_sub(1)),
        Err(_) if first.is_empty() => None,
        Err(_) => return (path, Select::Anchor(first.to_string())),
    };
    // An end that is present but not a number leaves the range open, as in mdBook.
    let select = match (start, parts.next().map(str::parse::<usize>)) {
        (Some(start), Some(Ok(end))) => Select::Lines(start, Some(end)),
        (Some(start), Some(Err(_))) => Select::Lines(start, None),
        (Some(start), None) => Select::Lines(start, Some(start + 1)),
        (None, Some(Ok(end))) => Select::Lines(0, Some(end)),
        (None, None | Some(Err(_))) => Select::All,
    };
    (path, select)
}

/// What is wrong with including `select` of a file whose text is `content`, if anything.
pub fn check_content(select: &Select, content: &str) -> Option<String> {
    if content.trim().is_empty() {
        return Some("the included file is empty".into());
    }
    match (included(select, content), select) {
        (Err(e), _) => Some(e),
        (Ok(lines), Select::Anchor(name)) if lines.iter().all(|(_, l)| l.trim().is_empty()) => {
            Some(format!("anchor `{name}` encloses no non-blank line"))
        }
        _ => None,
    }
}

/// The lines a reader sees, with their 1-based numbers in the file, cut as mdBook cuts them: a
/// whole file or a line range as it is, an anchor's region without the marker lines of other
/// anchors nested in it.
pub fn included<'a>(select: &Select, content: &'a str) -> Result<Vec<(usize, &'a str)>, String> {
    let (mut lines, count) = ((1..).zip(content.lines()), content.lines().count());
    let past = |what, line| {
        format!("the line range {what} at line {line}, past the file's end (it has {count} lines)")
    };
    match select {
        Select::All => Ok(lines.collect()),
        Select::Lines(start, Some(end)) if end <= start => Err("the line range is empty".into()),
        Select::Lines(_, Some(end)) if *end > count => Err(past("ends", *end)),
        Select::Lines(start, None) if *start >= count => Err(past("starts", start + 1)),
        Select::Lines(start, end) => {
            Ok(lines.skip(*start).take(end.unwrap_or(count) - start).collect())
        }
        Select::Anchor(name) => {
            if !lines.any(|(_, line)| marker(line, "ANCHOR:") == Some(name)) {
                return Err(format!("no `ANCHOR: {name}` line in the included file"));
            }
            let mut shown = Vec::new();
            for (number, line) in lines {
                match marker(line, "ANCHOR_END:") {
                    Some(end) if end == name => return Ok(shown),
                    None if marker(line, "ANCHOR:").is_none() => shown.push((number, line)),
                    _ => {}
                }
            }
            Err(format!("no `ANCHOR_END: {name}` line after `ANCHOR: {name}`"))
        }
    }
}

/// The anchor name after the first `tag` in `line` that has one, as mdBook's
/// `ANCHOR:\s*([\w_-]+)` finds it: anywhere in the line, whatever comment syntax surrounds it.
fn marker<'a>(line: &'a str, tag: &str) -> Option<&'a str> {
    line.match_indices(tag).find_map(|(at, _)| {
        let rest = line[at + tag.len()..].trim_start();
        let len =
            rest.find(|c: char| !(c.is_alphanumeric() || "_-".contains(c))).unwrap_or(rest.len());
        (len > 0).then(|| &rest[..len])
    })
}

/// Problems with the includes of one markdown file, whose text is `text`.
pub fn check_markdown(md: &Path, text: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    for include in find_includes(text) {
        let target = target(md, &include);
        let message = match std::fs::read_to_string(&target) {
            Ok(content) => check_content(&include.select, &content),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Some(figures::missing(&target)),
            Err(e) => Some(format!("cannot read {}: {e}", cmd::shown(&target))),
        };
        let message = message.map(|message| format!("{}: {message}", include.link));
        problems.extend(message.map(|message| Problem {
            file: md.into(),
            line: include.line,
            message,
        }));
    }
    problems
}

/// Every `*.md` below `dir`, recursively, in the order the directory lists them.
pub fn markdown_files(dir: &Path, out: &mut Vec<PathBuf>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            markdown_files(&path, out)?;
        } else if path.extension().is_some_and(|ext| ext == "md") {
            out.push(path);
        }
    }
    Ok(())
}

/// The file an include in `md` points at, as `lessons/x.rs` rather than
/// `book/src/../../lessons/x.rs`, so that messages name it plainly.
pub fn target(md: &Path, include: &Include) -> PathBuf {
    let mut out = PathBuf::new();
    for component in md.parent().unwrap_or(Path::new("")).join(&include.path).components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir
                if matches!(out.components().next_back(), Some(Component::Normal(_))) =>
            {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn targets(text: &str) -> Vec<(usize, String, Select)> {
        find_includes(text).into_iter().map(|i| (i.line, i.path, i.select)).collect()
    }

    fn anchor(name: &str) -> Select {
        Select::Anchor(name.into())
    }

    #[test]
    fn finds_every_include_with_its_line() {
        let text = "# Title\n\n```rust\n{{#include ../a.rs:work}}\n```\nSee {{#include b.rs}} and \
                    {{#rustdoc_include c.rs:3:5}}.\n";
        assert_eq!(
            targets(text),
            vec![
                (4, "../a.rs".into(), anchor("work")),
                (6, "b.rs".into(), Select::All),
                (6, "c.rs".into(), Select::Lines(2, Some(5))),
            ]
        );
        assert_eq!(find_includes(text)[0].link, "{{#include ../a.rs:work}}");
    }

    #[test]
    fn accepts_what_mdbook_accepts() {
        let text =
            "{{ #include  a.rs:x extra words }}{{#include\nb.rs}}{{#include }}{{#playground p.rs}}";
        assert_eq!(
            targets(text),
            vec![(1, "a.rs".into(), anchor("x")), (1, "b.rs".into(), Select::All)]
        );
        assert!(targets("{{#include a.rs").is_empty());
        assert!(targets("{{#include a.rs} }}").is_empty());
    }

    #[test]
    fn escaped_links_are_left_alone_up_to_the_last_close_on_their_line() {
        let text = "`\\{{#include a.rs}}` and {{#include b.rs}}\n{{#include c.rs}} \\{{#x}}";
        assert_eq!(targets(text), vec![(2, "c.rs".into(), Select::All)]);
        // Without `#` right after the braces the backslash escapes nothing.
        assert_eq!(targets("\\{{ #include d.rs}}"), vec![(1, "d.rs".into(), Select::All)]);
    }

    #[test]
    fn reads_ranges_like_mdbook() {
        let select = |target: &str| split_target(target).1;
        let lines = |start, end| Select::Lines(start, end);
        assert_eq!(split_target("x.rs"), ("x.rs", Select::All));
        assert_eq!(select("x.rs:"), Select::All);
        assert_eq!(select("x.rs::"), Select::All);
        assert_eq!(select("x.rs:4"), lines(3, Some(4)));
        assert_eq!(select("x.rs:4:6"), lines(3, Some(6)));
        assert_eq!(select("x.rs:4:"), lines(3, None));
        assert_eq!(select("x.rs::6"), lines(0, Some(6)));
        assert_eq!(select("x.rs:work"), anchor("work"));
        assert_eq!(select("x.rs:work:3"), anchor("work"));
    }

    #[test]
    fn anchors_need_a_start_an_end_and_content() {
        let file = "fn a() {}\n// ANCHOR: work\nfn work() {}\n// ANCHOR_END: work\n\
                    <!-- ANCHOR: gap -->\n\n  // ANCHOR: inner\n// ANCHOR_END: inner\n\
                    <!-- ANCHOR_END: gap -->\n// ANCHOR: open\nfn open() {}\n";
        assert_eq!(check_content(&anchor("work"), file), None);
        assert!(check_content(&anchor("gap"), file).unwrap().contains("no non-blank"));
        assert!(check_content(&anchor("open"), file).unwrap().contains("no `ANCHOR_END: open`"));
        assert!(check_content(&anchor("missing"), file).unwrap().contains("no `ANCHOR: missing`"));
        // Names match whole, as mdBook's `[\w_-]+` captures them.
        assert!(check_content(&anchor("wor"), file).is_some());
    }

    #[test]
    fn an_end_before_the_start_does_not_count() {
        let file = "// ANCHOR_END: x\n// ANCHOR: x\ncode\n";
        assert!(check_content(&anchor("x"), file).unwrap().contains("ANCHOR_END"));
    }

    #[test]
    fn other_anchors_markers_are_not_content() {
        let file = "// ANCHOR: outer\n// ANCHOR: inner\nlet x = 1;\n// ANCHOR_END: inner\n\
                    // ANCHOR_END: outer\n";
        assert_eq!(check_content(&anchor("outer"), file), None);
        assert_eq!(check_content(&anchor("inner"), file), None);
    }

    #[test]
    fn ranges_must_lie_inside_the_file() {
        let file = "1\n2\n3\n";
        let lines = |start, end| Select::Lines(start, end);
        assert_eq!(check_content(&lines(0, Some(3)), file), None);
        assert_eq!(check_content(&lines(2, None), file), None);
        assert!(check_content(&lines(1, Some(4)), file).unwrap().contains("it has 3 lines"));
        assert!(check_content(&lines(3, None), file).unwrap().contains("starts at line 4"));
        assert!(check_content(&lines(3, Some(2)), file).unwrap().contains("empty"));
        assert!(check_content(&lines(0, Some(0)), file).unwrap().contains("empty"));
    }

    #[test]
    fn an_empty_file_is_a_problem_whatever_is_selected() {
        assert!(check_content(&Select::All, "").unwrap().contains("empty"));
        assert!(check_content(&Select::All, " \n\n").unwrap().contains("empty"));
    }

    /// A directory under the system temp dir, removed again when the test ends, pass or fail.
    struct TempDir(PathBuf);

    impl TempDir {
        fn new(label: &str) -> Self {
            let nanos = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.subsec_nanos());
            let dir =
                std::env::temp_dir().join(format!("xtask-{label}-{}-{nanos}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            Self(dir)
        }

        fn write(&self, path: &str, text: &str) {
            let path = self.0.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
    }

    impl Drop for TempDir {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn checks_every_markdown_file_relative_to_itself() {
        let dir = TempDir::new("anchors");
        dir.write("code/lesson.rs", "// ANCHOR: work\nwork();\n// ANCHOR_END: work\n");
        dir.write("code/empty.rs", "");
        dir.write("src/SUMMARY.md", "{{#include ../code/lesson.rs:work}}\n");
        dir.write("src/notes.txt", "{{#include nowhere.rs}}\n");
        dir.write(
            "src/part/chapter.md",
            "ok: {{#include ../../code/lesson.rs:1:3}}\n\n{{#include ../../code/lesson.rs:gone}}\n\
             {{#include ../missing.rs}} {{#rustdoc_include ../../code/empty.rs}}\n",
        );

        let mut files = Vec::new();
        markdown_files(&dir.0.join("src"), &mut files).unwrap();
        files.sort();
        let read = |md: &PathBuf| check_markdown(md, &std::fs::read_to_string(md).unwrap());
        let problems: Vec<Problem> = files.iter().flat_map(read).collect();
        let chapter = dir.0.join("src/part/chapter.md");
        let found: Vec<(&Path, usize, &str)> =
            problems.iter().map(|p| (p.file.as_path(), p.line, p.message.as_str())).collect();
        assert_eq!(found.len(), 3, "{problems:#?}");
        assert_eq!((found[0].0, found[0].1), (chapter.as_path(), 3));
        assert!(
            found[0].2.starts_with("{{#include ../../code/lesson.rs:gone}}: no `ANCHOR: gone`")
        );
        assert_eq!(found[1].1, 4);
        let missing = dir.0.join("src/missing.rs");
        assert!(
            found[1].2.contains(&format!("{} does not exist", missing.display())),
            "{}",
            found[1].2
        );
        assert_eq!(found[2].1, 4);
        assert!(found[2].2.contains("empty"));
        assert!(problems[0].to_string().ends_with(&format!("chapter.md:3: {}", found[0].2)));
    }

    #[test]
    fn targets_are_named_plainly() {
        let include = |path: &str| find_includes(&format!("{{{{#include {path}}}}}")).remove(0);
        let md = Path::new("/a/book/src/chapter.md");
        assert_eq!(target(md, &include("../../lessons/x.rs")), Path::new("/a/lessons/x.rs"));
        let relative = Path::new("../book/c.md");
        assert_eq!(target(relative, &include("../x/./y")), Path::new("../x/y"));
    }
}
