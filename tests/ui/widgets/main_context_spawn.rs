// MainContext::spawn takes only Send futures: they cannot hold a widget.
use std::time::Duration;

fn show_later(label: gtk::Label) {
    glib::MainContext::default().spawn(async move {
        glib::timeout_future(Duration::from_secs(1)).await;
        label.set_text("a second later");
    });
}

fn main() {
    let _ = show_later;
}
