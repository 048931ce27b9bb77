//! How long a future holds the main loop. A future on the main loop runs only while it is being
//! polled: from one `.await` that is ready to the next one that is not. Timing every poll says how
//! much of a task's life the main loop spent on it, at a finer grain than the heartbeat's 10 ms.

use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

/// The polls of one future.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Meter {
    pub polls: u32,
    /// The main loop's time inside the future, all polls together.
    pub busy: Duration,
    /// The longest single poll: the longest the future held the main loop in one go.
    pub longest: Duration,
}

// ANCHOR: metered
/// Wraps a future and times each of its polls. Resolves to the future's output and the meter.
pub struct Metered<F: Future> {
    inner: Pin<Box<F>>,
    meter: Meter,
}

impl<F: Future> Metered<F> {
    pub fn new(inner: F) -> Self {
        Self { inner: Box::pin(inner), meter: Meter::default() }
    }
}

impl<F: Future> Future for Metered<F> {
    type Output = (F::Output, Meter);

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        // Both fields are Unpin (the inner future is boxed), so the wrapper may be moved freely.
        let this = self.get_mut();
        let started = Instant::now();
        let poll = this.inner.as_mut().poll(cx);
        let held = started.elapsed();
        this.meter.polls += 1;
        this.meter.busy += held;
        this.meter.longest = this.meter.longest.max(held);
        poll.map(|output| (output, this.meter))
    }
}
// ANCHOR_END: metered

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_poll_is_counted_and_timed() {
        let context = glib::MainContext::new();
        let metered = Metered::new(async {
            glib::timeout_future(Duration::from_millis(20)).await;
            7
        });
        #[expect(
            clippy::disallowed_methods,
            reason = "a test thread drives its own context; no window waits on it"
        )]
        let (output, meter) = context.block_on(metered);
        assert_eq!(output, 7);
        assert!(meter.polls >= 2, "one poll to start the timer, one when it fired: {meter:?}");
        assert!(meter.longest <= meter.busy);
        assert!(meter.busy < Duration::from_millis(20), "the wait is not the future's time");
    }
}
