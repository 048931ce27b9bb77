//! Nothing to import: this package exists for its tests.
//!
//! - `tests/compile.rs` runs the catalogue of forbidden patterns in
//!   `ui/<topic>/`: every `<case>.rs` must fail to compile with the error in
//!   `<case>.stderr`, and its `<case>_twin.rs`, the same code with the fix,
//!   must compile and run.
//! - `tests/runtime_guards.rs` shows the checks that Rust leaves to run time:
//!   the panics of `glib::ThreadGuard`, `glib::SendWeakRef` and gtk-rs's
//!   main-thread assertion; what a `RefCell` conflict does in a handler (abort)
//!   and in a future (the task ends); where `MainContext::invoke` and the
//!   `_local` functions really run their closures.
