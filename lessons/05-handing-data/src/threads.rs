//! The named threads the lesson starts, kept where shutdown can reach them.
//! The main loop never polls one to learn that it ended: each thread holds
//! the only sender of a channel nobody sends on, and its end closes it.

use std::cell::RefCell;
use std::thread::JoinHandle;
use std::time::Duration;

/// A thread the lesson started, and the channel its end closes.
pub struct Named {
    pub handle: JoinHandle<()>,
    /// Nobody sends on it: it closes when the thread's work returns or
    /// unwinds, dropping the sender it took along.
    pub ended: async_channel::Receiver<()>,
}

// ANCHOR: spawn_named
/// Starts `work` on a thread called `name`.
pub fn spawn_named(
    name: &str,
    work: impl FnOnce() + Send + 'static,
) -> std::io::Result<Named> {
    let (alive, ended) = async_channel::bounded::<()>(1);
    let handle =
        std::thread::Builder::new().name(name.into()).spawn(move || {
            // Dropped when `work` returns or unwinds: the thread's last act.
            let _alive = alive;
            work();
        })?;
    Ok(Named { handle, ended })
}
// ANCHOR_END: spawn_named

/// Every named thread the lesson started and has not joined yet.
#[derive(Default)]
pub struct Threads(RefCell<Vec<Named>>);

impl Threads {
    pub fn add(&self, thread: Named) {
        self.0.borrow_mut().push(thread);
    }

    // ANCHOR: join
    /// Waits, without blocking the main loop, for the thread called `name`
    /// to end, then joins it, which returns at once.
    pub async fn join(
        &self,
        name: &str,
        patience: Duration,
    ) -> Result<(), String> {
        let ended = {
            let threads = self.0.borrow();
            let thread = threads.iter().find(|t| named(t, name));
            thread.ok_or(format!("no thread '{name}'"))?.ended.clone()
        };
        // `recv` fails once the channel is closed: the thread has ended.
        let over = glib::future_with_timeout(patience, ended.recv()).await;
        if over.is_err() {
            return Err(format!("'{name}' did not end within {patience:?}"));
        }
        let thread = {
            let mut threads = self.0.borrow_mut();
            let i = threads.iter().position(|t| named(t, name));
            threads.swap_remove(i.expect("found above; only we remove"))
        };
        joined(thread.handle)
    }
    // ANCHOR_END: join

    /// Joins every thread left: at shutdown, once they were told to stop.
    pub fn join_all(&self) -> Result<(), String> {
        let threads = self.0.take();
        let problems: Vec<String> = threads
            .into_iter()
            .filter_map(|t| joined(t.handle).err())
            .collect();
        if problems.is_empty() { Ok(()) } else { Err(problems.join("; ")) }
    }
}

fn named(thread: &Named, name: &str) -> bool {
    thread.handle.thread().name() == Some(name)
}

fn joined(thread: JoinHandle<()>) -> Result<(), String> {
    let name = thread.thread().name().unwrap_or("unnamed").to_owned();
    #[expect(
        clippy::disallowed_methods,
        reason = "the thread has ended (its channel closed), or was told to \
                  stop and looks within a few milliseconds"
    )]
    let outcome = thread.join();
    outcome.map_err(|_| format!("thread '{name}' panicked"))
}
