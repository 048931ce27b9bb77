// A Mutex does not make a widget shareable: Arc<Mutex<T>> is Send only if T is Send.
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn long_computation() -> String {
    "42".to_string()
}

fn show_result(label: gtk::Label) {
    let shared = Arc::new(Mutex::new(String::new()));
    let for_worker = Arc::clone(&shared);
    std::thread::spawn(move || {
        let text = long_computation();
        *for_worker.lock().unwrap() = text;
    });
    glib::timeout_add_local(Duration::from_millis(100), move || {
        label.set_text(&shared.lock().unwrap());
        glib::ControlFlow::Continue
    });
}

fn main() {
    let _ = show_result;
}
