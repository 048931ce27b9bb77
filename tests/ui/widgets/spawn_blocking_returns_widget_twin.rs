// A pool job's result crosses threads, so it must be Send: not a widget.
use gtk::prelude::*;

fn long_computation() -> String {
    "42".to_string()
}

async fn add_result(list: gtk::Box) {
    let job = gtk::gio::spawn_blocking(long_computation);
    if let Ok(text) = job.await {
        list.append(&gtk::Label::new(Some(&text)));
    }
}

fn main() {
    let _ = add_result;
}
