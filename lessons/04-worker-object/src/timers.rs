//! A job's two timers: the same tick, started on the worker thread in two
//! ways, to show which thread each way really runs it on.

use crate::messages::{Event, Tick, Timer};
use async_channel::Sender;
use std::time::Duration;

/// How often each of a job's two timers asks to run.
pub const TICK: Duration = Duration::from_millis(100);

// ANCHOR: timers
/// A job's two timers. They start with the job and stop when it is
/// dropped, however it ends: an idle worker has no timer to wake it up,
/// and neither has the window.
pub struct Timers {
    /// On the worker's own context: the worker's loop runs it.
    own: glib::Source,
    /// The trap: `glib::timeout_add`, called on the worker thread. It
    /// attaches to the main thread's context, whichever thread calls it.
    trap: glib::SourceId,
}

impl Timers {
    pub fn start(context: &glib::MainContext, events: &Sender<Event>) -> Self {
        let own = glib::timeout_source_new(
            TICK,
            Some("worker tick"),
            glib::Priority::DEFAULT,
            ticker(Timer::WorkerContext, events.clone()),
        );
        own.attach(Some(context));
        let on_tick = ticker(Timer::TimeoutAdd, events.clone());
        let trap = glib::timeout_add(TICK, on_tick);
        Self { own, trap }
    }
}

impl Drop for Timers {
    fn drop(&mut self) {
        // Dropping the handle alone would leave the source attached.
        self.own.destroy();
        // Left alone, the trap's timer would tick on after the job, and
        // after the worker. (`SourceId::remove` panics if the source is
        // gone already; looking it up does not.)
        let trap = glib::MainContext::default().find_source_by_id(&self.trap);
        if let Some(source) = trap {
            source.destroy();
        }
    }
}
// ANCHOR_END: timers

/// A timer's callback: it counts its ticks and sends each to the window,
/// with the thread it ran on. The closure is `Send`, so that either kind of
/// timer accepts it.
fn ticker(
    timer: Timer,
    events: Sender<Event>,
) -> impl FnMut() -> glib::ControlFlow + Send {
    let mut n = 0;
    move || {
        n += 1;
        let tick = Tick { timer, n, thread: current_thread_name() };
        // A closed channel means the window is gone: there is nobody to
        // show the tick to.
        let _ = events.try_send(Event::Tick(tick));
        glib::ControlFlow::Continue
    }
}

/// The name of the thread this runs on, or its id if it has none.
fn current_thread_name() -> String {
    let thread = std::thread::current();
    thread.name().map_or_else(|| format!("{:?}", thread.id()), str::to_owned)
}
