// glib::timeout_add takes a Send callback: it cannot capture a widget.
use std::time::Duration;

fn count_seconds(label: gtk::Label) {
    let mut seconds = 0;
    glib::timeout_add(Duration::from_secs(1), move || {
        seconds += 1;
        label.set_text(&seconds.to_string());
        glib::ControlFlow::Continue
    });
}

fn main() {
    let _ = count_seconds;
}
