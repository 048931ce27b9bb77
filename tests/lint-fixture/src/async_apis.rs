//! One call for each entry of `clippy.toml` that denies a blocking
//! counterpart of gio's or tokio's async calls, in the same order. None of
//! it ever runs.

use std::ffi::OsStr;

pub fn blocking_calls() {
    let argv = [OsStr::new("true")];
    let none = gio::Cancellable::NONE;
    if let Ok(child) = gio::Subprocess::newv(&argv, gio::SubprocessFlags::NONE)
    {
        let _ = (child.wait(none), child.wait_check(none));
        let _ = child.communicate(None, none);
        let _ = child.communicate_utf8(None, none);
    }

    if let Ok(runtime) = tokio::runtime::Runtime::new() {
        runtime.block_on(async {});
        runtime.handle().block_on(async {});
    }
}
