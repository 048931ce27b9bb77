// What an Arc shares is read-only: it gives out `&T`, never `&mut T`.
use std::sync::Arc;

fn share(window: async_channel::Sender<Arc<Vec<u64>>>) {
    let readings = Arc::new(vec![1_000_000, 1_000_001, 1_000_002]);
    let _ = window.try_send(Arc::clone(&readings));
    // The next batch, written into the buffer the window shares.
    readings.push(2_000_000);
}

fn main() {
    let _ = share;
}
