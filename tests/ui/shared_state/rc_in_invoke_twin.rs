// MainContext::invoke may run its closure on any thread: no Rc in it.
use std::cell::Cell;
use std::rc::Rc;

fn record_click(clicks: Rc<Cell<u32>>) {
    glib::MainContext::default().invoke_local(move || {
        clicks.set(clicks.get() + 1);
    });
}

fn main() {
    let _ = record_click;
}
