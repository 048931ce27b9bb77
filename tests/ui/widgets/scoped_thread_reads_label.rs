// Even reading a widget on another thread is refused: &Label needs Sync.

fn count_words(label: &gtk::Label) -> usize {
    let mut words = 0;
    std::thread::scope(|scope| {
        scope.spawn(|| words = label.text().split_whitespace().count());
    });
    words
}

fn main() {
    let _ = count_words;
}
