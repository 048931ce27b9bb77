//! The lint policy's proof that it still bites.
//!
//! With the `violations` feature, this crate calls every method that
//! `clippy.toml` lists under `disallowed-methods` and holds a `RefCell` borrow
//! and a `MutexGuard` across an `.await`, all without `#[expect]`. `cargo xtask
//! lint-policy` runs clippy on it and fails unless clippy denies each of them.
//! Without the feature the crate is empty.

#[cfg(feature = "violations")]
pub mod async_apis;
#[cfg(feature = "violations")]
pub mod violations;
