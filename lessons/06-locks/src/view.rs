//! What the window shows: one section per demo, each with its lines and its
//! buttons.

use crate::counters::{Counted, Counts, OPS};
use gtk::prelude::*;
use lesson_kit::LessonWindow;

/// A line's width, in characters: a minimum as well as a maximum, or a
/// wrapping label would ask for the height of a very narrow layout.
const LINE_CHARS: i32 = 64;
pub const NOT_RUN: &str = "-";

/// The lesson's widgets. Cloning it clones references to the same widgets.
#[derive(Clone)]
pub struct View {
    pub window: LessonWindow,
    /// Per operation and counted, for the `Mutex`, the `RwLock` and the
    /// atomic.
    pub counters: [[gtk::Label; 2]; 3],
    pub count: gtk::Button,
    pub tellers: [gtk::Label; 2],
    /// The watchdog's verdict, then how the run ended.
    pub tellers_outcome: gtk::Label,
    pub opposite: gtk::Button,
    pub same: gtk::Button,
    /// The model as the window reads it, every frame.
    pub reading: gtk::Label,
    pub under_lock: gtk::Button,
    pub window_waits: gtk::Button,
    pub copy_first: gtk::Button,
    /// The job, what `try_lock` found, and the repair.
    pub poison: [gtk::Label; 3],
    pub panic: gtk::Button,
    pub exchange: [gtk::Label; 2],
    /// The watchdog's verdict, then how the run ended.
    pub exchange_outcome: gtk::Label,
    pub both_block: gtk::Button,
    pub unbounded: gtk::Button,
}

impl View {
    pub fn new(window: &LessonWindow) -> Self {
        section(window, "Counting from two threads");
        let grid = gtk::Grid::builder().column_spacing(16).build();
        let kinds = ["Mutex, +1", "RwLock, read", "AtomicU64, fetch_add"];
        let counters = std::array::from_fn(|row| {
            let kind = gtk::Label::builder().label(kinds[row]).xalign(0.0);
            grid.attach(&kind.build(), 0, row as i32, 1, 1);
            std::array::from_fn(|column| {
                let cell = gtk::Label::builder().label(NOT_RUN).xalign(0.0);
                let cell = cell.build();
                grid.attach(&cell, column as i32 + 1, row as i32, 1, 1);
                cell
            })
        });
        window.add(&grid);
        let [count] = button_row(window, ["Count"]);

        section(window, "Two tellers, two accounts, two locks");
        let tellers =
            [1, 2].map(|n| line(window, &format!("teller {n}: idle")));
        let tellers_outcome = line(window, NOT_RUN);
        let [opposite, same] =
            button_row(window, ["Opposite orders", "Same order"]);

        section(window, "Hold a lock only for the data");
        let reading = line(window, "The window reads the model every frame.");
        let [under_lock, window_waits, copy_first] = button_row(
            window,
            [
                "Compute under the lock",
                "Same, window calls lock()",
                "Copy, then compute",
            ],
        );

        section(window, "A panic under the lock");
        let poison = [NOT_RUN; 3].map(|text| line(window, text));
        let [panic] = button_row(window, ["Panic under the lock"]);

        section(window, "Two threads waiting on each other's messages");
        let exchange =
            ["client: idle", "server: idle"].map(|t| line(window, t));
        let exchange_outcome = line(window, NOT_RUN);
        let [both_block, unbounded] =
            button_row(window, ["Both block", "Replies unbounded"]);

        Self {
            window: window.clone(),
            counters,
            count,
            tellers,
            tellers_outcome,
            opposite,
            same,
            reading,
            under_lock,
            window_waits,
            copy_first,
            poison,
            panic,
            exchange,
            exchange_outcome,
            both_block,
            unbounded,
        }
    }

    pub fn buttons(&self) -> [&gtk::Button; 9] {
        [
            &self.count,
            &self.opposite,
            &self.same,
            &self.under_lock,
            &self.window_waits,
            &self.copy_first,
            &self.panic,
            &self.both_block,
            &self.unbounded,
        ]
    }

    pub fn show_counts(&self, counts: &Counts) {
        let all = [counts.mutex, counts.rwlock, counts.atomic];
        for (row, Counted { ns, total }) in self.counters.iter().zip(all) {
            row[0].set_label(&format!("{ns:.1} ns"));
            row[1].set_label(&format!("{total} of {}", 2 * OPS));
        }
    }
}

fn section(window: &LessonWindow, title: &str) {
    let heading =
        gtk::Label::builder().label(title).xalign(0.0).margin_top(6).build();
    heading.add_css_class("heading");
    window.add(&heading);
}

fn line(window: &LessonWindow, text: &str) -> gtk::Label {
    let label = gtk::Label::builder()
        .label(text)
        .xalign(0.0)
        .wrap(true)
        .width_chars(LINE_CHARS)
        .max_width_chars(LINE_CHARS)
        .build();
    window.add(&label);
    label
}

/// A row of buttons under the section above it.
fn button_row<const N: usize>(
    window: &LessonWindow,
    labels: [&str; N],
) -> [gtk::Button; N] {
    let row = gtk::Box::new(gtk::Orientation::Horizontal, 8);
    let buttons = labels.map(|label| {
        let button = gtk::Button::with_label(label);
        row.append(&button);
        button
    });
    window.add(&row);
    buttons
}
