//! What a long command is doing and how long each step took: a bar (indicatif) when stderr is a
//! terminal, one plain line a step when it is a log, which a bar would fill with redraws.

use indicatif::{ProgressBar, ProgressStyle};
use std::io::IsTerminal;
use std::time::{Duration, Instant};

/// Dropped, the bar stays on the screen as the command's last word.
pub struct Progress {
    command: &'static str,
    bar: Option<ProgressBar>,
    step: (String, Instant),
}

impl Progress {
    pub fn new(command: &'static str, steps: usize) -> Self {
        let template = "{prefix} [{bar:24}] {pos}/{len} {elapsed} {msg}";
        let style = ProgressStyle::with_template(template).unwrap_or(ProgressStyle::default_bar());
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = ProgressBar::new(steps as u64).with_prefix(command).with_style(style);
            bar.enable_steady_tick(Duration::from_millis(200));
            bar
        });
        Self { command, bar, step: (String::new(), Instant::now()) }
    }

    pub fn start(&mut self, step: String) {
        match &self.bar {
            Some(bar) => bar.set_message(step.clone()),
            None => eprintln!("{}: {step}", self.command),
        }
        self.step = (step, Instant::now());
    }

    /// The step is over: what came of it, and its time.
    pub fn done(&self, outcome: &str) {
        let (step, took) = (&self.step.0, self.step.1.elapsed().as_secs_f64());
        let line = format!("{}: {step}: {outcome} ({took:.1} s)", self.command);
        match &self.bar {
            Some(bar) => {
                bar.println(line);
                bar.inc(1);
            }
            None => eprintln!("{line}"),
        }
    }
}
