// A pool job's result crosses threads, so it must be Send: not a widget.
use gtk::prelude::*;

fn long_computation() -> String {
    "42".to_string()
}

async fn add_result(list: gtk::Box) {
    let job = gtk::gio::spawn_blocking(|| {
        gtk::Label::new(Some(&long_computation()))
    });
    if let Ok(row) = job.await {
        list.append(&row);
    }
}

fn main() {
    let _ = add_result;
}
