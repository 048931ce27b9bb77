// A glib::ThreadPool job runs on a pool thread, so it cannot capture a widget.

fn long_computation() -> String {
    "42".to_string()
}

fn show_result(label: gtk::Label) -> Result<(), glib::Error> {
    let pool = glib::ThreadPool::shared(None)?;
    let (sender, receiver) = async_channel::bounded(1);
    pool.push(move || {
        let text = long_computation();
        let _ = sender.try_send(text);
    })?;
    glib::spawn_future_local(async move {
        if let Ok(text) = receiver.recv().await {
            label.set_text(&text);
        }
    });
    Ok(())
}

fn main() {
    let _ = show_result;
}
