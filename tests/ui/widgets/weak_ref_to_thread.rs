// A WeakRef to a widget is no more Send than the widget: it stays home.
use gtk::prelude::*;

fn long_computation() -> String {
    "42".to_string()
}

fn show_result(label: &gtk::Label) {
    let weak = label.downgrade();
    std::thread::spawn(move || {
        let text = long_computation();
        if let Some(label) = weak.upgrade() {
            label.set_text(&text);
        }
    });
}

fn main() {
    let _ = show_result;
}
