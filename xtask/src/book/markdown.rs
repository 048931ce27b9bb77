//! Checks on the chapters' markdown, read with pulldown-cmark and the options mdBook 0.5 turns on
//! (mdbook-markdown's `new_cmark_parser`, with its defaults, which book.toml keeps), so that a
//! link, an image or a code block is what mdBook will see:
//!
//! - every image points at a file that exists;
//! - no ```rust block holds pasted code: only `{{#include}}` / `{{#rustdoc_include}}` lines, so
//!   every line of Rust in the book is compiled and tested somewhere (a block whose fence info has
//!   the word `pseudocode` is exempt: it is not meant to compile);
//! - every internal link resolves: to a chapter that exists and that SUMMARY.md lists (mdBook
//!   renders no other), and to a heading of that chapter if it names one with `#fragment`.

use crate::anchors::{self, Problem};
use crate::cmd;
use crate::figures::missing;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::collections::HashSet;
use std::path::{Component, Path, PathBuf};

/// The parser options of mdBook 0.5 with its default `[output.html]` settings
/// (smart punctuation, definition lists and admonitions on).
fn parser(text: &str) -> Parser<'_> {
    let options = Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_TASKLISTS
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_DEFINITION_LIST
        | Options::ENABLE_GFM;
    Parser::new_ext(text, options)
}

/// 1-based line of `offset` in `text`.
fn line_at(text: &str, offset: usize) -> usize {
    text[..offset.min(text.len())].matches('\n').count() + 1
}

/// A link or image destination that leaves the book: `https:`, `mailto:`, `data:`, `//host`.
/// mdBook's own test is the same scheme pattern, `^[a-z][a-z0-9+.-]*:`.
fn is_external(url: &str) -> bool {
    if url.starts_with("//") {
        return true;
    }
    let Some((scheme, _)) = url.split_once(':') else { return false };
    let mut chars = scheme.chars();
    chars.next().is_some_and(|c| c.is_ascii_lowercase())
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+.-".contains(c))
}

/// `%20` and friends, as a browser decodes a relative URL's path into a file name.
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%'
            && let (Some(high), Some(low)) =
                (bytes.get(i + 1).and_then(|b| hex(*b)), bytes.get(i + 2).and_then(|b| hex(*b)))
        {
            out.push((high * 16 + low) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `a/./b/../c` as `a/c`, without touching the file system; `None` if it climbs above its root.
fn normalize(path: &Path) -> Option<PathBuf> {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    return None;
                }
            }
            other => out.push(other),
        }
    }
    Some(out)
}

/// Where a relative URL written in `chapter` (a path relative to the book's `src`) points,
/// relative to `src`; `None` if it leaves `src`. A leading `/` starts from `src` itself.
fn resolve(chapter: &Path, url_path: &str) -> Option<PathBuf> {
    let decoded = percent_decode(url_path);
    let joined = match decoded.strip_prefix('/') {
        Some(rooted) => PathBuf::from(rooted),
        None => chapter.parent().unwrap_or(Path::new("")).join(decoded),
    };
    normalize(&joined)
}

/// The id mdBook 0.5 gives a heading with this text (mdbook-html's `id_from_content`):
/// lowercase; whitespace becomes `-`; only alphanumerics, `-` and `_` are kept.
pub fn id_from_content(content: &str) -> String {
    content
        .trim()
        .to_lowercase()
        .chars()
        .filter_map(|c| {
            if c.is_alphanumeric() || c == '_' || c == '-' {
                Some(c)
            } else if c.is_whitespace() {
                Some('-')
            } else {
                None
            }
        })
        .collect()
}

/// Every id a link can land on in a chapter: its headings' (and definition terms') ids as mdBook
/// makes them, numbered `-1`, `-2`... when repeated, explicit `{#id}` attributes, and `id="..."`
/// in raw HTML.
pub fn ids(text: &str) -> HashSet<String> {
    let mut used = HashSet::new();
    let mut heading: Option<String> = None;
    for event in parser(text) {
        match event {
            Event::Start(Tag::Heading { id: Some(id), .. }) => {
                used.insert(id.to_string());
            }
            Event::Start(Tag::Heading { id: None, .. } | Tag::DefinitionListTitle) => {
                heading = Some(String::new());
            }
            Event::End(TagEnd::Heading(_) | TagEnd::DefinitionListTitle) => {
                if let Some(content) = heading.take() {
                    let id = id_from_content(&content);
                    let mut unique = id.clone();
                    let mut counter = 1;
                    while !used.insert(unique.clone()) {
                        unique = format!("{id}-{counter}");
                        counter += 1;
                    }
                }
            }
            Event::Text(text) | Event::Code(text) => {
                if let Some(content) = heading.as_mut() {
                    content.push_str(&text);
                }
            }
            Event::Html(html) | Event::InlineHtml(html) => used.extend(html_ids(&html)),
            _ => {}
        }
    }
    used
}

/// The values of `id="..."` attributes in a piece of raw HTML.
fn html_ids(html: &str) -> Vec<String> {
    let mut found = Vec::new();
    for (at, _) in html.match_indices("id=") {
        let before = html[..at].chars().next_back();
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let rest = &html[at + 3..];
        let Some(quote) = rest.chars().next().filter(|c| *c == '"' || *c == '\'') else {
            continue;
        };
        if let Some(end) = rest[1..].find(quote) {
            found.push(rest[1..1 + end].to_string());
        }
    }
    found
}

/// A link or image in a chapter.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub line: usize,
    pub url: String,
    pub image: bool,
}

/// Every link and image destination in `text`, in order.
pub fn targets(text: &str) -> Vec<Target> {
    let mut found = Vec::new();
    for (event, range) in parser(text).into_offset_iter() {
        let (url, image) = match event {
            Event::Start(Tag::Link { dest_url, .. }) => (dest_url, false),
            Event::Start(Tag::Image { dest_url, .. }) => (dest_url, true),
            _ => continue,
        };
        found.push(Target { line: line_at(text, range.start), url: url.to_string(), image });
    }
    found
}

/// A fenced code block: its fence's line, its info string, and its lines with their numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct CodeBlock {
    pub line: usize,
    pub info: String,
    pub lines: Vec<(usize, String)>,
}

/// Every fenced code block in `text`.
pub fn code_blocks(text: &str) -> Vec<CodeBlock> {
    let mut blocks = Vec::new();
    let mut open: Option<(CodeBlock, String)> = None;
    for (event, range) in parser(text).into_offset_iter() {
        match event {
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => {
                let line = line_at(text, range.start);
                let block = CodeBlock { line, info: info.to_string(), lines: Vec::new() };
                open = Some((block, String::new()));
            }
            Event::Text(code) => {
                if let Some((_, content)) = open.as_mut() {
                    content.push_str(&code);
                }
            }
            Event::End(TagEnd::CodeBlock) => {
                if let Some((mut block, content)) = open.take() {
                    block.lines = content
                        .lines()
                        .enumerate()
                        .map(|(i, line)| (block.line + 1 + i, line.to_string()))
                        .collect();
                    blocks.push(block);
                }
            }
            _ => {}
        }
    }
    blocks
}

/// Whether a fence's info string marks Rust: it starts with `rust` (`rust`, `rust,ignore`...).
fn is_rust(info: &str) -> bool {
    info.trim_start().starts_with("rust")
}

/// Whether the info string has the word `pseudocode` (`rust,ignore,pseudocode`).
fn is_pseudocode(info: &str) -> bool {
    info.split(|c: char| c == ',' || c.is_whitespace()).any(|word| word == "pseudocode")
}

/// Whether a line of a Rust block is allowed: blank, or one include link and nothing else.
fn is_include_line(line: &str) -> bool {
    let line = line.trim();
    if line.is_empty() {
        return true;
    }
    matches!(anchors::find_includes(line).as_slice(), [include] if include.link == line)
}

/// Rust blocks of `text` with pasted code: one problem per block, at its fence.
pub fn check_pasted_code(md: &Path, text: &str) -> Vec<Problem> {
    code_blocks(text)
        .into_iter()
        .filter(|block| is_rust(&block.info) && !is_pseudocode(&block.info))
        .filter_map(|block| {
            let (line, pasted) = block.lines.iter().find(|(_, line)| !is_include_line(line))?;
            let count = block.lines.iter().filter(|(_, l)| !is_include_line(l)).count();
            Some(Problem {
                file: md.to_path_buf(),
                line: block.line,
                message: format!(
                    "```{} block with pasted code ({count} line{}, the first at line {line}: \
                     `{}`): include it from a compiled source with {{{{#include}}}}, or add \
                     `pseudocode` to the fence if it is not meant to compile",
                    block.info,
                    if count == 1 { "" } else { "s" },
                    pasted.trim()
                ),
            })
        })
        .collect()
}

/// The book's chapters, read once: every markdown file under `src` by its path relative to
/// `src`, and the chapters SUMMARY.md lists.
#[derive(Debug, Default)]
pub struct Book {
    pub src: PathBuf,
    pub files: Vec<(PathBuf, String)>,
    pub summary: HashSet<PathBuf>,
}

impl Book {
    pub fn load(src: &Path) -> std::io::Result<Self> {
        let mut paths = Vec::new();
        anchors::markdown_files(src, &mut paths)?;
        paths.sort();
        let mut files = Vec::new();
        for path in paths {
            let text = std::fs::read_to_string(&path)?;
            let relative = path.strip_prefix(src).unwrap_or(&path).to_path_buf();
            files.push((relative, text));
        }
        Ok(Self::new(src, files))
    }

    pub fn new(src: &Path, files: Vec<(PathBuf, String)>) -> Self {
        let summary_path = Path::new("SUMMARY.md");
        let summary = files
            .iter()
            .find(|(path, _)| path == summary_path)
            .map(|(_, text)| {
                targets(text)
                    .into_iter()
                    .filter(|t| !t.url.is_empty() && !is_external(&t.url))
                    .filter_map(|t| resolve(summary_path, t.url.split('#').next().unwrap_or("")))
                    .collect()
            })
            .unwrap_or_default();
        Self { src: src.to_path_buf(), files, summary }
    }

    fn text(&self, path: &Path) -> Option<&str> {
        self.files.iter().find(|(p, _)| p == path).map(|(_, text)| text.as_str())
    }

    fn problem(&self, chapter: &Path, line: usize, message: String) -> Problem {
        Problem { file: self.src.join(chapter), line, message }
    }

    /// Images that point at nothing.
    pub fn check_images(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for (chapter, text) in &self.files {
            for target in targets(text).into_iter().filter(|t| t.image && !is_external(&t.url)) {
                let path = target.url.split(['#', '?']).next().unwrap_or("");
                let message = match resolve(chapter, path) {
                    None => Some("points outside book/src, which the built book lacks".into()),
                    Some(file) if self.src.join(&file).is_file() => None,
                    Some(file) => Some(missing(&self.src.join(file))),
                };
                if let Some(message) = message {
                    let message = format!("image `{}`: {message}", target.url);
                    problems.push(self.problem(chapter, target.line, message));
                }
            }
        }
        problems
    }

    /// Rust blocks with pasted code, in every file.
    pub fn check_pasted_code(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for (chapter, text) in &self.files {
            problems.extend(check_pasted_code(&self.src.join(chapter), text));
        }
        problems
    }

    /// Links to chapters, files or headings that are not there.
    pub fn check_links(&self) -> Vec<Problem> {
        let mut problems = Vec::new();
        for (chapter, text) in &self.files {
            for target in targets(text).into_iter().filter(|t| !t.image) {
                if target.url.is_empty() || is_external(&target.url) {
                    continue;
                }
                if let Some(message) = self.link_problem(chapter, &target.url) {
                    let message = format!("link `{}`: {message}", target.url);
                    problems.push(self.problem(chapter, target.line, message));
                }
            }
        }
        problems
    }

    fn link_problem(&self, chapter: &Path, url: &str) -> Option<String> {
        let (path, fragment) = match url.split_once('#') {
            Some((path, fragment)) => (path.split('?').next().unwrap_or(""), Some(fragment)),
            None => (url.split('?').next().unwrap_or(""), None),
        };
        let target = if path.is_empty() {
            chapter.to_path_buf()
        } else {
            let Some(target) = resolve(chapter, path) else {
                return Some("points outside book/src, which the built book lacks".into());
            };
            target
        };
        let is_chapter = target.extension().is_some_and(|ext| ext == "md");
        if !is_chapter {
            // A rendered page by its output name, or a file mdBook copies as it is.
            let as_chapter = target.with_extension("md");
            let rendered = target.extension().is_some_and(|ext| ext == "html")
                && self.text(&as_chapter).is_some();
            return (!rendered && !self.src.join(&target).exists())
                .then(|| missing(&self.src.join(&target)));
        }
        let Some(text) = self.text(&target) else {
            return Some(missing(&self.src.join(&target)));
        };
        if !path.is_empty() && target != Path::new("SUMMARY.md") && !self.summary.contains(&target)
        {
            return Some(format!(
                "{} is not in SUMMARY.md, so mdBook does not render it",
                cmd::shown(&self.src.join(&target))
            ));
        }
        let fragment = percent_decode(fragment?);
        if fragment.is_empty() || ids(text).contains(&fragment) {
            return None;
        }
        let mut known: Vec<String> = ids(text).into_iter().collect();
        known.sort();
        Some(format!(
            "no heading in {} has the id `{fragment}` (its ids: {})",
            cmd::shown(&self.src.join(&target)),
            known.join(", ")
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_follow_mdbook() {
        // mdbook-html's own cases for id_from_content.
        assert_eq!(
            id_from_content("`--passes`: add more rustdoc passes"),
            "--passes-add-more-rustdoc-passes"
        );
        assert_eq!(
            id_from_content("Method-call 🐙 expressions \u{1f47c}"),
            "method-call--expressions-"
        );
        assert_eq!(id_from_content("_-_12345"), "_-_12345");
        assert_eq!(id_from_content("Über"), "über");
        assert_eq!(id_from_content("中文標題 CJK title"), "中文標題-cjk-title");
    }

    #[test]
    fn collects_the_ids_a_chapter_has() {
        let text = "# Lesson 01: the frozen window\n\n## What `sleep` does\n\n## Notes\n\n\
                    ## Notes\n\nSetext heading\n--------------\n\n## Custom {#my-id}\n\n\
                    ## Don't \"quote\" -- me\n\n<a id=\"raw\"></a>\n\n```text\n# not a heading\n```\n\n\
                    Term\n: its definition\n";
        let ids = ids(text);
        for id in [
            "lesson-01-the-frozen-window",
            "what-sleep-does",
            "notes",
            "notes-1",
            "setext-heading",
            "my-id",
            "dont-quote--me",
            "raw",
            "term",
        ] {
            assert!(ids.contains(id), "{id} in {ids:?}");
        }
        assert!(!ids.contains("not-a-heading"));
        assert!(!ids.contains("custom"));
    }

    #[test]
    fn finds_links_and_images_with_their_lines() {
        let text = "See [one](a.md#x) and\n![pic](images/p.png \"title\")\n\n[ref]: b.md\n\n\
                    A [reference][ref].\n\n```md\n[not](a link)\n```\n";
        let targets = targets(text);
        let found: Vec<(usize, &str, bool)> =
            targets.iter().map(|t| (t.line, t.url.as_str(), t.image)).collect();
        assert_eq!(found, [(1, "a.md#x", false), (2, "images/p.png", true), (6, "b.md", false)]);
    }

    #[test]
    fn external_urls_are_left_alone() {
        for url in ["https://docs.rs", "http://x", "mailto:a@b", "data:image/png;base64,x", "//cdn"]
        {
            assert!(is_external(url), "{url}");
        }
        for url in ["a.md", "../b.md#c", "#frag", "images/x.png", "C:/x", "Lesson:1.md"] {
            let external = is_external(url);
            assert!(!external || url == "C:/x", "{url}");
        }
    }

    #[test]
    fn resolves_relative_to_the_chapter() {
        let chapter = Path::new("part/chapter.md");
        assert_eq!(resolve(chapter, "other.md"), Some("part/other.md".into()));
        assert_eq!(resolve(chapter, "../images/a%20b.png"), Some("images/a b.png".into()));
        assert_eq!(resolve(chapter, "/intro.md"), Some("intro.md".into()));
        assert_eq!(resolve(chapter, "../../outside.md"), None);
        assert_eq!(resolve(Path::new("SUMMARY.md"), "./a.md"), Some("a.md".into()));
    }

    #[test]
    fn rust_blocks_may_only_include() {
        let text = "```rust,ignore\n{{#include ../a.rs:work}}\n\n  {{#rustdoc_include b.rs}}\n```\n\n\
                    ```rust\nfn pasted() {}\n{{#include a.rs}}\nlet x = 1;\n```\n\n\
                    ```rust,ignore,pseudocode\nloop { work() }\n```\n\n\
                    ```text\nfn fine_here() {}\n```\n\n\
                    - a list\n\n  ```rust ignore\n  {{#include a.rs}} trailing\n  ```\n\n\
                    ```rust\n\\{{#include escaped.rs}}\n```\n\n    fn indented_is_no_fence() {}\n";
        let problems = check_pasted_code(Path::new("c.md"), text);
        let found: Vec<usize> = problems.iter().map(|p| p.line).collect();
        assert_eq!(found, [7, 23, 27], "{problems:#?}");
        assert!(
            problems[0].message.starts_with(
                "```rust block with pasted code (2 lines, the first at line 8: `fn pasted() {}`)"
            ),
            "{}",
            problems[0].message
        );
        assert!(problems[1].message.contains("`{{#include a.rs}} trailing`"));
        assert!(problems[0].message.contains("{{#include}}"), "{}", problems[0].message);
        assert!(is_pseudocode("rust, ignore pseudocode"));
        assert!(!is_pseudocode("rust,pseudocodes"));
    }

    fn book(files: &[(&str, &str)]) -> Book {
        Book::new(
            Path::new("/nonexistent/src"),
            files.iter().map(|(p, t)| (PathBuf::from(p), t.to_string())).collect(),
        )
    }

    #[test]
    fn links_must_land_on_a_listed_chapter_and_a_heading() {
        let book = book(&[
            ("SUMMARY.md", "# Summary\n\n[Intro](intro.md)\n- [One](part/one.md)\n- [Draft]()\n"),
            (
                "intro.md",
                "# Intro\n\n## The one rule\n\nSee [one](part/one.md#setup) and [up](#the-one-rule).\n",
            ),
            (
                "part/one.md",
                "# One\n\n## Setup\n\n[ok](../intro.md#the-one-rule) [bad](../intro.md#the-rule) \
                 [gone](two.md) [self](#nope) [unlisted](../extra.md) [web](https://x.y/#z)\n\
                 [out](../../x.md) [page](../intro.html) [raw](#)\n",
            ),
            ("extra.md", "# Extra\n"),
        ]);
        let problems = book.check_links();
        let found: Vec<(String, usize, String)> = problems
            .iter()
            .map(|p| (p.file.display().to_string(), p.line, p.message.clone()))
            .collect();
        assert_eq!(found.len(), 5, "{found:#?}");
        assert!(found[0].2.starts_with("link `../intro.md#the-rule`: no heading in"), "{found:#?}");
        assert!(found[0].2.contains("has the id `the-rule` (its ids: intro, the-one-rule)"));
        assert_eq!(found[0].0, "/nonexistent/src/part/one.md");
        assert_eq!(found[0].1, 5);
        assert!(
            found[1].2.starts_with("link `two.md`: /nonexistent/src/part/two.md does not exist")
        );
        assert!(found[2].2.starts_with("link `#nope`: no heading"));
        assert!(found[3].2.contains("extra.md is not in SUMMARY.md"));
        assert!(found[4].2.contains("outside book/src"));
        assert_eq!(found[4].1, 6);
    }

    #[test]
    fn images_must_exist() {
        let dir = std::env::temp_dir().join(format!("xtask-images-{}", std::process::id()));
        std::fs::create_dir_all(dir.join("images")).unwrap();
        std::fs::write(dir.join("images/there.png"), "png").unwrap();
        let book = Book::new(
            &dir,
            vec![(
                "c.md".into(),
                "![a](images/there.png) ![b](images/gone.png)\n\n![c](generated/lesson-99-x-heartbeat.svg)\n\
                 ![d](https://example.org/x.png)\n"
                    .into(),
            )],
        );
        let problems = book.check_images();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(problems.len(), 2, "{problems:#?}");
        assert!(problems[0].message.starts_with("image `images/gone.png`: "));
        assert!(problems[0].message.ends_with("images/gone.png does not exist"));
        assert_eq!(problems[1].line, 3);
        assert!(
            problems[1].message.contains("run `cargo xtask measure`"),
            "{}",
            problems[1].message
        );
    }
}
