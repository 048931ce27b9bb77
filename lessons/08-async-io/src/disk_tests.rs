//! The file helpers of `disk.rs`, without a window.

use crate::disk::{TempDir, checksum, chunk_bytes_for};
use gtk::gio;
use gtk::prelude::*;
use std::time::{Duration, Instant};

#[test]
fn chunks_scale_with_the_work_and_stay_whole_pages() {
    assert_eq!(chunk_bytes_for(Duration::from_secs(5)), 1 << 20);
    assert_eq!(chunk_bytes_for(Duration::from_millis(20)), 64 << 10);
    assert_eq!(chunk_bytes_for(Duration::from_millis(1000)) % 4096, 0);
    assert_eq!(chunk_bytes_for(Duration::from_secs(600)), 4 << 20);
}

#[test]
fn a_cancelled_checksum_fails_with_gio_s_cancelled_error() {
    let dir = TempDir::create().unwrap();
    let path = dir.path().join("small.bin");
    std::fs::write(&path, vec![7u8; 3 << 20]).unwrap();

    let cancellable = gio::Cancellable::new();
    let sum = checksum(&path, 1 << 20, None, &cancellable).unwrap();
    assert_eq!(sum.bytes, 3 << 20);

    cancellable.cancel();
    let error = checksum(&path, 1 << 20, None, &cancellable).unwrap_err();
    assert!(error.matches(gio::IOErrorEnum::Cancelled), "{error}");

    dir.remove().unwrap();
    assert!(!dir.path().exists());
    dir.remove().unwrap();
}

#[test]
fn the_slow_disk_pauses_after_each_block() {
    let dir = TempDir::create().unwrap();
    let path = dir.path().join("four.bin");
    std::fs::write(&path, vec![1u8; 4 << 10]).unwrap();
    let pace = Some(Duration::from_millis(20));

    let started = Instant::now();
    let cancellable = gio::Cancellable::new();
    let sum = checksum(&path, 1 << 10, pace, &cancellable).unwrap();
    assert_eq!(sum.bytes, 4 << 10);
    let took = started.elapsed();
    assert!(took >= Duration::from_millis(80), "four blocks took {took:?}");
    dir.remove().unwrap();
}
