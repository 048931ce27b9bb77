//! Lesson 09's scenario: Fetch with the server answering; Fetch again,
//! cancelled a third of the way in; Fetch with the server told to stall,
//! then to drop the connection; Fetch on a thread, to the end and then
//! cancelled; Fetch, blocking; and a last Fetch left running, so that the
//! window closes in the middle of it.
//!
//! It reads what the window shows: the progress bar and the outcome line,
//! noting when each changed and which threads the process had then.

mod details;
mod run;
mod watch;

use crate::fetch;
use crate::pattern::Network;
use crate::protocol::PAYLOAD_BYTES;
pub use details::Details;
use details::{Interrupted, Variant};
use gtk::gio;
use gtk::prelude::*;
use lesson_kit::{Autopilot, Findings, Pilot, ScenarioError, Span, ms};
use run::Run;
use std::rc::Rc;
use std::time::Duration;
use watch::{Seen, received};

impl Autopilot for Network {
    type Details = Details;

    async fn scenario(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let app = &self.app;
        let view = &app.view;
        let seen = Seen::watch(view, pilot.window());
        let run = Run {
            pilot: &pilot,
            view,
            seen: &seen,
            patience: app.limit * 4 + Duration::from_secs(30),
        };
        let pollable = pollable(app.address).await?;

        // 1. Fetch, on the main loop, the server answering.
        let first = run.fetch(&view.fetch).await?;

        // 2. Fetch again, cancelled a third of the way in. The book's
        //    picture is taken then: a fetch under way, the counter ticking.
        let cancelled = run.cancel_a_third_in(&view.fetch, true).await?;

        // 3. The server stalls: the fetch times out.
        run.ask(&view.stalls).await?;
        let stalled = run.fetch(&view.fetch).await?;

        // 4. The server drops the connection half way.
        run.ask(&view.drops).await?;
        let dropped = run.fetch(&view.fetch).await?;

        // 5. The same fetch with std::net, on a worker thread.
        run.ask(&view.answers).await?;
        let worker = run.fetch(&view.on_thread).await?;
        let thread_cancelled =
            run.cancel_a_third_in(&view.on_thread, false).await?;
        let span = Span { from: first.pressed.dispatched, to: worker.ended.at };

        // 6. And in the click handler: the press returns when it has.
        let frozen = run.fetch(&view.blocking).await?;

        // 7. A last fetch, left running: the window closes mid-fetch.
        let last = pilot.press(&view.fetch).await?;
        let a_quarter = |t: &str| received(t) >= PAYLOAD_BYTES / 4;
        run.until(&seen.progress, last.sent, a_quarter).await?;
        let running = view.outcome.label().starts_with("Fetching");
        // Last, so that each click's first frame after it has been painted.
        let variant = |fetch| Variant::of(&pilot, &seen, fetch);
        let interrupted = |fetch| Interrupted::of(&pilot, &seen, fetch);

        Ok(Findings {
            span,
            work_wall: first.ended.at - first.pressed.dispatched,
            details: Details {
                server: view.server.label().into(),
                pollable,
                timeout_ms: ms(app.limit),
                fetch: variant(&first),
                cancelled,
                timed_out: interrupted(&stalled),
                dropped: interrupted(&dropped),
                on_thread: variant(&worker),
                cancelled_on_thread: thread_cancelled,
                blocking: variant(&frozen),
                fetch_running_at_close: running
                    && received(&watch::bar_text(&view.progress))
                        < PAYLOAD_BYTES,
            },
        })
    }
}

/// Whether gio can poll the input stream of a connection made the way
/// Fetch makes its own. The lesson's server sees a connection that asks
/// nothing, and closes it.
async fn pollable(
    address: std::net::SocketAddr,
) -> Result<bool, ScenarioError> {
    let connection =
        fetch::connect(address).await.map_err(|e| e.to_string())?;
    let pollable = connection
        .input_stream()
        .dynamic_cast_ref::<gio::PollableInputStream>()
        .is_some_and(|stream| stream.can_poll());
    let closed = connection.close_future(glib::Priority::DEFAULT).await;
    closed.map_err(|e| e.to_string())?;
    Ok(pollable)
}
