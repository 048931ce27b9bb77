//! `cargo xtask exercise`: small broken programs, one per lesson at least, each with the mistake
//! its lesson is about, and a check that says what is still wrong.
//!
//! - [`catalogue`]: the exercises, as each lesson's exercises package declares them in
//!   `lessons/NN-name/exercises/Cargo.toml` (`[[package.metadata.exercise]]`), read with
//!   `cargo metadata`;
//! - [`cargo`]: the compile and lint checks, one cargo invocation for any number of programs;
//! - [`judge`]: the run check, the program on an X server driven from outside with real key
//!   presses and judged on its frames, the window manager's pings and its exit;
//! - [`verdict`]: what a check found, in plain words, with the hint that goes with it;
//! - [`check`]: the checks of one or several programs in order, and how they read;
//! - [`xvfb`]: a private X server for the run check;
//! - [`state`]: the last check of every exercise, kept in `target/exercises.json`;
//! - [`watch`]: the check again on every save.

#![expect(
    clippy::disallowed_methods,
    reason = "a command-line tool with no main loop: waiting for the \
              programs it runs is its job"
)]

pub mod cargo;
pub mod catalogue;
pub mod check;
pub mod judge;
pub mod state;
pub mod verdict;
pub mod watch;
pub mod xvfb;
