//! One call for each entry of `disallowed-methods` in `clippy.toml`, in the
//! same order, up to the child processes (gio's and tokio's are in
//! `async_apis.rs`), and the two `.await`s that the workspace's
//! `await_holding_*` lints deny. None of it ever runs.

use std::cell::RefCell;
use std::sync::{Barrier, Condvar, Mutex, mpsc};
use std::time::Duration;

pub fn blocking_calls() {
    std::thread::sleep(Duration::from_millis(1));

    let context = glib::MainContext::default();
    context.iteration(false);
    context.block_on(async {});
    glib::MainLoop::new(None, false).run();

    std::thread::park();
    std::thread::park_timeout(Duration::from_millis(1));

    let _ = std::thread::spawn(|| {}).join();
    std::thread::scope(|scope| {
        let _ = scope.spawn(|| {}).join();
    });
    if let Ok(job) =
        glib::ThreadPool::shared(None).and_then(|pool| pool.push(|| {}))
    {
        let _ = job.join();
    }

    let (lock, condvar) = (Mutex::new(false), Condvar::new());
    let _guard = condvar.wait(lock.lock().unwrap());
    Barrier::new(1).wait();

    let (_sender, receiver) = mpsc::channel::<u8>();
    let _ = receiver.recv();
    let _ = receiver.recv_timeout(Duration::from_millis(1));
    for _ in receiver.iter() {}

    let (sender, receiver) = async_channel::bounded::<u8>(1);
    let _ = receiver.recv_blocking();
    let _ = sender.send_blocking(0);

    let mut command = std::process::Command::new("true");
    let (_, _) = (command.output(), command.status());
    let mut child = command.spawn().unwrap();
    let (_, _) = (child.wait(), child.wait_with_output());
}

pub async fn holding_a_borrow_across_an_await(cell: &RefCell<u8>) {
    let mut value = cell.borrow_mut();
    std::future::ready(()).await;
    *value += 1;
}

pub async fn holding_a_lock_across_an_await(mutex: &Mutex<u8>) {
    let mut value = mutex.lock().unwrap();
    std::future::ready(()).await;
    *value += 1;
}
