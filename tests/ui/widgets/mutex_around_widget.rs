// A Mutex does not make a widget shareable: Arc<Mutex<T>> needs T: Send.
use std::sync::{Arc, Mutex};

fn long_computation() -> String {
    "42".to_string()
}

fn show_result(label: gtk::Label) {
    let shared = Arc::new(Mutex::new(label));
    let for_worker = Arc::clone(&shared);
    std::thread::spawn(move || {
        let text = long_computation();
        for_worker.lock().unwrap().set_text(&text);
    });
}

fn main() {
    let _ = show_result;
}
