// Two threads cannot mutate one Vec without a lock: one &mut at a time.
use std::sync::Mutex;

fn collect() -> Vec<String> {
    let log = Mutex::new(Vec::new());
    std::thread::scope(|scope| {
        scope.spawn(|| log.lock().unwrap().push("first".to_string()));
        scope.spawn(|| log.lock().unwrap().push("second".to_string()));
    });
    log.into_inner().unwrap()
}

fn main() {
    let _ = collect;
}
