// Two threads cannot mutate one Vec without a lock: only one &mut to it may exist at a time.
use std::sync::Mutex;

fn collect() -> Vec<String> {
    let log = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        scope.spawn(|| log.lock().unwrap().push("from the first thread".to_string()));
        scope.spawn(|| log.lock().unwrap().push("from the second thread".to_string()));
    });
    log.into_inner().unwrap()
}

fn main() {
    let _ = collect;
}
