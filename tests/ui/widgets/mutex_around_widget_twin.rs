// A Mutex does not make a widget shareable: Arc<Mutex<T>> needs T: Send.
use std::sync::{Arc, Mutex};
use std::time::Duration;

fn long_computation() -> String {
    "42".to_string()
}

fn show_result(label: gtk::Label) {
    // Share the data, not the widget: the label never leaves the main thread.
    let shared = Arc::new(Mutex::new(None::<String>));
    let for_worker = Arc::clone(&shared);
    std::thread::spawn(move || {
        let text = long_computation();
        *for_worker.lock().unwrap() = Some(text);
    });
    // A timer on the main loop looks until the result is there, then
    // stops; it also stops if the label is gone first, since it holds it
    // only weakly.
    let look = glib::clone!(
        #[weak]
        label,
        #[upgrade_or]
        glib::ControlFlow::Break,
        move || match shared.lock().unwrap().take() {
            Some(text) => {
                label.set_text(&text);
                glib::ControlFlow::Break
            }
            None => glib::ControlFlow::Continue,
        }
    );
    glib::timeout_add_local(Duration::from_millis(100), look);
}

fn main() {
    let _ = show_result;
}
