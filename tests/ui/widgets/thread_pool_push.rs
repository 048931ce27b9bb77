// A glib::ThreadPool job runs on a pool thread, so it cannot capture a widget.

fn long_computation() -> String {
    "42".to_string()
}

fn show_result(label: gtk::Label) -> Result<(), glib::Error> {
    let pool = glib::ThreadPool::shared(None)?;
    pool.push(move || {
        let text = long_computation();
        label.set_text(&text);
    })?;
    Ok(())
}

fn main() {
    let _ = show_result;
}
