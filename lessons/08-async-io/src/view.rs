//! What the window shows: a line about the file, a progress bar for the
//! reads, a line each for the read, the timer and the checksum, and the
//! buttons; and which buttons make sense when.

use crate::disk::{CHUNKS, Transferred};
use gtk::prelude::*;
use lesson_kit::LessonWindow;

pub const MIB: f64 = (1 << 20) as f64;

pub struct View {
    pub file: gtk::Label,
    pub progress: gtk::ProgressBar,
    pub read: gtk::Label,
    pub timer: gtk::Label,
    pub checksum: gtk::Label,
    pub write: gtk::Button,
    pub read_slowly: gtk::Button,
    pub read_fast: gtk::Button,
    pub cancel: gtk::Button,
    pub sleep: gtk::Button,
    pub hash: gtk::Button,
    pub hash_polling: gtk::Button,
}

/// What is going on, as far as the buttons care.
#[derive(Clone, Copy)]
pub struct Busy {
    pub written: bool,
    pub writing: bool,
    pub reading: bool,
    pub sleeping: bool,
    pub hashing: bool,
}

impl View {
    pub fn new(window: &LessonWindow) -> Self {
        let line = |text: &str| {
            let label = gtk::Label::builder().label(text).wrap(true).build();
            window.add(&label);
            label
        };
        let file = line("File: not written yet. Press Write.");
        let progress = gtk::ProgressBar::builder()
            .show_text(true)
            .text(format!("0 of {CHUNKS} chunks"))
            .build();
        window.add(&progress);
        Self {
            file,
            progress,
            read: line("Read: press a Read button."),
            timer: line("Timer: not started."),
            checksum: line("Checksum: not started."),
            write: window.add_button("Write"),
            read_slowly: window.add_button("Read slowly"),
            read_fast: window.add_button("Read fast"),
            cancel: window.add_button("Cancel"),
            sleep: window.add_button("Sleep"),
            hash: window.add_button("Checksum"),
            hash_polling: window.add_button("Checksum, polling"),
        }
    }

    /// Which buttons make sense now.
    pub fn refresh(&self, busy: Busy) {
        let ready = busy.written;
        self.write.set_sensitive(!busy.written && !busy.writing);
        self.read_slowly.set_sensitive(ready && !busy.reading);
        self.read_fast.set_sensitive(ready && !busy.reading);
        self.cancel.set_sensitive(busy.reading || busy.hashing);
        self.sleep.set_sensitive(!busy.sleeping);
        self.hash.set_sensitive(ready && !busy.hashing);
        self.hash_polling.set_sensitive(ready && !busy.hashing);
    }

    /// One more chunk read: the bar, and the rate so far.
    pub fn show_read(&self, done: Transferred, total: u64, seconds: f64) {
        let mib = done.bytes as f64 / MIB;
        self.progress.set_fraction(done.bytes as f64 / total as f64);
        self.progress.set_text(Some(&format!(
            "{} of {CHUNKS} chunks, {mib:.1} of {:.1} MiB",
            done.chunks,
            total as f64 / MIB
        )));
        let rate = mib / seconds.max(1e-9);
        self.read.set_label(&format!("Reading: {rate:.1} MiB/s"));
    }
}
