// Rc counts its owners without atomics: it cannot go to another thread.
use std::sync::{Arc, Mutex};

fn start_squaring() -> Arc<Mutex<Vec<u64>>> {
    let results = Arc::new(Mutex::new(Vec::new()));
    let for_worker = Arc::clone(&results);
    std::thread::spawn(move || {
        for n in 0..10 {
            for_worker.lock().unwrap().push(n * n);
        }
    });
    results
}

fn main() {
    let _ = start_squaring;
}
