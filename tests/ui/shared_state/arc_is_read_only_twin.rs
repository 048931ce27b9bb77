// What an Arc shares is read-only: it gives out `&T`, never `&mut T`.
use std::sync::{Arc, Mutex};

fn share(window: async_channel::Sender<Arc<Mutex<Vec<u64>>>>) {
    let readings = Arc::new(Mutex::new(vec![1_000_000, 1_000_001, 1_000_002]));
    let _ = window.try_send(Arc::clone(&readings));
    // This compiles, and it is the aliasing bug: the window sees batch 2
    // arrive in batch 1.
    readings.lock().unwrap().push(2_000_000);
}

fn main() {
    let _ = share;
}
