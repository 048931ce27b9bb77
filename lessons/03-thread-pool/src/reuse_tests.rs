//! The small jobs' ways, without the window: once stopped, none queues a
//! job or claims a timing, so that closing the window mid-comparison ends
//! it at once. (That every way runs every job exactly once is the
//! scenario's to check: ten thousand threads would load the machine under
//! the batch's tests, which run alongside these.)

use crate::reuse::{WAYS, time};
use std::sync::atomic::AtomicBool;

#[test]
fn a_stopped_comparison_queues_no_job_and_says_it_stopped() {
    for way in WAYS {
        let outcome = time(way, &AtomicBool::new(true));
        assert_eq!(outcome.err().as_deref(), Some("stopped"), "{way:?}");
    }
}
