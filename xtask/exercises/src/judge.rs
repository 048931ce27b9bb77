//! The run check: the program started on the X server, driven from outside with real key
//! presses (XTest) and judged as a person and a window manager would judge it, with the probes
//! the lessons' tests use (xdriver): the frames the X server saw it paint (damage events), the
//! answers to the window manager's pings, and its exit when the window manager closes it.
//!
//! Every exercise program has a spinner that turns while the work runs, so a window that paints
//! shows frames all through the work and goes quiet when it ends. Two runs:
//!
//! 1. Start is pressed; for most of the work the check pings the window and counts its frames
//!    (the first frame after Start, frames a second, the longest gap); then it waits for the
//!    window to go quiet, which tells when the work ended; then it closes the window, and the
//!    program must exit 0 promptly.
//! 2. Start is pressed and the window is closed in the middle of the work: the same exit.

use crate::catalogue::RunSpec;
use crate::verdict::{Failure, Kind};
use serde::{Deserialize, Serialize};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};
use xdriver::{Driver, Window};

/// The longest a ping may wait for its answer during the work. An answer goes through the X
/// server and this program, and on a loaded machine each may wait for a core: with one of two
/// cores kept busy, the solutions' slowest answers took 24 ms (five `--verify` runs).
pub const PING: Duration = Duration::from_millis(250);
/// No frame for this long is a frozen window, not a stuttering one.
pub const FROZEN: Duration = Duration::from_secs(1);
/// The window goes quiet this early in the work (a fraction of its length): it finished early.
pub const EARLY: f64 = 0.6;
/// How often the window is pinged during the work, when it answers promptly.
pub const PINGS_EVERY: Duration = Duration::from_millis(100);
/// The most of the work watched for frames and pings.
pub const WATCHED: Duration = Duration::from_secs(2);
/// No frame for this long after the work is a window that went quiet.
pub const QUIET: Duration = Duration::from_millis(700);
/// The program must exit this soon after its window closes...
pub const EXIT: Duration = Duration::from_secs(2);
/// ...and one still running after this long is killed.
pub const HANG: Duration = Duration::from_secs(3);
/// How long the window may take to open.
const OPEN: Duration = Duration::from_secs(20);

/// What the run check measured of a program that passed it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Figures {
    /// From the key press on Start to the first frame.
    pub first_frame_s: f64,
    /// Frames painted a second during the work.
    pub frames_per_s: f64,
    /// The longest time without a frame during the work, after the first.
    pub longest_gap_s: f64,
    /// The slowest answer to a ping during the work.
    pub slowest_ping_s: f64,
    /// From Start to the window's last frame of the work.
    pub work_ended_s: f64,
    /// From the close to the exit, after the work...
    pub exit_s: f64,
    /// ...and in the middle of it.
    pub exit_mid_work_s: f64,
}

impl Figures {
    pub fn summary(&self) -> String {
        let ms = |seconds: f64| format!("{:.0} ms", seconds * 1000.0);
        format!(
            "first frame {} after Start; {:.0} frames a second during the work, gaps up to {}; \
             pings answered within {}; the work ended after {:.1} s; exited 0 {} after the close \
             ({} in the middle of the work)",
            ms(self.first_frame_s),
            self.frames_per_s,
            ms(self.longest_gap_s),
            ms(self.slowest_ping_s),
            self.work_ended_s,
            ms(self.exit_s),
            ms(self.exit_mid_work_s),
        )
    }
}

/// Why a run stopped: a verdict on the program, or the check itself could not go on.
#[derive(Debug)]
pub enum Halt {
    Verdict(Failure),
    Broken(String),
}

impl From<Failure> for Halt {
    fn from(failure: Failure) -> Self {
        Halt::Verdict(failure)
    }
}

impl From<xdriver::Error> for Halt {
    fn from(error: xdriver::Error) -> Self {
        Halt::Broken(format!("the X server: {error}"))
    }
}

/// Runs `program` twice on the X server named by `$DISPLAY`, its output going to `log`.
pub fn run(program: &Path, spec: &RunSpec, log: &Path) -> Result<Figures, Halt> {
    let work = Duration::from_secs_f64(spec.work_s);
    let mut first = Running::start(program, log)?;
    first.answers_at_first()?;
    let pressed = first.press(spec)?;
    // Most of the work, and no more than two seconds of it.
    let watched = work.mul_f64(0.6).min(WATCHED);
    let pings = first.pings(watched)?;
    first.alive("during the work")?;
    let paints = first.driver.paints()?;
    let frames = Frames::of(pressed, pressed + watched, &paints);
    // Quiet when the watch ends: frozen, if the pings went unanswered too (then how long for,
    // in all), or else done too early.
    let answered = pings.answered == pings.sent && pings.slowest <= PING;
    let last = paints.iter().copied().filter(|at| *at > pressed).max().unwrap_or(pressed);
    if last.elapsed() >= FROZEN && !answered {
        return Err(first.frozen_from(pressed, last, work + HANG)?.into());
    }
    if last == pressed && last.elapsed() >= FROZEN {
        let measured = "the window painted no frame after Start was pressed, and answered \
                        every ping: nothing showed that the work started";
        return Err(Failure::new(Kind::FinishedEarly, measured).into());
    }
    if last.elapsed() >= FROZEN {
        return Err(early(last.saturating_duration_since(pressed), spec).into());
    }
    frames.judge(spec)?;
    if !answered {
        let measured = format!(
            "the window answered {} of the window manager's {} pings during the work within \
             {:.2} s, and its slowest answer took {:.2} s",
            pings.answered,
            pings.sent,
            PING.as_secs_f64(),
            pings.slowest.as_secs_f64()
        );
        return Err(Failure::new(Kind::Unresponsive, measured).into());
    }
    let ended = first.quiet_after(pressed, work)?;
    if ended < work.mul_f64(EARLY) {
        return Err(early(ended, spec).into());
    }
    let exit = first.close(" after the work")?;

    let mut second = Running::start(program, log)?;
    second.press(spec)?;
    second.driver.pause(work.mul_f64(0.3))?;
    second.alive("during the work")?;
    let exit_mid_work = second.close(" in the middle of the work")?;
    Ok(Figures {
        first_frame_s: frames.first_frame_s,
        frames_per_s: frames.per_s,
        longest_gap_s: frames.longest_gap_s,
        slowest_ping_s: pings.slowest.as_secs_f64(),
        work_ended_s: ended.as_secs_f64(),
        exit_s: exit.as_secs_f64(),
        exit_mid_work_s: exit_mid_work.as_secs_f64(),
    })
}

/// The window went quiet `ended` after Start, too early for the work to be done.
fn early(ended: Duration, spec: &RunSpec) -> Failure {
    let measured = format!(
        "the window stopped painting {:.1} s after Start was pressed, and the work takes {:.1} s",
        ended.as_secs_f64(),
        spec.work_s
    );
    Failure::new(Kind::FinishedEarly, measured)
}

/// The frames painted between the press on Start and `end`.
#[derive(Debug, Clone, PartialEq)]
pub struct Frames {
    pub count: usize,
    pub first_frame_s: f64,
    pub per_s: f64,
    pub longest_gap_s: f64,
}

impl Frames {
    pub fn of(pressed: Instant, end: Instant, paints: &[Instant]) -> Self {
        let during: Vec<Instant> =
            paints.iter().copied().filter(|at| *at > pressed && *at <= end).collect();
        let span = end.saturating_duration_since(pressed).as_secs_f64();
        let first = during.first().map_or(end, |at| *at);
        let mut longest = Duration::ZERO;
        let mut previous = first;
        for at in during.iter().copied().skip(1).chain([end]) {
            longest = longest.max(at.saturating_duration_since(previous));
            previous = at;
        }
        Self {
            count: during.len(),
            first_frame_s: first.saturating_duration_since(pressed).as_secs_f64(),
            per_s: if span > 0.0 { during.len() as f64 / span } else { 0.0 },
            longest_gap_s: longest.as_secs_f64(),
        }
    }

    /// Frozen, stuttering, or fine.
    pub fn judge(&self, spec: &RunSpec) -> Result<(), Failure> {
        let frozen = FROZEN.as_secs_f64();
        if self.first_frame_s >= frozen {
            let measured = format!(
                "the window painted no frame for {:.1} s after Start was pressed",
                self.first_frame_s
            );
            return Err(Failure::new(Kind::Frozen, measured));
        }
        if self.longest_gap_s >= frozen {
            let measured = format!(
                "the window painted no frame for {:.1} s during the work",
                self.longest_gap_s
            );
            return Err(Failure::new(Kind::Frozen, measured));
        }
        if self.per_s < spec.min_fps || self.longest_gap_s > spec.max_gap_s {
            let measured = format!(
                "the window painted {:.0} frames a second during the work, with gaps of up to \
                 {:.2} s (a free window paints about 60, and at least {:.0} with gaps under \
                 {:.2} s are required)",
                self.per_s, self.longest_gap_s, spec.min_fps, spec.max_gap_s
            );
            return Err(Failure::new(Kind::Stutters, measured));
        }
        Ok(())
    }
}

#[derive(Debug)]
struct Pings {
    sent: usize,
    answered: usize,
    slowest: Duration,
}

/// A program under the check, killed if the check stops half way.
struct Running {
    child: Child,
    driver: Driver,
    window: Window,
    log: PathBuf,
}

impl Running {
    fn start(program: &Path, log: &Path) -> Result<Self, Halt> {
        let output =
            File::create(log).map_err(|e| Halt::Broken(format!("{}: {e}", log.display())))?;
        let errors = output.try_clone().map_err(|e| Halt::Broken(e.to_string()))?;
        let child = Command::new(program)
            .env("GDK_BACKEND", "x11")
            .env_remove("WAYLAND_DISPLAY")
            .stdin(Stdio::null())
            .stdout(output)
            .stderr(errors)
            .spawn()
            .map_err(|e| Halt::Broken(format!("could not start {}: {e}", program.display())))?;
        let driver = Driver::connect()?;
        let mut running = Self { child, driver, window: 0, log: log.to_path_buf() };
        let opened = running.driver.find_window(running.child.id(), OPEN);
        let drawn = opened.and_then(|window| {
            running.window = window;
            running.driver.wait_until_drawn(window, OPEN)
        });
        if let Err(error) = drawn {
            running.alive("before its window opened")?;
            let failure = Failure::new(Kind::NoWindow, format!("its window did not open: {error}"));
            return Err(failure.with_details(running.output()).into());
        }
        Ok(running)
    }

    /// The program's output that may explain a failure: from its last panic on (what it said
    /// comes before the backtrace that RUST_BACKTRACE adds), or else its end.
    fn output(&self) -> Vec<String> {
        let text = std::fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().filter(|line| !line.trim().is_empty()).collect();
        let panic = lines.iter().rposition(|line| line.contains(" panicked at "));
        let from = panic.unwrap_or(lines.len().saturating_sub(8));
        let mut tail: Vec<String> =
            lines[from..].iter().take(8).map(|line| line.to_string()).collect();
        tail.push(format!("(all of its output: {})", self.log.display()));
        tail
    }

    /// A failure if the program has ended already.
    fn alive(&mut self, when: &str) -> Result<(), Halt> {
        match self.child.try_wait() {
            Ok(None) => Ok(()),
            Ok(Some(status)) => {
                let measured = format!("the program ended ({}) {when}", exited(status));
                Err(Failure::new(Kind::ExitStatus, measured).with_details(self.output()).into())
            }
            Err(e) => Err(Halt::Broken(format!("waiting for the program: {e}"))),
        }
    }

    fn answers_at_first(&mut self) -> Result<(), Halt> {
        let pings = self.pings(Duration::from_millis(300))?;
        if pings.answered < pings.sent {
            self.alive("before Start was pressed")?;
            let measured = "the window did not answer the window manager even before Start";
            return Err(Failure::new(Kind::Unresponsive, measured).into());
        }
        Ok(())
    }

    /// Types the keys that press Start: when the last one went out.
    fn press(&self, spec: &RunSpec) -> Result<Instant, Halt> {
        let mut pressed = Instant::now();
        for key in &spec.press {
            pressed = self.driver.key(self.window, key.keysym())?;
        }
        Ok(pressed)
    }

    /// Pings for `over`, ten a second when answered promptly, each waiting up to [`PING`]. The
    /// frames painted meanwhile are noted as they come.
    fn pings(&self, over: Duration) -> Result<Pings, Halt> {
        let end = Instant::now() + over;
        let mut pings = Pings { sent: 0, answered: 0, slowest: Duration::ZERO };
        while Instant::now() < end {
            let sent = Instant::now();
            pings.sent += 1;
            match self.driver.ping(self.window, PING)? {
                Some(answer) => {
                    pings.answered += 1;
                    pings.slowest = pings.slowest.max(answer);
                }
                None => pings.slowest = pings.slowest.max(PING),
            }
            self.driver.pause(PINGS_EVERY.saturating_sub(sent.elapsed()))?;
        }
        Ok(pings)
    }

    /// No frame since `since` (Start, or the last frame after it): waits, up to `limit` after
    /// Start, for the next one, to say how long the window was frozen.
    fn frozen_from(
        &mut self,
        pressed: Instant,
        since: Instant,
        limit: Duration,
    ) -> Result<Failure, Halt> {
        let deadline = pressed + limit;
        let after = |at: Instant| at.saturating_duration_since(pressed).as_secs_f64();
        loop {
            let next = self.driver.paints()?.into_iter().find(|at| *at > since);
            let measured = match next {
                Some(next) if since == pressed => {
                    format!(
                        "the window painted no frame for {:.1} s after Start was pressed",
                        after(next)
                    )
                }
                Some(next) => format!(
                    "the window painted no frame for {:.1} s during the work, from {:.1} s after \
                     Start was pressed",
                    next.saturating_duration_since(since).as_secs_f64(),
                    after(since)
                ),
                None if Instant::now() < deadline => {
                    self.alive("while its window was frozen")?;
                    self.driver.pause(Duration::from_millis(50))?;
                    continue;
                }
                None if since == pressed => format!(
                    "the window painted no frame in the {:.0} s after Start was pressed",
                    limit.as_secs_f64()
                ),
                None => format!(
                    "the window painted no frame from {:.1} s after Start was pressed until the \
                     check gave up, {:.0} s after it",
                    after(since),
                    limit.as_secs_f64()
                ),
            };
            return Ok(Failure::new(Kind::Frozen, measured));
        }
    }

    /// When, after Start, the window painted its last frame before a [`QUIET`] spell: the end
    /// of the work, as the spinner stops. Waits up to the work's length and [`HANG`] more.
    fn quiet_after(&mut self, pressed: Instant, work: Duration) -> Result<Duration, Halt> {
        let deadline = pressed + work + HANG;
        loop {
            let paints = self.driver.paints()?;
            let last = paints.iter().copied().filter(|at| *at > pressed).max().unwrap_or(pressed);
            if last.elapsed() >= QUIET {
                return Ok(last.saturating_duration_since(pressed));
            }
            self.alive("during the work")?;
            if Instant::now() >= deadline {
                let measured = format!(
                    "the window was still painting {:.1} s after Start was pressed, and the work \
                     takes {:.1} s",
                    pressed.elapsed().as_secs_f64(),
                    work.as_secs_f64()
                );
                // Its output may say why: a panic in a future on the main loop, say, which glib
                // catches, leaving a spinner that nothing stops.
                let failure = Failure::new(Kind::NeverFinished, measured);
                return Err(failure.with_details(self.output()).into());
            }
            self.driver.pause(Duration::from_millis(100))?;
        }
    }

    /// Closes the window as a window manager does: how long the program took to exit 0. `when`
    /// ends the sentences about it: " after the work".
    fn close(mut self, when: &str) -> Result<Duration, Halt> {
        self.driver.close(self.window)?;
        let closed = Instant::now();
        loop {
            let status = self.child.try_wait().map_err(|e| Halt::Broken(e.to_string()))?;
            if let Some(status) = status {
                let took = closed.elapsed();
                if !status.success() {
                    let measured = format!(
                        "it exited with {} {:.1} s after its window was closed{when}",
                        exited(status),
                        took.as_secs_f64()
                    );
                    let failure = Failure::new(Kind::ExitStatus, measured);
                    return Err(failure.with_details(self.output()).into());
                }
                if took > EXIT {
                    let measured = format!(
                        "it took {:.1} s to exit after its window was closed{when}",
                        took.as_secs_f64()
                    );
                    return Err(Failure::new(Kind::ExitLate, measured).into());
                }
                return Ok(took);
            }
            if closed.elapsed() > HANG {
                let measured = format!(
                    "the program was still running {:.0} s after its window was closed{when}",
                    HANG.as_secs_f64()
                );
                return Err(Failure::new(Kind::ExitLate, measured).into());
            }
            self.driver.pause(Duration::from_millis(20))?;
        }
    }
}

impl Drop for Running {
    /// A program the check is done with is closed as a window manager closes it, so that it can
    /// clean up after itself (exercise 08 removes its file from /tmp), and killed only if it is
    /// still there [`HANG`] later: a frozen window handles the close once its work is over.
    fn drop(&mut self) {
        let running = |child: &mut Child| matches!(child.try_wait(), Ok(None));
        if !running(&mut self.child) {
            return;
        }
        let _ = self.driver.close(self.window);
        let deadline = Instant::now() + HANG;
        while running(&mut self.child) && Instant::now() < deadline {
            let _ = self.driver.pause(Duration::from_millis(20));
        }
        if running(&mut self.child) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// `exit code 101`, `signal 6`.
fn exited(status: ExitStatus) -> String {
    use std::os::unix::process::ExitStatusExt;
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => status.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::Key;

    fn spec() -> RunSpec {
        RunSpec { press: vec![Key::Space], work_s: 3.0, min_fps: 20.0, max_gap_s: 0.25 }
    }

    /// Frames every `every` ms from `from` ms after the press to `to` ms.
    fn frames(from: u64, to: u64, every: u64) -> Frames {
        let pressed = Instant::now();
        let paints: Vec<Instant> = (from..=to)
            .step_by(every as usize)
            .map(|ms| pressed + Duration::from_millis(ms))
            .collect();
        Frames::of(pressed, pressed + Duration::from_secs(2), &paints)
    }

    #[test]
    fn the_chapter_states_the_bounds_the_check_uses() {
        let chapter = crate::catalogue::root().join("book/src/exercises.md");
        let chapter = std::fs::read_to_string(chapter).unwrap();
        let chapter = chapter.split_whitespace().collect::<Vec<_>>().join(" ");
        let s = |d: Duration| format!("{} s", d.as_secs_f64());
        assert_eq!((FROZEN, WATCHED), (Duration::from_secs(1), Duration::from_secs(2)));
        assert_eq!(PINGS_EVERY, Duration::from_millis(100));
        for claim in [
            "(up to two seconds), it pings the window ten times a second".to_string(),
            "No frame for a second or more after Start, or during the work, is a **frozen**"
                .to_string(),
            format!("at least {} frames a second", crate::catalogue::min_fps()),
            format!("no gap over {} s between", crate::catalogue::max_gap_s()),
            format!("Every ping must be answered within {}", s(PING)),
            format!("(no frame for {})", s(QUIET)),
            format!("goes quiet before {:.0} % of the work's length", EARLY * 100.0),
            format!("one still painting {} after the work's length", s(HANG)),
            format!("up to the work's length and {} more after Start", s(HANG)),
            format!("exit with status 0 within {}; one still running after {}", s(EXIT), s(HANG)),
        ] {
            assert!(chapter.contains(&claim), "book/src/exercises.md does not say: {claim}");
        }
    }

    #[test]
    fn a_free_window_passes() {
        let free = frames(16, 2000, 16);
        assert_eq!(free.count, 125);
        assert!((free.per_s - 62.5).abs() < 1e-9, "{free:?}");
        assert!((free.first_frame_s - 0.016).abs() < 1e-9);
        assert!(free.longest_gap_s < 0.017);
        assert_eq!(free.judge(&spec()), Ok(()));
    }

    #[test]
    fn a_window_that_paints_late_or_with_holes_is_frozen() {
        let late = frames(1500, 2000, 16).judge(&spec()).unwrap_err();
        assert_eq!(late.kind, Kind::Frozen);
        assert_eq!(late.measured, "the window painted no frame for 1.5 s after Start was pressed");
        let pressed = Instant::now();
        let mut paints: Vec<Instant> =
            (1..20).map(|i| pressed + Duration::from_millis(i * 16)).collect();
        paints.push(pressed + Duration::from_millis(1800));
        let hole = Frames::of(pressed, pressed + Duration::from_secs(2), &paints);
        let hole = hole.judge(&spec()).unwrap_err();
        assert_eq!(hole.kind, Kind::Frozen);
        assert_eq!(hole.measured, "the window painted no frame for 1.5 s during the work");
        // A late first frame, but not a frozen window: the first frame may cost more than the
        // next (an icon to load, a worker to wake).
        assert_eq!(frames(600, 2000, 16).judge(&spec()), Ok(()));
        let none = Frames::of(pressed, pressed + Duration::from_secs(2), &[pressed]);
        assert_eq!((none.count, none.first_frame_s, none.per_s), (0, 2.0, 0.0));
    }

    #[test]
    fn a_window_painted_between_chunks_of_work_stutters() {
        let drained = frames(300, 2000, 300).judge(&spec()).unwrap_err();
        assert_eq!(drained.kind, Kind::Stutters);
        assert!(
            drained.measured.starts_with(
                "the window painted 3 frames a second during the work, with gaps of up to 0.30 s"
            ),
            "{}",
            drained.measured
        );
        // Enough frames, but one gap too long; and short gaps, but too few frames.
        assert_eq!(
            frames(16, 2000, 16).judge(&RunSpec { max_gap_s: 0.01, ..spec() }).unwrap_err().kind,
            Kind::Stutters
        );
        assert_eq!(
            frames(40, 2000, 40).judge(&RunSpec { min_fps: 30.0, ..spec() }).unwrap_err().kind,
            Kind::Stutters
        );
    }
}
