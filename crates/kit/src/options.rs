//! The command line every lesson accepts. It is parsed here, before GTK is
//! initialised, and GTK is handed no options at all: `Application::run()` would
//! otherwise parse argv itself and reject ours with a message of its own.

use std::ffi::OsString;
use std::path::PathBuf;
use std::time::Duration;

/// What the user asked a lesson to do.
#[derive(Debug, Clone, PartialEq)]
pub struct Options {
    /// Run the scripted scenario, print one JSON report and exit.
    pub autopilot: bool,
    /// The length of the simulated work (each lesson says what "the work" is).
    pub work: Duration,
    /// Where to save the window as a PNG at the scenario's telling moment.
    pub screenshot: Option<PathBuf>,
}

/// The outcome of parsing: either options to run with, or text to print before
/// exiting 0.
#[derive(Debug, PartialEq)]
pub enum Parsed {
    Run(Options),
    Help(String),
}

/// The bounds `--work-ms` accepts: below 20 ms no lesson can split its work
/// into chunks, above ten minutes nobody is watching any more.
pub const WORK_MS_RANGE: std::ops::RangeInclusive<u64> = 20..=600_000;

/// What a lesson tells `--help` about itself.
#[derive(Debug, Clone, Copy)]
pub struct About {
    pub id: &'static str,
    pub title: &'static str,
    pub summary: &'static str,
    pub default_work: Duration,
}

impl About {
    pub fn help(&self) -> String {
        format!(
            "{title}\n\n{summary}\n\n\
             Usage: {id} [OPTIONS]\n\n\
             Options:\n  \
             --autopilot        run the lesson's scripted scenario, print one JSON report as the\n                     \
             last line of stdout, and exit\n  \
             --work-ms N        length of the simulated work in milliseconds ({min} to {max};\n                     \
             default {default})\n  \
             --screenshot FILE  with --autopilot: save the window as a PNG at the scenario's\n                     \
             telling moment\n  \
             -h, --help         print this help\n",
            title = self.title,
            summary = self.summary,
            id = self.id,
            min = WORK_MS_RANGE.start(),
            max = WORK_MS_RANGE.end(),
            default = self.default_work.as_millis(),
        )
    }
}

/// Parses the arguments after the program name. An error is one line, meant for
/// stderr.
pub fn parse(
    about: &About,
    args: impl IntoIterator<Item = OsString>,
) -> Result<Parsed, String> {
    use lexopt::prelude::*;

    let mut parser = lexopt::Parser::from_args(args);
    let mut options = Options {
        autopilot: false,
        work: about.default_work,
        screenshot: None,
    };
    while let Some(arg) = parser.next().map_err(|e| e.to_string())? {
        match arg {
            Long("autopilot") => options.autopilot = true,
            Long("work-ms") => {
                let value = parser.value().map_err(|e| e.to_string())?;
                options.work = Duration::from_millis(parse_work_ms(&value)?);
            }
            Long("screenshot") => {
                let value =
                    PathBuf::from(parser.value().map_err(|e| e.to_string())?);
                check_screenshot_path(&value)?;
                options.screenshot = Some(value);
            }
            Short('h') | Long("help") => return Ok(Parsed::Help(about.help())),
            other => {
                return Err(format!("{} (try --help)", other.unexpected()));
            }
        }
    }
    if options.screenshot.is_some() && !options.autopilot {
        return Err(
            "--screenshot needs --autopilot: the scenario decides the moment"
                .into(),
        );
    }
    Ok(Parsed::Run(options))
}

fn parse_work_ms(value: &std::ffi::OsStr) -> Result<u64, String> {
    let text = value.to_string_lossy();
    let bad = || {
        format!(
            "invalid value '{text}' for '--work-ms': expected whole milliseconds from {} to {}",
            WORK_MS_RANGE.start(),
            WORK_MS_RANGE.end()
        )
    };
    let ms: u64 = text.parse().map_err(|_| bad())?;
    if WORK_MS_RANGE.contains(&ms) { Ok(ms) } else { Err(bad()) }
}

fn check_screenshot_path(path: &std::path::Path) -> Result<(), String> {
    if path.extension().is_none_or(|ext| !ext.eq_ignore_ascii_case("png")) {
        return Err(format!(
            "--screenshot '{}': the file name must end in .png",
            path.display()
        ));
    }
    let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
    if let Some(dir) = parent.filter(|dir| !dir.is_dir()) {
        return Err(format!(
            "--screenshot '{}': no directory '{}'",
            path.display(),
            dir.display()
        ));
    }
    check_writable(path).map_err(|e| {
        format!("--screenshot '{}': cannot write there: {e}", path.display())
    })
}

/// Finds out now, not after the whole scenario, whether the picture can be
/// written: by opening the file for writing, and removing it again if it did
/// not exist before.
fn check_writable(path: &std::path::Path) -> std::io::Result<()> {
    let existed = path.exists();
    std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(false)
        .open(path)?;
    if !existed {
        std::fs::remove_file(path)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const ABOUT: About = About {
        id: "lesson-00-test",
        title: "Lesson 00",
        summary: "A test.",
        default_work: Duration::from_secs(5),
    };

    fn run(args: &[&str]) -> Result<Parsed, String> {
        parse(&ABOUT, args.iter().map(OsString::from))
    }

    fn options(args: &[&str]) -> Options {
        match run(args) {
            Ok(Parsed::Run(options)) => options,
            other => panic!("expected options, got {other:?}"),
        }
    }

    #[test]
    fn defaults_open_a_window_with_the_lessons_work() {
        let o = options(&[]);
        assert!(!o.autopilot);
        assert_eq!(o.work, Duration::from_secs(5));
        assert_eq!(o.screenshot, None);
    }

    #[test]
    fn reads_every_option_in_both_spellings() {
        let shot = std::env::temp_dir()
            .join(format!("options-{}.png", std::process::id()));
        let o = options(&[
            "--autopilot",
            "--work-ms",
            "250",
            &format!("--screenshot={}", shot.display()),
        ]);
        assert!(o.autopilot);
        assert_eq!(o.work, Duration::from_millis(250));
        assert_eq!(o.screenshot, Some(shot.clone()));
        assert!(
            !shot.exists(),
            "checking that the screenshot can be written left a file behind"
        );
        assert_eq!(options(&["--work-ms=20"]).work, Duration::from_millis(20));
    }

    #[test]
    fn help_names_the_lesson_and_its_default() {
        let Ok(Parsed::Help(text)) = run(&["--autopilot", "-h"]) else {
            panic!("no help")
        };
        assert!(text.contains("Usage: lesson-00-test"));
        assert!(text.contains("default 5000"));
    }

    #[test]
    fn mistakes_are_one_line_errors() {
        for (args, needle) in [
            (&["--frobnicate"][..], "--frobnicate"),
            (&["stray"][..], "stray"),
            (&["--work-ms"][..], "--work-ms"),
            (&["--work-ms", "fast"][..], "'fast'"),
            (&["--work-ms", "-5"][..], "--work-ms"),
            (&["--work-ms", "0"][..], "from 20"),
            (&["--work-ms", "600001"][..], "600000"),
            (&["--autopilot", "--screenshot", "shot.jpg"][..], ".png"),
            (
                &["--autopilot", "--screenshot", "/no/such/dir/s.png"][..],
                "no directory",
            ),
            (
                &["--autopilot", "--screenshot", "/proc/s.png"][..],
                "cannot write",
            ),
            (&["--screenshot", "shot.png"][..], "needs --autopilot"),
        ] {
            let err =
                run(args).expect_err(&format!("{args:?} should be refused"));
            assert!(err.contains(needle), "{args:?}: '{err}' lacks '{needle}'");
            assert!(
                !err.contains('\n'),
                "{args:?}: '{err}' is more than one line"
            );
        }
    }
}
