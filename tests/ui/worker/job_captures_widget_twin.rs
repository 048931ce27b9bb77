// A worker job runs on a pool thread, so it cannot capture a widget.

fn count_words(text: &str) -> usize {
    text.split_whitespace().count()
}

fn start(
    pool: &glib::ThreadPool,
    label: gtk::Label,
) -> Result<(), glib::Error> {
    let mut job = worker::spawn(pool, move |_reporter| {
        Ok::<_, worker::Cancelled>(count_words("a few words"))
    })?;
    glib::spawn_future_local(async move {
        while let Some(event) = job.next().await {
            if let worker::Event::Result(words) = event {
                label.set_text(&words.to_string());
            }
        }
    });
    Ok(())
}

fn main() {
    let _ = start;
}
