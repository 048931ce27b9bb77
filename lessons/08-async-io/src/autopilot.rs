//! Lesson 08's scenario: Write, a whole read at the slow disk's pace and
//! one as fast as gio goes, a slow read cancelled a third of the way in,
//! the timer, the checksum job awaited and then polled for (the busy-wait),
//! the job once more cancelled, and a last slow read left running, so that
//! the window closes in the middle of it.
//!
//! It reads what the window shows: it watches the lines and the progress
//! bar, noting when each changed, and at each change how much CPU time the
//! main thread had used and how often it had gone to sleep and woken up
//! (`getrusage`): that is how it sees what a wait costs the main loop.

mod details;
mod run;
mod watch;

use crate::disk::CHUNKS;
use crate::pattern::AsyncIo;
pub use details::Details;
use details::{
    CancelledJob, CancelledRead, FileFigures, JobFigures, ReadFigures, Stretch,
    TimerFigures, Used, Waiting,
};
use gtk::gio;
use gtk::gio::prelude::*;
use lesson_kit::{Autopilot, Findings, Pilot, ScenarioError, Span, ms};
use run::Run;
use std::path::PathBuf;
use std::rc::Rc;
use std::time::Duration;
use watch::{Seen, bar_text, chunks};

impl Autopilot for AsyncIo {
    type Details = Details;

    async fn scenario(
        self: Rc<Self>,
        pilot: Rc<Pilot>,
    ) -> Result<Findings<Details>, ScenarioError> {
        let view = &self.app.view;
        let work = self.app.sleep_for;
        let seen = Seen::watch(view, pilot.window());
        let run = Run {
            pilot: &pilot,
            view,
            seen: &seen,
            patience: work * 4 + Duration::from_secs(20),
        };

        // 1. Write: the file, with gio's async writes.
        let write = pilot.press(&view.write).await?;
        let written =
            run.until(&seen.file, write.sent, |t| t.contains("written in"));
        let written = written.await?;
        let write_span = Span { from: write.dispatched, to: written.at };
        let path = PathBuf::from(written.text.lines().next().unwrap_or(""));
        let file = FileFigures {
            bytes: std::fs::metadata(&path).map_err(|e| e.to_string())?.len(),
            chunks: CHUNKS,
            pollable: pollable(&path).await?,
            path: path.display().to_string(),
        };

        // 2. Two whole reads: at the slow disk's pace, then at full speed.
        let slow = run.read_whole(&view.read_slowly).await?;
        let fast = run.read_whole(&view.read_fast).await?;

        // 3. A slow read, cancelled a third of the way in.
        let third = pilot.press(&view.read_slowly).await?;
        let a_third = |t: &str| chunks(t) >= CHUNKS / 3;
        run.until(&seen.progress, third.sent, a_third).await?;
        // The book's picture: a read under way, and the graph of the last
        // five seconds free of the stretches when the window is hidden.
        pilot.screenshot().await;
        let cancel = pilot.press(&view.cancel).await?;
        let over = |t: &str| !t.starts_with("Reading");
        let ended = run.until(&seen.read, cancel.sent, over).await?;
        let at_cancel = seen.progress.at(cancel.handled);
        let at_end = chunks(&bar_text(&view.progress));
        let cancelled_read = CancelledRead {
            outcome: ended.text.clone(),
            chunks_at_cancel: chunks(&at_cancel.text),
            chunks_at_end: at_end,
            progress_changes_after_cancel: seen
                .progress
                .changes(cancel.handled, pilot.span_since(cancel.sent).to),
            cancel_to_end_ms: ms(ended.at - cancel.dispatched),
        };

        // 4. The timer future.
        let sleep = pilot.press(&view.sleep).await?;
        let slept = run.until(&seen.timer, sleep.sent, |t| t.contains("done"));
        let slept = slept.await?;
        let timer_span = Span { from: sleep.handled, to: slept.at };

        // 5. The blocking job, its answer awaited; then once more, cancelled.
        let checksum = run.checksum(&view.hash).await?;
        let hash = pilot.press(&view.hash).await?;
        let cancel_job = pilot.press(&view.cancel).await?;
        let over = |t: &str| !t.contains("hashing");
        let job_ended = run.until(&seen.checksum, hash.handled, over).await?;
        let span = Span { from: slow.span.from, to: job_ended.at };

        // 6. What waiting costs the main thread: the job's answer awaited,
        //    then polled for, then nothing at all for as long, each with
        //    the window hidden so that no painting blurs the figures.
        let awaiting = run.hidden_job(&view.hash).await?;
        let polling = run.hidden_job(&view.hash_polling).await?;
        let idle = run.hidden_idle(awaiting.cost.wall).await?;

        // 7. A last slow read, left running: the window closes mid-read.
        let last = pilot.press(&view.read_slowly).await?;
        let a_quarter = |t: &str| chunks(t) >= CHUNKS / 4;
        run.until(&seen.progress, last.sent, a_quarter).await?;
        let now = chunks(&bar_text(&view.progress));
        let reading = view.read.label().starts_with("Reading");

        let bytes = file.bytes;
        Ok(Findings {
            span,
            work_wall: slow.span.to - slow.span.from,
            details: Details {
                file,
                write: Stretch::of(&pilot, write_span),
                read: ReadFigures::of(&pilot, &slow, bytes),
                full_speed_read: ReadFigures::of(&pilot, &fast, bytes),
                cancelled_read,
                timer: TimerFigures {
                    asked_ms: ms(work),
                    took_ms: ms(timer_span.to - timer_span.from),
                    stretch: Stretch::of(&pilot, timer_span),
                },
                checksum: JobFigures::of(&pilot, &checksum),
                waiting: Waiting {
                    idle: Used::from(idle),
                    awaiting: Used::from(awaiting.cost),
                    polling: Used::from(polling.cost),
                    awaited: awaiting.text,
                    polled: polling.text,
                },
                cancelled_checksum: CancelledJob {
                    outcome: job_ended.text.clone(),
                    cancel_to_end_ms: ms(job_ended.at - cancel_job.dispatched),
                },
                read_running_at_close: reading && now < CHUNKS,
            },
        })
    }
}

/// Whether gio can poll the file's stream on the main loop. A regular
/// file's cannot: gio runs each of its async reads as a blocking read on
/// its own pool.
async fn pollable(path: &std::path::Path) -> Result<bool, ScenarioError> {
    let file = gio::File::for_path(path);
    let opened = file.read_future(glib::Priority::DEFAULT).await;
    let stream = opened.map_err(|e| e.to_string())?;
    let pollable = stream
        .dynamic_cast_ref::<gio::PollableInputStream>()
        .is_some_and(|stream| stream.can_poll());
    let closed = stream.close_future(glib::Priority::DEFAULT).await;
    closed.map_err(|e| e.to_string())?;
    Ok(pollable)
}
