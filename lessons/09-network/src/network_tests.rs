//! The protocol, the server and both clients, without a window: the gio
//! fetch runs on a main context of the test thread's own.

use crate::blocking::{connect_blocking, fetch_blocking};
use crate::fetch::fetch;
use crate::protocol::{
    Behaviour, Failure, Fnv1a, PAYLOAD_BYTES, PIECES, Progress, Receiving,
    header, payload,
};
use crate::server::Server;
use std::time::{Duration, Instant};

const PACE: Duration = Duration::from_millis(2);
/// How long a client waits for the next bytes. Generous: on a loaded
/// two-core machine a thread can wait half a second for a processor, and
/// only the stalling server may make a client time out here.
const LIMIT: Duration = Duration::from_secs(2);

fn on_own_context<T>(future: impl Future<Output = T>) -> T {
    let context = glib::MainContext::new();
    #[expect(
        clippy::disallowed_methods,
        reason = "a test thread drives its own context; no window waits on it"
    )]
    context.block_on(future)
}

fn blocking(server: &Server, ask: Behaviour) -> Result<usize, Failure> {
    let mut stream = connect_blocking(server.address, LIMIT)?;
    let fetched = fetch_blocking(&mut stream, ask, LIMIT, |_| {})?;
    assert_eq!(fetched.fnv1a, fetched.expected, "damaged on the way");
    Ok(fetched.bytes)
}

#[test]
fn a_header_and_a_payload_split_anywhere_arrive_whole() {
    let payload = payload();
    let mut bytes = header(&payload).into_bytes();
    bytes.extend_from_slice(&payload);
    for split in [1, 7, 4096, 10_000] {
        let mut receiving = Receiving::default();
        for part in bytes.chunks(split) {
            receiving.take(part).unwrap();
        }
        let fetched = receiving.finish().unwrap();
        assert_eq!(fetched.bytes, PAYLOAD_BYTES);
        assert_eq!(fetched.fnv1a, Fnv1a::of(&payload).0);
        assert_eq!(fetched.fnv1a, fetched.expected);
    }
}

#[test]
fn a_payload_cut_short_is_a_dropped_connection_not_a_success() {
    let payload = payload();
    let mut receiving = Receiving::default();
    receiving.take(header(&payload).as_bytes()).unwrap();
    receiving.take(&payload[..1000]).unwrap();
    let length = PAYLOAD_BYTES;
    let dropped = Failure::Dropped(Progress { received: 1000, length });
    assert_eq!(receiving.finish(), Err(dropped));
}

#[test]
fn the_server_answers_stalls_or_drops_as_asked() {
    let server = Server::start(PACE).unwrap();
    assert!(server.address.ip().is_loopback());
    assert_eq!(blocking(&server, Behaviour::Answer), Ok(PAYLOAD_BYTES));
    let quarter =
        Progress { received: PAYLOAD_BYTES / 4, length: PAYLOAD_BYTES };
    let stalled = Failure::TimedOut { progress: quarter, silence: LIMIT };
    assert_eq!(blocking(&server, Behaviour::Stall), Err(stalled));
    let half = Progress { received: PAYLOAD_BYTES / 2, length: PAYLOAD_BYTES };
    assert_eq!(blocking(&server, Behaviour::Drop), Err(Failure::Dropped(half)));
    // It is still there for the next client.
    assert_eq!(blocking(&server, Behaviour::Answer), Ok(PAYLOAD_BYTES));
    server.stop().unwrap();
}

#[test]
fn the_server_sends_in_pieces_at_its_pace() {
    let pace = Duration::from_millis(10);
    let server = Server::start(pace).unwrap();
    let started = Instant::now();
    let mut stream = connect_blocking(server.address, LIMIT).unwrap();
    let mut reads = 0;
    let count = |_| reads += 1;
    fetch_blocking(&mut stream, Behaviour::Answer, LIMIT, count).unwrap();
    let took = started.elapsed();
    assert!(took >= pace * PIECES as u32, "all of it in {took:?}");
    assert!(reads >= PIECES / 2, "{reads} reads for {PIECES} pieces");
    server.stop().unwrap();
}

#[test]
fn stopping_the_server_mid_answer_or_mid_stall_is_prompt() {
    // Mid-answer: waiting a long pace for its next piece. Mid-stall:
    // silent after a quarter, waiting for the client to hang up.
    for (ask, pace, shown) in [
        (Behaviour::Answer, Duration::from_secs(5), 0),
        (Behaviour::Stall, PACE, PAYLOAD_BYTES / 4),
    ] {
        let server = Server::start(pace).unwrap();
        let mut stream = connect_blocking(server.address, LIMIT).unwrap();
        let (progress, seen) = std::sync::mpsc::channel();
        let client = std::thread::spawn(move || {
            let limit = Duration::from_secs(30);
            let tell = |p: Progress| {
                let _ = progress.send(p.received);
            };
            fetch_blocking(&mut stream, ask, limit, tell)
        });
        // The header came, and for the stall, the quarter before it.
        let patience = Duration::from_secs(5);
        #[expect(clippy::disallowed_methods, reason = "a test thread")]
        while seen.recv_timeout(patience).expect("progress") < shown {}
        let started = Instant::now();
        server.stop().unwrap();
        let took = started.elapsed();
        assert!(took < Duration::from_secs(1), "{ask:?}: {took:?}");
        #[expect(clippy::disallowed_methods, reason = "a test thread")]
        let fetched = client.join().unwrap();
        assert!(matches!(fetched, Err(Failure::Dropped(_))), "{fetched:?}");
    }
}

#[test]
fn gio_fetches_the_same_and_fails_the_same() {
    let server = Server::start(PACE).unwrap();
    let address = server.address;
    let (whole, stalled, dropped) = on_own_context(async move {
        let get = |ask| fetch(address, ask, LIMIT, |_| {});
        (
            get(Behaviour::Answer).await,
            get(Behaviour::Stall).await,
            get(Behaviour::Drop).await,
        )
    });
    let whole = whole.unwrap();
    assert_eq!((whole.bytes, whole.fnv1a), (PAYLOAD_BYTES, whole.expected));
    assert!(
        matches!(stalled, Err(Failure::TimedOut { progress, .. })
            if progress.received == PAYLOAD_BYTES / 4),
        "{stalled:?}"
    );
    assert!(
        matches!(dropped, Err(Failure::Dropped(progress))
            if progress.received == PAYLOAD_BYTES / 2),
        "{dropped:?}"
    );
    server.stop().unwrap();
}
