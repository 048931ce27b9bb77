// Arc does not make a RefCell shareable: Arc<T> needs T: Sync to be Send.
use std::cell::RefCell;
use std::sync::Arc;

fn start_squaring() -> Arc<RefCell<Vec<u64>>> {
    let results = Arc::new(RefCell::new(Vec::new()));
    let for_worker = Arc::clone(&results);
    std::thread::spawn(move || {
        for n in 0..10 {
            for_worker.borrow_mut().push(n * n);
        }
    });
    results
}

fn main() {
    let _ = start_squaring;
}
