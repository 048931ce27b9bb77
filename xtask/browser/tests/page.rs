//! The checks on a small book that mdBook builds here: they pass where the book is right, and
//! each of them fails, naming the page, where a reader would stumble. Needs what `cargo xtask
//! setup` installs (mdBook, Chromium, chromedriver); without them the test fails and says so.

use std::path::{Path, PathBuf};
use std::process::Command;
use xtask_browser::{Chapter, Plan, check};

const PAGES: [(&str, &str, &str); 3] = [
    ("intro", "Introduction", "# Introduction\n\nStart here.\n"),
    (
        "lesson-01-pool",
        "Lesson 01: the pool",
        "# Lesson 01: the pool\n\nA ThreadPool runs the jobs. ThreadPool again.\n\n\
         ![a square](square.svg)\n",
    ),
    (
        "other",
        "Other",
        "# Other\n\n![gone](gone.png)\n\n<script>console.error(\"boom\")</script>\n",
    ),
];

fn mdbook() -> PathBuf {
    let home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| Path::new(&home).join(".cargo")));
    let installed = home.map(|home| home.join("bin/mdbook")).filter(|path| path.is_file());
    installed.unwrap_or_else(|| "mdbook".into())
}

/// The book of [`PAGES`], built; the directory goes when the value is dropped.
fn build() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("src");
    std::fs::create_dir(&src).unwrap();
    std::fs::write(dir.path().join("book.toml"), "[book]\ntitle = \"Fixture\"\n").unwrap();
    let mut summary = String::from("# Summary\n\n");
    for (i, (name, title, text)) in PAGES.iter().enumerate() {
        let item = if i == 0 { "" } else { "- " };
        summary.push_str(&format!("{item}[{title}]({name}.md)\n"));
        std::fs::write(src.join(format!("{name}.md")), text).unwrap();
    }
    std::fs::write(src.join("SUMMARY.md"), summary).unwrap();
    std::fs::write(
        src.join("square.svg"),
        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"20\" height=\"20\"><rect \
         width=\"20\" height=\"20\"/></svg>",
    )
    .unwrap();
    #[expect(
        clippy::disallowed_methods,
        reason = "a test waits for mdbook to build its book; no main loop"
    )]
    let status = Command::new(mdbook()).arg("build").arg(dir.path()).status();
    assert!(
        status.as_ref().is_ok_and(|s| s.success()),
        "mdbook build failed ({status:?}): run `cargo xtask setup`"
    );
    dir
}

fn plan(book: &Path) -> Plan {
    let chapters = PAGES
        .iter()
        .map(|(name, title, _)| Chapter { path: format!("{name}.html"), title: title.to_string() })
        .collect();
    Plan {
        site: book.join("book"),
        shots: book.join("shots"),
        chapters,
        lessons: vec!["lesson-01-pool.html".into()],
        search: "ThreadPool".into(),
    }
}

fn run(plan: &Plan) -> Vec<String> {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    #[expect(clippy::disallowed_methods, reason = "a test thread: no main loop to freeze")]
    let problems = runtime.block_on(check(plan)).expect("the check could run");
    eprintln!("{problems:#?}");
    problems
}

fn has(problems: &[String], part: &str) -> bool {
    problems.iter().any(|problem| problem.contains(part))
}

/// One test, so that two Chromiums do not share two cores with the other tests.
#[test]
fn the_checks_pass_on_a_right_book_and_name_what_is_wrong() {
    let book = build();
    let good = plan(book.path());
    let problems = run(&good);
    // Only the broken page is reported: the image that is not there, the error it logs.
    assert!(has(&problems, "other.html: the image gone.png did not load"));
    assert!(has(&problems, "other.html: console error: ") && has(&problems, "\"boom\""));
    assert!(has(&problems, "the page asked for /gone.png: 404"));
    assert!(problems.iter().all(|p| p.contains("other.html") || p.contains("gone.png")));
    assert!(book.path().join("shots/lesson-01-pool.png").is_file());

    // SUMMARY.md lists a chapter the book lacks, and the search leads to no lesson.
    let mut wrong = good.clone();
    wrong.chapters.push(Chapter { path: "missing.html".into(), title: "Missing".into() });
    wrong.lessons.clear();
    let problems = run(&wrong);
    assert!(has(&problems, "the sidebar does not list \"Missing\" (missing.html)"));
    assert!(has(&problems, "ends at other.html, not at the last chapter, missing.html"));
    assert!(has(&problems, "leads to lesson-01-pool.html, not to a lesson chapter"));
    assert!(has(&problems, "the page asked for /missing.html: 404"));

    let mut unknown = good;
    unknown.search = "Zyzzyva".into();
    assert!(has(&run(&unknown), "searching for \"Zyzzyva\" finds nothing"));
}
