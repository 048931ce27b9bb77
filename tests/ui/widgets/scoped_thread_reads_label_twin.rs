// Even reading a widget on another thread is refused: &Label needs Sync.

fn count_words(label: &gtk::Label) -> usize {
    let mut words = 0;
    let text = label.text();
    std::thread::scope(|scope| {
        scope.spawn(|| words = text.split_whitespace().count());
    });
    words
}

fn main() {
    let _ = count_words;
}
