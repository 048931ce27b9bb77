//! The chapters' markdown, read with pulldown-cmark and the options mdBook 0.5 turns on
//! (mdbook-markdown's `new_cmark_parser` with its defaults, which book.toml keeps), so that a
//! code block or a link is what mdBook will see: SUMMARY.md's chapters, and the check that no
//! ```rust block holds pasted code.

use super::Problem;
use crate::anchors;
use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
use std::path::Path;

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

/// A link or a fenced code block: where it starts, its destination or info string, its text.
struct Span {
    link: bool,
    line: usize,
    head: String,
    text: String,
}

fn spans(text: &str) -> Vec<Span> {
    let (mut spans, mut open) = (Vec::new(), None);
    for (event, range) in parser(text).into_offset_iter() {
        let line = text[..range.start].matches('\n').count() + 1;
        let (link, head) = match event {
            Event::Start(Tag::Link { dest_url, .. }) => (true, dest_url),
            Event::Start(Tag::CodeBlock(CodeBlockKind::Fenced(info))) => (false, info),
            Event::Text(part) | Event::Code(part) => {
                open.iter_mut().for_each(|span: &mut Span| span.text.push_str(&part));
                continue;
            }
            Event::End(TagEnd::Link | TagEnd::CodeBlock) => {
                spans.extend(open.take());
                continue;
            }
            _ => continue,
        };
        open = Some(Span { link, line, head: head.to_string(), text: String::new() });
    }
    spans
}

/// A chapter SUMMARY.md lists: its line there, its file (relative to `src`) and its title.
#[derive(Debug, Clone, PartialEq)]
pub struct Listed {
    pub line: usize,
    pub chapter: String,
    pub title: String,
}

/// SUMMARY.md's chapters in order; draft chapters (`[Title]()`), which mdBook renders as no page,
/// are left out.
pub fn summary(text: &str) -> Vec<Listed> {
    let links = spans(text).into_iter().filter(|span| span.link && !span.head.is_empty());
    links.map(|span| Listed { line: span.line, chapter: span.head, title: span.text }).collect()
}

/// Rust blocks of `text` whose lines are not all `{{#include}}` links (or blank): one problem
/// per block, at its fence. A block whose info string has the word `pseudocode` is exempt: it is
/// not meant to compile.
pub fn check_pasted_code(md: &Path, text: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    for Span { line, head: info, text, .. } in spans(text).into_iter().filter(|span| !span.link) {
        let pseudocode = info.split([',', ' ', '\t']).any(|word| word == "pseudocode");
        let pasted: Vec<(usize, &str)> =
            (line + 1..).zip(text.lines()).filter(|(_, code)| !is_include_line(code)).collect();
        let Some((first, code)) =
            pasted.first().filter(|_| info.starts_with("rust") && !pseudocode)
        else {
            continue;
        };
        let count = pasted.len();
        let message = format!(
            "```{info} block with pasted code ({count} line{}, the first at line {first}: `{}`): \
             include it from a compiled source with {{{{#include}}}}, or add `pseudocode` to the \
             fence if it is not meant to compile",
            if count == 1 { "" } else { "s" },
            code.trim()
        );
        problems.push(Problem { file: md.to_path_buf(), line, message });
    }
    problems
}

/// Blank, or one include link and nothing else.
fn is_include_line(line: &str) -> bool {
    let line = line.trim();
    line.is_empty()
        || matches!(anchors::find_includes(line).as_slice(), [include] if include.link == line)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    }

    #[test]
    fn reads_summarys_chapters_in_order() {
        let text = "# Summary\n\n[Intro](intro.md)\n\n- [How `x` works](how.md)\n  - [Draft]()\n\
                    \n---\n\n- [Lesson 01: the *frozen* window](lesson-01-blocking.md)\n";
        let listed = summary(text);
        let found: Vec<(usize, &str, &str)> =
            listed.iter().map(|l| (l.line, l.chapter.as_str(), l.title.as_str())).collect();
        assert_eq!(
            found,
            [
                (3, "intro.md", "Intro"),
                (5, "how.md", "How x works"),
                (10, "lesson-01-blocking.md", "Lesson 01: the frozen window"),
            ]
        );
    }
}
