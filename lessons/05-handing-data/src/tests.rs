//! Unit tests of the table and the aliasing worker, without a window.

use crate::aliasing::{self, BATCH, Handoff, Message, Summary};
use crate::table::{ROW_BYTES, Table};
use std::sync::Arc;

#[test]
fn a_table_has_whole_rows_of_8_kib() {
    let table = Table::generate(3 * ROW_BYTES + 1);
    assert_eq!(table.rows(), 4);
    assert_eq!(table.bytes(), 4 * ROW_BYTES);
    assert_eq!(Table::generate(0).rows(), 1);
}

#[test]
fn a_move_keeps_the_rows_where_they_were() {
    let table = Table::generate(10 * ROW_BYTES);
    let address = table.address();
    let moved = std::thread::spawn(move || table);
    #[expect(clippy::disallowed_methods, reason = "a unit test")]
    let back = moved.join().unwrap();
    assert_eq!(back.address(), address);
}

#[test]
fn a_clone_is_equal_but_shares_no_row() {
    let table = Table::generate(10 * ROW_BYTES);
    let copy = table.clone();
    assert_eq!(copy, table);
    assert!(!copy.shares_rows_with(&table));
    assert_ne!(copy.address(), table.address());
}

/// Runs the aliasing worker to its end: what it sent, and what the window
/// would show then.
fn after_the_worker(handoff: Handoff) -> (Summary, Summary) {
    let (thread, messages) = aliasing::spawn(handoff, Arc::default()).unwrap();
    #[expect(clippy::disallowed_methods, reason = "a unit test")]
    let Ok(Message::Sent { readings, at_send, .. }) = messages.recv_blocking()
    else {
        panic!("no batch")
    };
    #[expect(clippy::disallowed_methods, reason = "a unit test")]
    let done = messages.recv_blocking();
    assert!(matches!(done, Ok(Message::Done)));
    #[expect(clippy::disallowed_methods, reason = "a unit test")]
    thread.handle.join().unwrap();
    (at_send, readings.summary())
}

#[test]
fn a_shared_buffer_shows_the_next_batch() {
    let (at_send, shown) = after_the_worker(Handoff::ShareTheBuffer);
    assert_eq!((at_send.first, at_send.len), (1_000_000, BATCH));
    assert_eq!((shown.first, shown.len), (2_000_000, BATCH));
}

#[test]
fn a_copy_or_a_move_shows_what_was_sent() {
    for handoff in [Handoff::CloneUnderLock, Handoff::Move] {
        let (at_send, shown) = after_the_worker(handoff);
        assert_eq!(shown, at_send, "{handoff:?}");
        assert_eq!(shown.first, 1_000_000);
    }
}

#[test]
fn a_batch_reads_as_the_window_shows_it() {
    let summary = Summary { len: 3, first: 2_000_000, sum: 6_000_003 };
    let text = "batch 2: 3 readings from 2000000, sum 6000003";
    assert_eq!(summary.to_string(), text);
}
