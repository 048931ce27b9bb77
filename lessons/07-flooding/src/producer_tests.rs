//! The worker alone, without a window: the transports' bounds hold whatever
//! the receiver does, and the worker stops when it is told to or when nobody
//! listens.

use crate::producer::*;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

fn channel_backlog(
    receiver: &async_channel::Receiver<Progress>,
) -> std::sync::Arc<Backlog> {
    Backlog::new(Queue::Channel(receiver.clone()))
}

#[test]
fn the_event_count_scales_with_the_work_and_is_capped() {
    assert_eq!(events_for(Duration::from_millis(20)), MIN_EVENTS);
    assert_eq!(events_for(Duration::from_millis(1000)), 200_000);
    assert_eq!(events_for(Duration::from_secs(5)), 1_000_000);
    assert_eq!(events_for(Duration::from_secs(600)), MAX_EVENTS);
}

#[test]
fn an_unbounded_channel_nobody_reads_holds_every_event() {
    let (sender, receiver) = async_channel::unbounded();
    let backlog = channel_backlog(&receiver);
    let sent = produce(10_000, Outlet::Channel(sender), &backlog, || false);
    assert_eq!(sent, Ok(10_000));
    assert_eq!(backlog.made(), 10_000);
    assert_eq!(backlog.waiting(), 10_000);
}

#[test]
fn a_bounded_channel_never_holds_more_than_its_capacity() {
    let (sender, receiver) = async_channel::bounded::<Progress>(8);
    let backlog = channel_backlog(&receiver);
    let watched = backlog.clone();
    let reader = std::thread::spawn(move || {
        let (mut last, mut most) = (0, 0);
        loop {
            most = most.max(watched.waiting());
            #[expect(clippy::disallowed_methods, reason = "a test's reader")]
            let next = receiver.recv_blocking();
            let Ok(event) = next else { return (last, most) };
            assert_eq!(event.done, last + 1, "events arrive in order");
            last = event.done;
        }
    });
    let sent = produce(10_000, Outlet::Channel(sender), &backlog, || false);
    assert_eq!(sent, Ok(10_000));
    #[expect(clippy::disallowed_methods, reason = "a test joins its reader")]
    let (received, most) = reader.join().unwrap();
    assert_eq!(received, 10_000);
    assert!((1..=8).contains(&most), "{most} waiting at most");
}

#[test]
fn closing_the_channel_releases_a_worker_blocked_on_a_full_one() {
    let (sender, receiver) = async_channel::bounded(4);
    let backlog = channel_backlog(&receiver);
    let watched = backlog.clone();
    let worker = std::thread::spawn(move || {
        produce(1_000, Outlet::Channel(sender), &watched, || false)
    });
    // Once the channel is full, the worker's next send blocks: nobody reads.
    while !receiver.is_full() {
        std::thread::yield_now();
    }
    receiver.close();
    #[expect(clippy::disallowed_methods, reason = "a test joins its worker")]
    let outcome = worker.join().unwrap();
    assert_eq!(outcome, Err(Stopped));
    assert_eq!(backlog.made(), 4, "four events were handed over");
    assert_eq!(receiver.len(), 4, "and they are still there");
}

#[test]
fn the_worker_stops_when_told() {
    let slot = Latest::new();
    let backlog = Backlog::new(Queue::Slot(slot.clone()));
    let asked = AtomicU64::new(0);
    let outlet = Outlet::Latest(Publisher::new(slot.clone()));
    let outcome = produce(1_000_000, outlet, &backlog, || {
        asked.fetch_add(1, Ordering::Relaxed) == 100
    });
    assert_eq!(outcome, Err(Stopped));
    assert_eq!(slot.take().map(|event| event.done), Some(100));
    assert!(slot.is_closed(), "dropping the publisher closes the slot");
}

#[test]
fn the_slot_keeps_only_the_latest_value() {
    let slot = Latest::new();
    let backlog = Backlog::new(Queue::Slot(slot.clone()));
    let outlet = Outlet::Latest(Publisher::new(slot.clone()));
    assert_eq!(produce(10_000, outlet, &backlog, || false), Ok(10_000));
    assert!(slot.is_closed());
    assert_eq!(backlog.waiting(), 1);
    assert_eq!(slot.take().map(|event| event.done), Some(10_000));
    assert_eq!(slot.take().map(|event| event.done), None);
    assert_eq!(backlog.waiting(), 0);
}

#[test]
fn resident_memory_is_readable_here() {
    assert!(resident_kib().is_some_and(|kib| kib > 0));
}
