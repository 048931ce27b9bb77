//! The lesson's widgets: the progress bar and the note under it, which every
//! strategy updates the same way, a live line that compares the worker with
//! the window, a table with one row per strategy, and the buttons.

use crate::pattern::Strategy;
use crate::producer::{Backlog, Progress, resident_kib};
use gtk::prelude::*;
use lesson_kit::LessonWindow;
use std::cell::Cell;
use std::time::Duration;

/// The table's columns, after the strategy's name.
pub const COLUMNS: [&str; 4] = ["events", "shown", "took", "frames/s"];

/// What the window shows of a finished run.
pub struct RunSummary {
    pub strategy: Strategy,
    pub events: u64,
    pub took: Duration,
    /// Frames the window's frame clock began while the run went.
    pub frames: u64,
}

pub struct View {
    pub window: LessonWindow,
    pub progress: gtk::ProgressBar,
    /// The latest event's note: "Item N of M".
    pub note: gtk::Label,
    live: gtk::Label,
    /// One row of cells per strategy, in the order of [`Strategy::ALL`].
    cells: Vec<Vec<gtk::Label>>,
    pub buttons: Vec<gtk::Button>,
    /// Events the window has shown in the current run.
    shown: Cell<u64>,
}

impl View {
    pub fn new(window: &LessonWindow) -> Self {
        let progress = gtk::ProgressBar::builder().show_text(true).build();
        let note = gtk::Label::new(Some("No run yet."));
        let live = gtk::Label::new(None);
        live.add_css_class("dim-label");
        let (grid, cells) = table();
        for widget in [
            progress.upcast_ref::<gtk::Widget>(),
            note.upcast_ref(),
            live.upcast_ref(),
            grid.upcast_ref(),
        ] {
            window.add(widget);
        }
        let buttons = Strategy::ALL
            .iter()
            .map(|strategy| window.add_button(&strategy.button_label()))
            .collect();
        let window = window.clone();
        let shown = Cell::new(0);
        Self { window, progress, note, live, cells, buttons, shown }
    }

    // ANCHOR: show
    /// One update, the same for every strategy: a label and a progress bar.
    pub fn show(&self, event: &Progress) {
        self.note.set_label(&event.note);
        self.progress.set_fraction(event.done as f64 / event.total as f64);
        self.shown.set(self.shown.get() + 1);
    }
    // ANCHOR_END: show

    /// Greys the buttons out while a run goes, and clears the bar for it.
    pub fn set_running(&self, running: bool) {
        for button in &self.buttons {
            button.set_sensitive(!running);
        }
        if running {
            self.shown.set(0);
            self.progress.set_fraction(0.0);
            self.note.set_label("Waiting for the first event...");
        }
    }

    pub fn shown(&self) -> u64 {
        self.shown.get()
    }

    /// The live line: the worker against the window, and the memory.
    pub fn set_live(&self, backlog: Option<&Backlog>) {
        let memory = resident_kib().map_or_else(
            || "unknown".to_owned(),
            |kib| format!("{:.0} MiB", kib as f64 / 1024.0),
        );
        self.live.set_label(&match backlog {
            Some(backlog) => format!(
                "Worker: {} made · window: {} shown, {} waiting · \
                 memory {memory}",
                backlog.made(),
                self.shown(),
                backlog.waiting(),
            ),
            None => format!("No run · memory {memory}"),
        });
    }

    pub fn show_result(&self, run: &RunSummary) {
        let seconds = run.took.as_secs_f64();
        let values = [
            run.events.to_string(),
            self.shown().to_string(),
            format!("{seconds:.2} s"),
            format!("{:.0}", run.frames as f64 / seconds.max(0.001)),
        ];
        let row = &self.cells[run.strategy.index()];
        for (cell, value) in row.iter().zip(values) {
            cell.set_label(&value);
        }
    }

    /// A cell of the table, as it reads.
    pub fn cell(&self, strategy: Strategy, column: &str) -> String {
        let index = COLUMNS.iter().position(|c| *c == column);
        let index = index.expect("one of COLUMNS");
        self.cells[strategy.index()][index].label().into()
    }
}

/// The results table: a header row, then one row per strategy.
fn table() -> (gtk::Grid, Vec<Vec<gtk::Label>>) {
    let grid = gtk::Grid::builder().row_spacing(4).column_spacing(16).build();
    grid.set_halign(gtk::Align::Center);
    for (column, title) in (1..).zip(COLUMNS) {
        let header = gtk::Label::new(Some(title));
        header.add_css_class("heading");
        grid.attach(&header, column, 0, 1, 1);
    }
    let mut cells = Vec::new();
    for (row, strategy) in (1..).zip(Strategy::ALL) {
        let name = gtk::Label::builder().label(strategy.name()).xalign(0.0);
        let name = name.build();
        name.add_css_class("heading");
        grid.attach(&name, 0, row, 1, 1);
        let labels = (1..=COLUMNS.len() as i32).map(|column| {
            let cell = gtk::Label::builder().label("-").xalign(1.0).build();
            grid.attach(&cell, column, row, 1, 1);
            cell
        });
        cells.push(labels.collect());
    }
    (grid, cells)
}
