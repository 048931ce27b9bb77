// A WeakRef to a widget is no more Send than the widget: it stays home.
use gtk::prelude::*;

fn long_computation() -> String {
    "42".to_string()
}

fn show_result(label: &gtk::Label) {
    let weak = label.downgrade();
    let (sender, receiver) = async_channel::bounded(1);
    std::thread::spawn(move || {
        let text = long_computation();
        let _ = sender.try_send(text);
    });
    glib::spawn_future_local(async move {
        if let Ok(text) = receiver.recv().await
            && let Some(label) = weak.upgrade()
        {
            label.set_text(&text);
        }
    });
}

fn main() {
    let _ = show_result;
}
