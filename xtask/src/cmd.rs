//! Running child programs from the workspace root, and turning their failures into one line on
//! stderr plus an exit code instead of a panic.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Output, Stdio};

/// The exit code for a mistake in how xtask was called, or a machine it cannot fix by itself.
pub const EXIT_USAGE: u8 = 2;

/// Why a command stopped: what to print, unless the failing child has already said it on its
/// own stderr, and the exit code to pass on.
#[derive(Debug)]
pub struct Failure {
    pub message: Option<String>,
    pub code: u8,
}

pub type Result<T = ()> = std::result::Result<T, Failure>;

impl Failure {
    pub fn new(message: impl Into<String>) -> Self {
        Self { message: Some(message.into()), code: 1 }
    }

    pub fn usage(message: impl Into<String>) -> Self {
        Self { message: Some(message.into()), code: EXIT_USAGE }
    }

    /// A child that failed and explained itself: repeating its complaint would only bury it.
    /// A code of 0 or one out of range (or death by a signal) still reads as a failure.
    pub fn quiet(status: ExitStatus) -> Self {
        let code = status.code().and_then(|code| u8::try_from(code).ok()).filter(|&c| c != 0);
        Self { message: None, code: code.unwrap_or(1) }
    }
}

impl From<lexopt::Error> for Failure {
    fn from(error: lexopt::Error) -> Self {
        Self::usage(error.to_string())
    }
}

/// The workspace root: xtask's manifest sits one level below it.
pub fn root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest.parent().unwrap_or(manifest).to_path_buf()
}

/// A path shown relative to the workspace root, as the user typed it from there.
pub fn shown(path: &Path) -> String {
    path.strip_prefix(root()).unwrap_or(path).display().to_string()
}

pub fn step(title: &str) {
    eprintln!("==> {title}");
}

/// The cargo that started xtask, so `cargo +toolchain xtask` keeps using that toolchain.
pub fn cargo_program() -> std::ffi::OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

pub fn cargo() -> Command {
    command(cargo_program())
}

/// A command that runs in the workspace root, whatever directory xtask was started from.
pub fn command(program: impl AsRef<OsStr>) -> Command {
    let mut command = Command::new(program);
    command.current_dir(root());
    command
}

/// The command line as a user would type it (the program by its file name, not its full path).
pub fn describe(command: &Command) -> String {
    let program = Path::new(command.get_program());
    let mut words = vec![program.file_name().unwrap_or(program.as_os_str()).to_string_lossy()];
    words.extend(command.get_args().map(OsStr::to_string_lossy));
    words.join(" ")
}

/// Runs `command` with the terminal as its stdio, under a header naming it; a failure names the
/// command and carries its exit code.
pub fn run(command: &mut Command) -> Result {
    let what = describe(command);
    step(&what);
    match status(command)? {
        status if status.success() => Ok(()),
        status => Err(Failure {
            message: Some(format!("`{what}` failed ({status})")),
            ..Failure::quiet(status)
        }),
    }
}

pub fn status(command: &mut Command) -> Result<ExitStatus> {
    command.status().map_err(|e| not_started(command, e))
}

/// `command`'s stdout and exit status (stderr goes where it was set to, `status` leaves all three
/// to the terminal); only a failure to start is an error.
pub fn capture(command: &mut Command) -> Result<Output> {
    command.output().map_err(|e| not_started(command, e))
}

fn not_started(command: &Command, e: std::io::Error) -> Failure {
    Failure::new(format!("could not start `{}`: {e}", describe(command)))
}

/// For `map_err` on file system calls: `cannot read book/src: ...`.
pub fn io(verb: &'static str, path: &Path) -> impl FnOnce(std::io::Error) -> Failure + use<> {
    let shown = shown(path);
    move |e| Failure::new(format!("cannot {verb} {shown}: {e}"))
}

/// The trimmed stdout of a probe such as `pkg-config --modversion gtk4`, or `None` if it could
/// not start or failed: for probes, "absent" and "broken" call for the same remedy.
pub fn output(command: &mut Command) -> Option<String> {
    let out = command.stdin(Stdio::null()).stderr(Stdio::null()).output().ok()?;
    out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

/// Whether GTK can open a window here without Xvfb's help.
pub fn has_display() -> bool {
    let set = |var| std::env::var_os(var).is_some_and(|value| !value.is_empty());
    set("DISPLAY") || set("WAYLAND_DISPLAY")
}
