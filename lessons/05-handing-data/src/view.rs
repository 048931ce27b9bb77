//! What the window shows: the table of costs Measure the costs fills in,
//! one line for each way the aliasing worker hands its batch over, and the
//! buttons.

use crate::costs::{Figures, Pair};
use gtk::prelude::*;
use lesson_kit::LessonWindow;
use std::time::Duration;

/// A cell's width, in characters: a minimum as well as a maximum, or a
/// wrapping label would ask for the height of a very narrow layout.
const CELL_CHARS: i32 = 22;
pub const NOT_RUN: &str = "-";
/// What the table's last column checks, each followed by its answer.
pub const TRAVEL: &str = "bytes a move carries";
pub const IN_PLACE: &str = "rows stayed in place";
pub const SHARED: &str = "rows shared with the original";
pub const SAME: &str = "a job read the same rows";
/// What `Arc::get_mut` gave, for each table.
pub const WHILE_SHARED: &str = "while shared";
pub const ONCE_UNIQUE: &str = "once unique";

/// One row of a table: a figure for the large table and one for the small,
/// and what the lesson checked, as `what: answer` pairs.
#[derive(Clone)]
pub struct Row {
    pub large: gtk::Label,
    pub small: gtk::Label,
    pub checked: gtk::Label,
}

#[derive(Clone)]
pub struct CostTable {
    pub size: Row,
    pub round_trip: Row,
    pub to_window: Row,
    pub clone: Row,
    pub drop: Row,
    pub arc_clone: Row,
    pub get_mut: Row,
}

/// One way of handing the batch over: how long the worker took to prepare
/// it, what it sent, and what the window shows of it.
#[derive(Clone)]
pub struct AliasRow {
    pub took: gtk::Label,
    pub sent: gtk::Label,
    pub shown: gtk::Label,
}

/// The lesson's widgets. Cloning it clones references to the same widgets.
#[derive(Clone)]
pub struct View {
    pub window: LessonWindow,
    pub costs: CostTable,
    /// In the order of `Handoff`.
    pub alias: [AliasRow; 3],
    pub measure: gtk::Button,
    pub share: gtk::Button,
    pub clone: gtk::Button,
    pub take: gtk::Button,
}

impl View {
    pub fn new(window: &LessonWindow) -> Self {
        section(window, "Handing a large table to another thread");
        let grid = new_grid(window);
        let heads = ["", "large table", "one row", "checked"];
        add_row(&grid, 0, heads);
        let ways = [
            "size",
            "move, there and back",
            "move, to the window",
            "Clone",
            "drop, on a pool thread",
            "Arc::clone",
            "Arc::get_mut",
        ];
        let rows: Vec<Row> = (1..)
            .zip(ways)
            .map(|(row, way)| add_row(&grid, row, [way, NOT_RUN, NOT_RUN, ""]))
            .collect();
        let rc = ["Rc<Table>", "does not compile", "", "Rc is not Send"];
        add_row(&grid, 8, rc);
        let [size, round_trip, to_window, clone, drop, arc_clone, get_mut] =
            <[Row; 7]>::try_from(rows).ok().expect("one row per way");
        get_mut.checked.set_label("a &mut only for the last owner");
        let costs = CostTable {
            size,
            round_trip,
            to_window,
            clone,
            drop,
            arc_clone,
            get_mut,
        };
        let [measure] = button_row(window, ["Measure the costs"]);

        section(window, "The aliasing bug: a worker writes into what it sent");
        let grid = new_grid(window);
        let heads =
            ["", "handed over in", "the worker sent", "the window shows"];
        add_row(&grid, 0, heads);
        let ways = ["Shared buffer", "Clone under the lock", "Moved out"];
        let alias = std::array::from_fn(|i| {
            let row = add_row(&grid, i as i32 + 1, [ways[i], NOT_RUN, "", ""]);
            AliasRow { took: row.large, sent: row.small, shown: row.checked }
        });
        let labels = ["Share the buffer (bug)", "Send a clone", "Send by move"];
        let [share, clone, take] = button_row(window, labels);
        let window = window.clone();
        Self { window, costs, alias, measure, share, clone, take }
    }

    pub fn buttons(&self) -> [&gtk::Button; 4] {
        [&self.measure, &self.share, &self.clone, &self.take]
    }

    /// Fills in the table of costs.
    pub fn show_costs(&self, figures: &Figures) {
        let costs = &self.costs;
        let (bytes, rows) = (figures.bytes, figures.rows);
        let size = |bytes, rows| match rows {
            1 => format!("{bytes} bytes, 1 row"),
            _ => format!("{bytes} bytes, {rows} rows"),
        };
        costs.size.large.set_label(&size(bytes.large, rows.large));
        costs.size.small.set_label(&size(bytes.small, rows.small));
        let travel = format!("{TRAVEL}: {}", figures.moved_bytes);
        costs.size.checked.set_label(&travel);
        show(&costs.round_trip, figures.round_trip.map(human));
        let kept = format!("{IN_PLACE}: {}", yes(figures.in_place));
        costs.round_trip.checked.set_label(&kept);
        show(&costs.to_window, figures.to_window.map(human));
        show(&costs.clone, figures.clone.map(human));
        let shared = if figures.deep { "none" } else { "SOME" };
        let deep = format!("{SHARED}: {shared}");
        costs.clone.checked.set_label(&deep);
        show(&costs.drop, figures.drop.map(human));
        show(
            &costs.arc_clone,
            figures.arc_clone_ns.map(|ns| format!("{ns:.1} ns")),
        );
        let same = format!("{SAME}: {}", yes(figures.same_rows));
        costs.arc_clone.checked.set_label(&same);
        let option = |some| if some { "Some" } else { "None" };
        let (shared, unique) =
            (figures.mutable_while_shared, figures.mutable_when_unique);
        let answers = |shared, unique| {
            format!(
                "{WHILE_SHARED}: {}; {ONCE_UNIQUE}: {}",
                option(shared),
                option(unique)
            )
        };
        show(
            &costs.get_mut,
            Pair {
                large: answers(shared.large, unique.large),
                small: answers(shared.small, unique.small),
            },
        );
    }
}

impl<T> Pair<T> {
    fn map<U>(self, f: impl Fn(T) -> U) -> Pair<U> {
        Pair { large: f(self.large), small: f(self.small) }
    }
}

fn show(row: &Row, figures: Pair<String>) {
    row.large.set_label(&figures.large);
    row.small.set_label(&figures.small);
}

fn yes(yes: bool) -> &'static str {
    if yes { "yes" } else { "NO" }
}

/// A short time, in the unit that reads best.
pub fn human(duration: Duration) -> String {
    let ns = duration.as_secs_f64() * 1e9;
    if ns < 1e3 {
        format!("{ns:.0} ns")
    } else if ns < 1e6 {
        format!("{:.1} µs", ns / 1e3)
    } else {
        format!("{:.1} ms", ns / 1e6)
    }
}

fn section(window: &LessonWindow, title: &str) {
    let heading =
        gtk::Label::builder().label(title).xalign(0.0).margin_top(6).build();
    heading.add_css_class("heading");
    window.add(&heading);
}

fn new_grid(window: &LessonWindow) -> gtk::Grid {
    let grid = gtk::Grid::builder().column_spacing(12).row_spacing(2).build();
    window.add(&grid);
    grid
}

/// A row of four cells; the first names the row.
fn add_row(grid: &gtk::Grid, row: i32, texts: [impl AsRef<str>; 4]) -> Row {
    let [name, large, small, checked] = std::array::from_fn(|column| {
        let label = gtk::Label::builder()
            .label(texts[column].as_ref())
            .xalign(0.0)
            .wrap(true)
            .width_chars(CELL_CHARS)
            .max_width_chars(CELL_CHARS)
            .build();
        grid.attach(&label, column as i32, row, 1, 1);
        label
    });
    if row == 0 {
        for label in [&name, &large, &small, &checked] {
            label.add_css_class("dim-label");
        }
    }
    Row { large, small, checked }
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
