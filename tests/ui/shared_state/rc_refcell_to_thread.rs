// Rc counts its owners without atomics: it cannot go to another thread.
use std::cell::RefCell;
use std::rc::Rc;

fn start_squaring() -> Rc<RefCell<Vec<u64>>> {
    let results = Rc::new(RefCell::new(Vec::new()));
    let for_worker = Rc::clone(&results);
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
