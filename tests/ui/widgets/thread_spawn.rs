// A widget cannot move into thread::spawn: the closure must be Send.

fn long_computation() -> String {
    "42".to_string()
}

fn show_result(label: gtk::Label) {
    std::thread::spawn(move || {
        let text = long_computation();
        label.set_text(&text);
    });
}

fn main() {
    let _ = show_result;
}
