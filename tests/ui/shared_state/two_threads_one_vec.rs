// Two threads cannot mutate one Vec without a lock: one &mut at a time.
fn collect() -> Vec<String> {
    let mut log = Vec::new();
    std::thread::scope(|scope| {
        scope.spawn(|| log.push("from the first thread".to_string()));
        scope.spawn(|| log.push("from the second thread".to_string()));
    });
    log
}

fn main() {
    let _ = collect;
}
