// Sender<T> is Send only if T is: no channel carries widgets across threads.
use gtk::prelude::*;

fn long_computation() -> String {
    "42".to_string()
}

fn add_result(list: gtk::Box) {
    let (sender, receiver) = async_channel::bounded(1);
    std::thread::spawn(move || {
        let text = long_computation();
        let _ = sender.try_send(gtk::Label::new(Some(&text)));
    });
    glib::spawn_future_local(async move {
        if let Ok(row) = receiver.recv().await {
            list.append(&row);
        }
    });
}

fn main() {
    let _ = add_result;
}
