// Arc does not make a Cell shareable: Cell is not Sync.
use std::cell::Cell;
use std::sync::Arc;

fn start_counting() -> Arc<Cell<u64>> {
    let done = Arc::new(Cell::new(0));
    let for_worker = Arc::clone(&done);
    std::thread::spawn(move || {
        for _ in 0..10 {
            for_worker.set(for_worker.get() + 1);
        }
    });
    done
}

fn main() {
    let _ = start_counting;
}
