//! The worker alone, without a window: nobody runs the default context
//! here, so the `timeout_add` timer never ticks, and nothing below depends
//! on it.

use super::*;
use crate::messages::{Tick, Timer};
use crate::timers::TICK;

const PATIENCE: Duration = Duration::from_secs(5);

/// Waits a little for the worker: no main loop runs on a unit test's thread.
fn nap(duration: Duration) {
    #[expect(clippy::disallowed_methods, reason = "a test thread, no loop")]
    std::thread::park_timeout(duration);
}

/// The next event that answers a command, polling without blocking on a
/// channel.
fn next_answer(events: &Receiver<Event>) -> String {
    let deadline = Instant::now() + PATIENCE;
    while Instant::now() < deadline {
        match events.try_recv() {
            Ok(event) => {
                if let Some(answer) = event.answers() {
                    return answer;
                }
            }
            Err(TryRecvError::Empty) => {
                nap(Duration::from_millis(1));
            }
            Err(TryRecvError::Closed) => panic!("the worker ended"),
        }
    }
    panic!("no answer within {PATIENCE:?}");
}

/// Every event up to the first that `is_it` picks, which comes last.
fn events_until(
    events: &Receiver<Event>,
    is_it: impl Fn(&Event) -> bool,
) -> Vec<Event> {
    let deadline = Instant::now() + PATIENCE;
    let mut seen = Vec::new();
    while Instant::now() < deadline {
        match events.try_recv() {
            Ok(event) => {
                let found = is_it(&event);
                seen.push(event);
                if found {
                    return seen;
                }
            }
            Err(TryRecvError::Empty) => {
                nap(Duration::from_millis(1));
            }
            Err(TryRecvError::Closed) => panic!("the worker ended"),
        }
    }
    panic!("not there within {PATIENCE:?}: {seen:?}");
}

/// How many ticks of the worker's own timer arrive within `wait`.
fn ticks_within(events: &Receiver<Event>, wait: Duration) -> usize {
    let deadline = Instant::now() + wait;
    let mut ticks = 0;
    while Instant::now() < deadline {
        match events.try_recv() {
            Ok(event) => ticks += usize::from(is_own_tick(&event)),
            Err(_) => {
                nap(Duration::from_millis(1));
            }
        }
    }
    ticks
}

fn is_own_tick(event: &Event) -> bool {
    matches!(event, Event::Tick(Tick { timer: Timer::WorkerContext, .. }))
}

#[test]
fn every_command_is_answered_in_the_order_sent() {
    let (worker, events) = Worker::spawn().unwrap();
    let commands = [
        Command::Start { steps: 1000 },
        Command::Pause,
        Command::Pause,
        Command::SetStepLength(Duration::from_millis(5)),
        Command::Resume,
        Command::Start { steps: 3 },
        Command::Cancel,
        Command::Cancel,
        Command::Start { steps: 3 },
    ];
    for command in &commands {
        worker.send(command.clone());
    }
    let answers: Vec<String> =
        commands.iter().map(|_| next_answer(&events)).collect();
    assert_eq!(
        answers,
        [
            "Start",
            "Pause",
            "Pause (refused: already paused)",
            "SetStepLength",
            "Resume",
            "Start (refused: a job is running)",
            "Cancel",
            "Cancel (refused: no job)",
            "Start",
        ]
    );
    assert_eq!(worker.quit_and_join(), Ok(()));
}

#[test]
fn step_lengths_are_clamped() {
    let (worker, events) = Worker::spawn().unwrap();
    worker.send(Command::SetStepLength(Duration::ZERO));
    worker.send(Command::SetStepLength(Duration::from_secs(60)));
    let mut applied = Vec::new();
    while applied.len() < 2 {
        if let Ok(Event::StepLengthSet(length)) = events.try_recv() {
            applied.push(length);
        }
        nap(Duration::from_millis(1));
    }
    assert_eq!(applied, [*STEP_RANGE.start(), *STEP_RANGE.end()]);
    assert_eq!(worker.quit_and_join(), Ok(()));
}

#[test]
fn a_worker_whose_window_is_gone_still_quits_cleanly() {
    let (worker, events) = Worker::spawn().unwrap();
    drop(events);
    worker.send(Command::Start { steps: 3 });
    nap(Duration::from_millis(100));
    assert_eq!(
        worker.quit_and_join(),
        Ok(()),
        "a send to the closed channel panicked"
    );
}

#[test]
fn dropping_the_handle_is_a_quit() {
    let (worker, _events) = Worker::spawn().unwrap();
    worker.send(Command::Start { steps: 1_000_000 });
    let thread = worker.thread.take().unwrap();
    drop(worker);
    let deadline = Instant::now() + PATIENCE;
    while !thread.is_finished() {
        assert!(Instant::now() < deadline, "the worker outlived its handle");
        nap(Duration::from_millis(1));
    }
}

#[test]
fn the_timers_tick_only_while_a_job_exists() {
    let (worker, events) = Worker::spawn().unwrap();
    assert_eq!(
        ticks_within(&events, 3 * TICK),
        0,
        "the timer ticked before any job"
    );
    worker.send(Command::Start { steps: 1_000_000 });
    worker.send(Command::Pause);
    // A paused job still has its timers: the first tick comes while it is
    // paused.
    let seen = events_until(&events, is_own_tick);
    assert!(
        seen.iter().any(|event| matches!(event, Event::Paused { .. })),
        "{seen:?}"
    );
    worker.send(Command::Cancel);
    events_until(&events, |event| matches!(event, Event::Cancelled { .. }));
    assert_eq!(
        ticks_within(&events, 3 * TICK),
        0,
        "the timer outlived its job"
    );
    assert_eq!(worker.quit_and_join(), Ok(()));
}

#[test]
fn a_panic_in_the_worker_ends_its_thread_and_join_says_why() {
    let (worker, events) = Worker::spawn().unwrap();
    worker.send(Command::Start { steps: 1_000_000 });
    worker.send(Command::Fail);
    let (joined, join) = std::sync::mpsc::channel();
    std::thread::spawn(move || joined.send(worker.quit_and_join()));
    #[expect(
        clippy::disallowed_methods,
        reason = "a test waits a bounded time on a join that may hang"
    )]
    let ended = join.recv_timeout(Duration::from_secs(1));
    let ended = ended.expect("quit_and_join still blocked after 1 s");
    assert_eq!(
        ended,
        Err("the worker thread panicked: a bug in the job".to_owned())
    );

    // The window hears of it too: a last event says why, then the channel
    // closes.
    let mut last = None;
    loop {
        match events.try_recv() {
            Ok(event) => last = Some(event),
            Err(TryRecvError::Closed) => break,
            Err(TryRecvError::Empty) => {
                panic!("the worker is joined, its events still open")
            }
        }
    }
    let last = format!("{last:?}");
    assert_eq!(last, r#"Some(Panicked("a bug in the job"))"#);
}
