// glib::idle_add takes a Send callback: it cannot capture a widget.

fn show_when_idle(label: gtk::Label) {
    glib::idle_add(move || {
        label.set_text("the loop had nothing else to do");
        glib::ControlFlow::Break
    });
}

fn main() {
    let _ = show_when_idle;
}
