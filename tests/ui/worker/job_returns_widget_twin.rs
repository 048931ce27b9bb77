// A worker job's result crosses back from the pool: it cannot be a widget.

fn start(pool: &glib::ThreadPool) -> Result<(), glib::Error> {
    let mut job = worker::spawn(pool, |_reporter| {
        let text = String::from("made on a pool thread");
        Ok::<_, worker::Cancelled>(text)
    })?;
    glib::spawn_future_local(async move {
        while let Some(event) = job.next().await {
            if let worker::Event::Result(text) = event {
                let label = gtk::Label::new(Some(&text));
                drop(label);
            }
        }
    });
    Ok(())
}

fn main() {
    let _ = start;
}
