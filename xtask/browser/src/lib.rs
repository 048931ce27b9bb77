//! The built book in headless Chromium, driven through chromedriver (WebDriver) the way a reader
//! uses it, with every assertion made on the page itself:
//!
//! - the sidebar lists every chapter of SUMMARY.md, in its order, under its title;
//! - the search box finds a word, and its first result leads to a lesson chapter;
//! - every image of every chapter has loaded (`naturalWidth > 0`);
//! - following "next chapter" from the first page reaches the last one, through every chapter;
//! - no page logs a console error (read from chromedriver's log endpoint, which
//!   `goog:loggingPrefs` turns on), and the server answered no request with an error.
//!
//! The book is served over HTTP on 127.0.0.1, since `file://` has other rules for scripts (the
//! search index is loaded by one). Screenshots of every page go to the plan's `shots` directory.

mod serve;

use std::path::PathBuf;
use std::time::Duration;
use thirtyfour::prelude::*;
use thirtyfour::{ChromiumLikeCapabilities, LoggingPrefsLogLevel};

/// What to check, and against what.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The built book (mdBook's output directory).
    pub site: PathBuf,
    pub shots: PathBuf,
    /// SUMMARY.md's chapters in order, as the sidebar should list them.
    pub chapters: Vec<Chapter>,
    /// The pages of the lesson chapters (`lesson-01-blocking.html`).
    pub lessons: Vec<String>,
    /// The word to search for.
    pub search: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Chapter {
    /// The page, relative to the book's root: `lesson-01-blocking.html`.
    pub path: String,
    pub title: String,
}

/// Without these, Chromium on a server tries to reach the network (and waits for it), or fails
/// for want of a sandbox, a GPU or a large /dev/shm.
const CHROMIUM_ARGS: [&str; 9] = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1280,900",
];

/// How long an element the page makes (a search result, the searchbar) may take to appear.
const APPEAR: Duration = Duration::from_secs(10);
const POLL: Duration = Duration::from_millis(100);

/// Every problem a reader would meet, one line each; `Err` if the check itself could not run.
pub async fn check(plan: &Plan) -> Result<Vec<String>, String> {
    fn failed(what: &str) -> impl Fn(std::io::Error) -> String + '_ {
        move |e| format!("cannot {what}: {e}")
    }
    std::fs::create_dir_all(&plan.shots).map_err(failed("create the screenshots' directory"))?;
    let profile = tempfile::Builder::new()
        .prefix("xtask-chromium-")
        .tempdir()
        .map_err(failed("create a Chromium profile"))?;
    let server = serve::start(&plan.site).await.map_err(failed("serve the book"))?;
    let (_chromedriver, url) = chromedriver().await?;

    let mut caps = DesiredCapabilities::chrome();
    let profile_arg = format!("--user-data-dir={}", profile.path().display());
    for arg in CHROMIUM_ARGS.iter().copied().chain([profile_arg.as_str()]) {
        caps.add_arg(arg).map_err(|e| e.to_string())?;
    }
    caps.set_browser_log_level(LoggingPrefsLogLevel::All).map_err(|e| e.to_string())?;
    let driver = WebDriver::new(url, caps)
        .await
        .map_err(|e| format!("chromedriver could not start Chromium: {e}"))?;

    let mut page = Page { driver: &driver, base: &server.url, plan, problems: Vec::new() };
    let outcome = page.all().await;
    let mut problems = page.problems;
    // The browser goes whatever happened, or its processes would outlive the check.
    let _ = driver.quit().await;
    outcome.map_err(|e| format!("the browser check stopped: {e}"))?;
    problems.extend(server.failed_requests());
    // Pages are opened more than once (for their images, then on the way through "next").
    let mut seen = std::collections::HashSet::new();
    problems.retain(|problem| seen.insert(problem.clone()));
    Ok(problems)
}

/// chromedriver on a free port of 127.0.0.1, once it accepts connections; killed when dropped.
async fn chromedriver() -> Result<(tokio::process::Child, String), String> {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map_err(|e| format!("no free port on 127.0.0.1: {e}"))?
        .port();
    let child = tokio::process::Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(std::process::Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot start chromedriver ({e}): run `cargo xtask setup`"))?;
    let ready = async {
        while tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_err() {
            tokio::time::sleep(POLL).await;
        }
    };
    tokio::time::timeout(APPEAR, ready)
        .await
        .map_err(|_| format!("chromedriver did not listen on port {port} within {APPEAR:?}"))?;
    Ok((child, format!("http://127.0.0.1:{port}")))
}

struct Page<'a> {
    driver: &'a WebDriver,
    base: &'a str,
    plan: &'a Plan,
    problems: Vec<String>,
}

impl Page<'_> {
    async fn all(&mut self) -> WebDriverResult<()> {
        self.sidebar().await?;
        self.search().await?;
        for chapter in &self.plan.chapters {
            self.images(&chapter.path).await?;
        }
        self.next_chapters().await
    }

    /// Opens `path` and reports the console errors of the page it left.
    async fn open(&mut self, path: &str) -> WebDriverResult<()> {
        self.console().await?;
        self.driver.goto(format!("{}/{path}", self.base)).await?;
        self.console().await
    }

    /// The console errors logged since the last look, with the page they were logged on.
    async fn console(&mut self) -> WebDriverResult<()> {
        let page = self.path().await?;
        for entry in self.driver.browser_log().await? {
            if entry.level == "SEVERE" {
                let message = entry.message.replace(&format!("{}/", self.base), "");
                self.problems.push(format!("{page}: console error: {message}"));
            }
        }
        Ok(())
    }

    /// The current page's path, without the query and fragment that search results add.
    async fn path(&self) -> WebDriverResult<String> {
        let url = self.driver.current_url().await?;
        Ok(url.path().trim_start_matches('/').to_string())
    }

    async fn shoot(&self, name: &str) -> WebDriverResult<()> {
        let name = name.trim_end_matches(".html").replace('/', "-");
        self.driver.screenshot(&self.plan.shots.join(format!("{name}.png"))).await
    }

    async fn sidebar(&mut self) -> WebDriverResult<()> {
        self.open("index.html").await?;
        self.driver.query(By::Css("#mdbook-sidebar a")).wait(APPEAR, POLL).first().await?;
        // The numbering ("2.") is a <strong> of its own; the title is the rest. Links to `#...`
        // are the current page's headings, which mdBook 0.5 lists under its chapter.
        let found = self
            .driver
            .execute(
                "return Array.from(document.querySelectorAll('#mdbook-sidebar a'))\
                 .filter(a => !(a.getAttribute('href') || '#').startsWith('#')).map(a => \
                 [a.getAttribute('href'), Array.from(a.childNodes).filter(n => \
                 n.nodeName !== 'STRONG').map(n => n.textContent).join('').trim()]);",
                Vec::new(),
            )
            .await?
            .convert::<Vec<(String, String)>>()?;
        let found: Vec<Chapter> =
            found.into_iter().map(|(path, title)| Chapter { path, title }).collect();
        self.problems.extend(compare_sidebar(&self.plan.chapters, &found));
        self.shoot("index").await
    }

    async fn search(&mut self) -> WebDriverResult<()> {
        self.open("index.html").await?;
        self.driver.find(By::Id("mdbook-search-toggle")).await?.click().await?;
        let bar = self.driver.query(By::Id("mdbook-searchbar")).and_displayed().wait(APPEAR, POLL);
        bar.first().await?.send_keys(&self.plan.search).await?;
        let word = &self.plan.search;
        let results = self.driver.query(By::Css("#mdbook-searchresults li a")).wait(APPEAR, POLL);
        let Ok(first) = results.first().await else {
            self.problems.push(format!("searching for {word:?} finds nothing"));
            return self.shoot("search").await;
        };
        self.shoot("search").await?;
        first.click().await?;
        let landed = self.left("index.html").await?;
        if !self.plan.lessons.contains(&landed) {
            self.problems.push(format!(
                "the first result of searching for {word:?} leads to {landed}, not to a lesson \
                 chapter"
            ));
        }
        Ok(())
    }

    /// The page the browser is on once it has left `from` (a click's navigation may still be
    /// under way when the click returns).
    async fn left(&self, from: &str) -> WebDriverResult<String> {
        let mut path = self.path().await?;
        for _ in 0..(APPEAR.as_millis() / POLL.as_millis()) {
            if path != from {
                break;
            }
            tokio::time::sleep(POLL).await;
            path = self.path().await?;
        }
        Ok(path)
    }

    async fn images(&mut self, path: &str) -> WebDriverResult<()> {
        self.open(path).await?;
        // Loading is over when the page's load event has fired, which goto waits for.
        let images = self
            .driver
            .execute(
                "return Array.from(document.images).map(i => [i.getAttribute('src'), \
                 i.complete && i.naturalWidth > 0]);",
                Vec::new(),
            )
            .await?
            .convert::<Vec<(String, bool)>>()?;
        for (src, _) in images.iter().filter(|(_, loaded)| !loaded) {
            self.problems.push(format!("{path}: the image {src} did not load"));
        }
        self.shoot(path).await
    }

    async fn next_chapters(&mut self) -> WebDriverResult<()> {
        self.open("index.html").await?;
        // The index is the first chapter under another name.
        let mut visited: Vec<String> =
            self.plan.chapters.iter().take(1).map(|c| c.path.clone()).collect();
        let mut here = "index.html".to_string();
        // One step more than there are chapters, so that a loop cannot go on forever.
        for _ in 0..=self.plan.chapters.len() {
            let mut next = None;
            for link in self.driver.find_all(By::Css("a[rel~='next']")).await? {
                if link.is_displayed().await? {
                    next = Some(link);
                    break;
                }
            }
            let Some(next) = next else { break };
            next.click().await?;
            here = self.left(&here).await?;
            self.console().await?;
            visited.push(here.clone());
        }
        let expected: Vec<String> = self.plan.chapters.iter().map(|c| c.path.clone()).collect();
        self.problems.extend(compare_path(&expected, &visited));
        Ok(())
    }
}

/// What differs between the chapters SUMMARY.md lists and those the sidebar shows.
pub fn compare_sidebar(expected: &[Chapter], found: &[Chapter]) -> Vec<String> {
    let show = |c: &Chapter| format!("\"{}\" ({})", c.title, c.path);
    let mut problems: Vec<String> = expected
        .iter()
        .filter(|c| !found.contains(c))
        .map(|c| format!("the sidebar does not list {}", show(c)))
        .collect();
    problems.extend(
        found
            .iter()
            .filter(|c| !expected.contains(c))
            .map(|c| format!("the sidebar lists {}, which SUMMARY.md does not", show(c))),
    );
    if problems.is_empty() && expected != found {
        let order: Vec<String> = found.iter().map(show).collect();
        problems
            .push(format!("the sidebar lists the chapters in another order: {}", order.join(", ")));
    }
    problems
}

/// What is wrong with the pages "next chapter" led through, against SUMMARY.md's order.
pub fn compare_path(expected: &[String], visited: &[String]) -> Vec<String> {
    if expected == visited {
        return Vec::new();
    }
    let (last, reached) = (expected.last(), visited.last());
    let what = if last == reached {
        "reaches the last chapter, through another path".to_string()
    } else {
        let reached = reached.map_or("nowhere", String::as_str);
        format!("ends at {reached}, not at the last chapter, {}", last.map_or("-", String::as_str))
    };
    vec![format!("following \"next chapter\" from the first page {what}: {}", visited.join(" -> "))]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chapters(names: &[&str]) -> Vec<Chapter> {
        names
            .iter()
            .map(|n| Chapter { path: format!("{n}.html"), title: n.to_uppercase() })
            .collect()
    }

    #[test]
    fn the_sidebar_must_list_summarys_chapters_in_order() {
        let expected = chapters(&["a", "b", "c"]);
        assert!(compare_sidebar(&expected, &expected).is_empty());
        assert_eq!(
            compare_sidebar(&expected, &chapters(&["a", "c", "x"])),
            [
                "the sidebar does not list \"B\" (b.html)",
                "the sidebar lists \"X\" (x.html), which SUMMARY.md does not"
            ]
        );
        let swapped = compare_sidebar(&expected, &chapters(&["b", "a", "c"]));
        assert_eq!(swapped.len(), 1);
        assert!(swapped[0].contains("another order: \"B\" (b.html), \"A\""), "{swapped:?}");
    }

    #[test]
    fn next_chapter_must_lead_through_every_chapter_to_the_last() {
        let expected: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        assert!(compare_path(&expected, &expected).is_empty());
        let short = compare_path(&expected, &expected[..2]);
        assert_eq!(
            short,
            ["following \"next chapter\" from the first page ends at b, not at the last \
              chapter, c: a -> b"]
        );
        let skipped = compare_path(&expected, &["a".into(), "c".into()]);
        assert!(skipped[0].contains("through another path: a -> c"), "{skipped:?}");
    }
}
