//! What the window shows: the child's last lines, a line about the child
//! (its process id, its lines so far, how it ended), and the buttons; and
//! which buttons make sense when.

use gtk::prelude::*;
use lesson_kit::LessonWindow;
use std::cell::RefCell;
use std::collections::VecDeque;

/// How many of the child's lines the window keeps on screen.
const SHOWN: usize = 6;

pub struct View {
    /// The child's last lines, as it printed them.
    pub output: gtk::Label,
    /// The child: its process id, its lines so far, how it ended.
    pub child: gtk::Label,
    pub run: gtk::Button,
    pub run_stubborn: gtk::Button,
    pub run_crashing: gtk::Button,
    pub stop: gtk::Button,
    pub run_blocking: gtk::Button,
    last: RefCell<VecDeque<String>>,
}

impl View {
    /// Both labels keep their size whatever they say, so that the buttons
    /// below them stay put: the output is always `SHOWN` lines, the line
    /// about the child always one, shortened with "..." if it must be.
    pub fn new(window: &LessonWindow) -> Self {
        let line = || {
            let label = gtk::Label::builder()
                .ellipsize(gtk::pango::EllipsizeMode::End)
                .build();
            window.add(&label);
            label
        };
        let output = line();
        output.set_xalign(0.0);
        output.add_css_class("monospace");
        let child = line();
        let view = Self {
            output,
            child,
            run: window.add_button("Run"),
            run_stubborn: window.add_button("Run stubborn"),
            run_crashing: window.add_button("Run crashing"),
            stop: window.add_button("Stop"),
            run_blocking: window.add_button("Run blocking!"),
            last: RefCell::default(),
        };
        view.show_child("No child yet.", false);
        view.show_line("(the child's output)");
        view
    }

    /// Which buttons make sense: one child at a time, and Stop once.
    pub fn refresh(&self, running: bool, stopping: bool) {
        for run in [
            &self.run,
            &self.run_stubborn,
            &self.run_crashing,
            &self.run_blocking,
        ] {
            run.set_sensitive(!running);
        }
        self.stop.set_sensitive(running && !stopping);
    }

    pub fn clear_output(&self) {
        self.last.borrow_mut().clear();
        self.show_lines();
    }

    /// One more line from the child, under the last few.
    pub fn show_line(&self, line: &str) {
        let mut last = self.last.borrow_mut();
        last.push_back(line.to_owned());
        if last.len() > SHOWN {
            last.pop_front();
        }
        drop(last);
        self.show_lines();
    }

    /// The last lines, and blank ones under them up to `SHOWN`.
    fn show_lines(&self) {
        let last = self.last.borrow();
        let blank = std::iter::repeat_n(" ", SHOWN - last.len());
        let lines: Vec<&str> =
            last.iter().map(String::as_str).chain(blank).collect();
        self.output.set_label(&lines.join("\n"));
    }

    /// The line about the child; an error is shown as one.
    pub fn show_child(&self, text: &str, error: bool) {
        self.child.set_label(text);
        if error {
            self.child.add_css_class("error");
        } else {
            self.child.remove_css_class("error");
        }
    }
}
