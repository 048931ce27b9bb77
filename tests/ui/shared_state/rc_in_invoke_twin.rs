// MainContext::invoke may be called from any thread, so its closure must be Send: no Rc.
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
