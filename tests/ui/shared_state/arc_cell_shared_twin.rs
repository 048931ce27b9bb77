// Arc does not make a Cell shareable: Cell is not Sync.
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

fn start_counting() -> Arc<AtomicU64> {
    let done = Arc::new(AtomicU64::new(0));
    let for_worker = Arc::clone(&done);
    std::thread::spawn(move || {
        for _ in 0..10 {
            for_worker.fetch_add(1, Ordering::Relaxed);
        }
    });
    done
}

fn main() {
    let _ = start_counting;
}
