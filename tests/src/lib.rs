//! See tests/compile.rs.
