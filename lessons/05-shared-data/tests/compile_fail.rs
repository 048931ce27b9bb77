//! What the compiler refuses about handing data over, as trybuild cases in the manner of the
//! project's catalogue (`tests/ui/` at the root, the chapter "What the compiler forbids"): each
//! case must fail with the error committed next to it, and its twin, the fix, must compile.
//!
//! After a toolchain change, rewrite the expected errors with
//! `TRYBUILD=overwrite cargo test -p lesson-05-shared-data --test compile_fail`, and read them.

// ANCHOR: cases
#[test]
fn the_compiler_checks_what_crosses() {
    let cases = trybuild::TestCases::new();
    cases.compile_fail("tests/ui/use_after_send.rs");
    cases.pass("tests/ui/use_after_send_twin.rs");
    cases.compile_fail("tests/ui/arc_is_read_only.rs");
    cases.pass("tests/ui/arc_is_read_only_twin.rs");
}
// ANCHOR_END: cases
