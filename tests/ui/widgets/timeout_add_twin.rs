// glib::timeout_add takes a Send callback: it cannot capture a widget.
use std::time::Duration;

fn count_seconds(label: gtk::Label) {
    let mut seconds = 0;
    // Held weakly: when the label's window closes, the timer stops instead
    // of keeping the label alive and ticking forever.
    let tick = glib::clone!(
        #[weak]
        label,
        #[upgrade_or]
        glib::ControlFlow::Break,
        move || {
            seconds += 1;
            label.set_text(&seconds.to_string());
            glib::ControlFlow::Continue
        }
    );
    glib::timeout_add_local(Duration::from_secs(1), tick);
}

fn main() {
    let _ = count_seconds;
}
