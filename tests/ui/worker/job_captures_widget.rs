// A worker job runs on a pool thread, so it cannot capture a widget.

fn count_words(text: &str) -> usize {
    text.split_whitespace().count()
}

fn start(
    pool: &glib::ThreadPool,
    label: gtk::Label,
) -> Result<(), glib::Error> {
    let job = worker::spawn(pool, move |_reporter| {
        label.set_text(&count_words("a few words").to_string());
        Ok::<_, worker::Cancelled>(())
    })?;
    drop(job);
    Ok(())
}

fn main() {
    let _ = start;
}
