// A worker job's result crosses back from the pool: it cannot be a widget.

fn start(pool: &glib::ThreadPool) -> Result<(), glib::Error> {
    let job = worker::spawn(pool, |_reporter| {
        let label = gtk::Label::new(Some("made on a pool thread"));
        Ok::<_, worker::Cancelled>(label)
    })?;
    drop(job);
    Ok(())
}

fn main() {
    let _ = start;
}
