//! What the lesson's client and server say to each other. The client sends
//! one line asking the server how to behave; the server answers with a
//! header line, the payload's length and checksum, then the payload in
//! pieces. Both clients, gio's and std::net's, feed what they read to the
//! same `Receiving`, so that they differ only in how they wait.

/// The payload comes in this many pieces...
pub const PIECES: usize = 64;
/// ...of this many bytes each: 256 KiB in all.
pub const PIECE_BYTES: usize = 4096;
pub const PAYLOAD_BYTES: usize = PIECES * PIECE_BYTES;
/// The longest header a server may send: two numbers and a space.
const MAX_HEADER: usize = 64;

/// How the server should behave, as the window's toggle buttons ask.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Behaviour {
    /// Every piece, then it closes the connection.
    Answer,
    /// A quarter of the pieces, then nothing, until the client hangs up.
    Stall,
    /// Half of the pieces, then it closes the connection mid-payload.
    Drop,
}

impl Behaviour {
    /// The request line that asks for it.
    pub fn request(self) -> &'static [u8] {
        match self {
            Self::Answer => b"answer\n",
            Self::Stall => b"stall\n",
            Self::Drop => b"drop\n",
        }
    }

    pub fn from_request(line: &str) -> Option<Self> {
        match line.trim_end() {
            "answer" => Some(Self::Answer),
            "stall" => Some(Self::Stall),
            "drop" => Some(Self::Drop),
            _ => None,
        }
    }

    /// How many pieces the server sends before it stops.
    pub fn pieces(self) -> usize {
        match self {
            Self::Answer => PIECES,
            Self::Stall => PIECES / 4,
            Self::Drop => PIECES / 2,
        }
    }
}

/// The payload: `PAYLOAD_BYTES` from a xorshift generator, the same every
/// time, so that a damaged byte shows in the checksum.
pub fn payload() -> Vec<u8> {
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut bytes = Vec::with_capacity(PAYLOAD_BYTES + 8);
    while bytes.len() < PAYLOAD_BYTES {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        bytes.extend_from_slice(&state.to_le_bytes());
    }
    bytes.truncate(PAYLOAD_BYTES);
    bytes
}

/// 64-bit FNV-1a, fed as the bytes arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fnv1a(pub u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Self(0xcbf2_9ce4_8422_2325)
    }
}

impl Fnv1a {
    pub fn update(&mut self, bytes: &[u8]) {
        for byte in bytes {
            self.0 =
                (self.0 ^ u64::from(*byte)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub fn of(bytes: &[u8]) -> Self {
        let mut sum = Self::default();
        sum.update(bytes);
        sum
    }
}

/// The header line the server sends first: "<length> <fnv1a>\n".
pub fn header(payload: &[u8]) -> String {
    format!("{} {:016x}\n", payload.len(), Fnv1a::of(payload).0)
}

/// How far a fetch has got.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Progress {
    pub received: usize,
    /// The payload's length, as the header announced it.
    pub length: usize,
}

/// A whole payload, with its checksum and the server's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Fetched {
    pub bytes: usize,
    pub fnv1a: u64,
    pub expected: u64,
}

/// How a fetch failed. A cancel is not among them: the user asked for it.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// No byte came for `silence`.
    TimedOut { progress: Progress, silence: std::time::Duration },
    /// The connection ended before the announced length.
    Dropped(Progress),
    /// The network said no: refused, reset, unreachable...
    Io(String),
    /// The server said something that is not the protocol.
    Protocol(String),
}

impl From<glib::Error> for Failure {
    fn from(error: glib::Error) -> Self {
        Self::Io(error.to_string())
    }
}

impl From<std::io::Error> for Failure {
    fn from(error: std::io::Error) -> Self {
        Self::Io(error.to_string())
    }
}

/// What a client has received so far: the header once it is complete,
/// then the payload's length and checksum.
#[derive(Debug, Default)]
pub struct Receiving {
    header: Vec<u8>,
    expected: Option<(usize, u64)>,
    received: usize,
    sum: Fnv1a,
}

impl Receiving {
    /// Takes the bytes of one read. Returns the progress once the header
    /// is known.
    pub fn take(&mut self, mut bytes: &[u8]) -> Result<Progress, Failure> {
        if self.expected.is_none() {
            let end = bytes.iter().position(|b| *b == b'\n');
            let (line, rest) =
                bytes.split_at(end.map_or(bytes.len(), |n| n + 1));
            self.header.extend_from_slice(line);
            if self.header.len() > MAX_HEADER {
                return Err(Failure::Protocol("no header line".into()));
            }
            if end.is_none() {
                return Ok(self.progress());
            }
            self.expected = Some(parse_header(&self.header)?);
            bytes = rest;
        }
        self.received += bytes.len();
        self.sum.update(bytes);
        Ok(self.progress())
    }

    pub fn progress(&self) -> Progress {
        let length = self.expected.map_or(0, |(length, _)| length);
        Progress { received: self.received, length }
    }

    /// The connection has ended: the whole payload, or a dropped one.
    pub fn finish(self) -> Result<Fetched, Failure> {
        let progress = self.progress();
        match self.expected {
            Some((length, expected)) if self.received == length => {
                Ok(Fetched { bytes: length, fnv1a: self.sum.0, expected })
            }
            Some((length, _)) if self.received > length => {
                Err(Failure::Protocol(format!("more than {length} bytes came")))
            }
            _ => Err(Failure::Dropped(progress)),
        }
    }
}

fn parse_header(line: &[u8]) -> Result<(usize, u64), Failure> {
    let bad = || Failure::Protocol("a malformed header".into());
    let line = std::str::from_utf8(line).map_err(|_| bad())?;
    let (length, sum) = line.trim_end().split_once(' ').ok_or_else(bad)?;
    let length = length.parse().map_err(|_| bad())?;
    let sum = u64::from_str_radix(sum, 16).map_err(|_| bad())?;
    Ok((length, sum))
}
