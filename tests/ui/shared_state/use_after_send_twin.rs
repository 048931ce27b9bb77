// A value sent to another thread has moved: the sender cannot touch it.
fn hand_over(window: async_channel::Sender<Vec<u64>>) {
    let mut readings = vec![1_000_000, 1_000_001, 1_000_002];
    // The window gets a copy; the worker keeps its buffer.
    let _ = window.try_send(readings.clone());
    readings.clear();
    readings.push(2_000_000);
}

fn main() {
    let _ = hand_over;
}
