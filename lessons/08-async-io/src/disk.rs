//! The lesson's file: a temporary directory it owns, the file it writes
//! there with gio's async writes, the chunked async read, and the one
//! blocking job (a checksum) that runs on gio's pool. Nothing in this file
//! touches a widget: progress goes out through a plain closure.

use gtk::gio;
use gtk::gio::prelude::*;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Every file the lesson writes is this many chunks; `--work-ms` sets the
/// chunk's size.
pub const CHUNKS: u32 = 64;
/// The chunk for the default five seconds of work: 1 MiB, a 64 MiB file.
const DEFAULT_CHUNK: u64 = 1 << 20;
const DEFAULT_WORK_MS: u64 = 5000;
/// The unit chunk sizes are rounded down to.
const PAGE: u64 = 4096;
/// The smallest chunk: below a 4 MiB file, the whole thing is too quick to
/// look at.
const MIN_CHUNK: u64 = 64 << 10;
/// The largest chunk: past a 256 MiB file, a longer `--work-ms` only slows
/// the slow disk down.
const MAX_CHUNK: u64 = 4 << 20;

/// The size of one chunk for `work`: in proportion to it, a multiple of
/// 4 KiB, from 64 KiB to 4 MiB.
pub fn chunk_bytes_for(work: Duration) -> usize {
    let work_ms = u64::try_from(work.as_millis()).unwrap_or(u64::MAX);
    let bytes = (DEFAULT_CHUNK.saturating_mul(work_ms) / DEFAULT_WORK_MS)
        .clamp(MIN_CHUNK, MAX_CHUNK);
    usize::try_from(bytes / PAGE * PAGE).expect("at most 4 MiB fits")
}

/// A directory of the lesson's own under the system's temporary directory.
/// The lesson removes it at shutdown with [`TempDir::remove`], and says so
/// if it cannot.
pub struct TempDir {
    path: PathBuf,
}

impl TempDir {
    pub fn create() -> Result<Self, String> {
        let template = std::env::temp_dir().join("lesson-08-async-io-XXXXXX");
        glib::mkdtemp(&template).map(|path| Self { path }).ok_or_else(|| {
            format!("could not create a directory like {}", template.display())
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Removes the directory and everything in it. A gio write still in
    /// flight on its pool may create or extend the file while the first
    /// attempt runs, so a failed attempt is retried.
    pub fn remove(&self) -> Result<(), String> {
        let mut attempt = 0;
        loop {
            attempt += 1;
            match std::fs::remove_dir_all(&self.path) {
                Ok(()) => return Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    return Ok(());
                }
                Err(e) if attempt == 3 => {
                    let path = self.path.display();
                    return Err(format!("could not remove {path}: {e}"));
                }
                Err(_) => std::thread::yield_now(),
            }
        }
    }
}

/// How far a write or a read has gone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Transferred {
    pub bytes: u64,
    pub chunks: u32,
}

impl Transferred {
    fn plus(self, bytes: usize) -> Self {
        Self { bytes: self.bytes + bytes as u64, chunks: self.chunks + 1 }
    }
}

// ANCHOR: generate
/// Writes `chunks` chunks of `chunk_bytes` pseudo-random bytes to a new
/// file with gio's async writes: each `.await` hands the main loop back
/// while gio's pool does the write. The only work left on the main loop is
/// filling one buffer, once, and stamping each chunk's number in it.
pub async fn generate(
    file: &gio::File,
    chunk_bytes: usize,
    chunks: u32,
    on_chunk: impl Fn(Transferred),
) -> Result<Transferred, glib::Error> {
    let flags = gio::FileCreateFlags::PRIVATE;
    let stream = file.create_future(flags, glib::Priority::DEFAULT).await?;
    let mut buffer = noise(chunk_bytes);
    let mut done = Transferred::default();
    for index in 0..chunks {
        buffer[..8].copy_from_slice(&u64::from(index).to_le_bytes());
        // The buffer goes to gio and comes back with the result: the future
        // is 'static, so it must own what it writes from, even if it is
        // dropped half way.
        let (returned, written, error) = stream
            .write_all_future(buffer, glib::Priority::DEFAULT)
            .await
            .map_err(|(_, error)| error)?;
        if let Some(error) = error {
            return Err(error);
        }
        buffer = returned;
        done = done.plus(written);
        on_chunk(done);
    }
    stream.close_future(glib::Priority::DEFAULT).await?;
    Ok(done)
}
// ANCHOR_END: generate

/// `len` bytes from a xorshift generator: cheap, and not all alike.
fn noise(len: usize) -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut bytes = Vec::with_capacity(len + 8);
    while bytes.len() < len {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(len);
    bytes
}

// ANCHOR: read
/// Reads `file` to its end, `chunk_bytes` at a time, and calls `on_chunk`
/// with the running total after each chunk. Each read is an `.await`: while
/// gio fetches the chunk, the main loop is free.
///
/// With `pace`, the file behaves like a slow disk: chunk `n` is not handed
/// over before `n * pace` has passed since the start, and the wait is a
/// timer future, not a sleep.
pub async fn read_in_chunks(
    file: &gio::File,
    chunk_bytes: usize,
    pace: Option<Duration>,
    on_chunk: impl Fn(Transferred),
) -> Result<Transferred, glib::Error> {
    let started = Instant::now();
    let stream = file.read_future(glib::Priority::DEFAULT).await?;
    let mut buffer = vec![0; chunk_bytes];
    let mut done = Transferred::default();
    loop {
        // `read_all` fills the whole buffer unless the file ends first: 0
        // bytes means the end. The buffer is lent by value, as for the write.
        let (returned, read, error) = stream
            .read_all_future(buffer, glib::Priority::DEFAULT)
            .await
            .map_err(|(_, error)| error)?;
        if let Some(error) = error {
            return Err(error);
        }
        buffer = returned;
        if read == 0 {
            break;
        }
        done = done.plus(read);
        if let Some(pace) = pace {
            let due = started + pace * done.chunks;
            let left = due.saturating_duration_since(Instant::now());
            glib::timeout_future(left).await;
        }
        on_chunk(done);
    }
    stream.close_future(glib::Priority::DEFAULT).await?;
    Ok(done)
}
// ANCHOR_END: read

// ANCHOR: checksum
/// The result of the blocking job, made on gio's pool and handed over to
/// the main loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Checksum {
    pub bytes: u64,
    /// The file's 64-bit FNV-1a hash.
    pub fnv1a: u64,
}

// It crosses from gio's pool to the main loop, and so does its error.
static_assertions::assert_impl_all!(Checksum: Send);
static_assertions::assert_impl_all!(glib::Error: Send);
static_assertions::assert_impl_all!(gio::Cancellable: Send, Sync);

/// Hashes the file with plain blocking reads of `block` bytes, pausing
/// `pace` after each like a slow disk: meant for a thread that may block,
/// never for the main loop. Before each block it checks `cancellable`, the
/// way gio's own blocking calls do: once cancelled, it fails with
/// `gio::IOErrorEnum::Cancelled`.
pub fn checksum(
    path: &Path,
    block: usize,
    pace: Option<Duration>,
    cancellable: &gio::Cancellable,
) -> Result<Checksum, glib::Error> {
    let failed = |e: std::io::Error| {
        glib::Error::new(gio::IOErrorEnum::Failed, &e.to_string())
    };
    let mut file = std::fs::File::open(path).map_err(failed)?;
    let mut buffer = vec![0; block];
    let mut sum = Checksum { bytes: 0, fnv1a: 0xcbf2_9ce4_8422_2325 };
    loop {
        cancellable.set_error_if_cancelled()?;
        let read = file.read(&mut buffer).map_err(failed)?;
        if read == 0 {
            return Ok(sum);
        }
        for byte in &buffer[..read] {
            sum.fnv1a = (sum.fnv1a ^ u64::from(*byte))
                .wrapping_mul(0x0000_0100_0000_01b3);
        }
        sum.bytes += read as u64;
        if let Some(pace) = pace {
            #[expect(
                clippy::disallowed_methods,
                reason = "gio's pool: this thread may block"
            )]
            std::thread::sleep(pace);
        }
    }
}
// ANCHOR_END: checksum
