//! The compile and lint checks can fail, and can pass: two fixture exercises run through the
//! same checks as the real ones (one cargo build, one cargo clippy), each failing for its
//! reason as shipped while its fixed twin passes. `--verify` proves the same of the run check
//! on the lessons' exercises.

use std::path::PathBuf;
use xtask_exercises::catalogue::{self, Catalogue, Check, Exercise, Variant};
use xtask_exercises::check::{self, Step};
use xtask_exercises::verdict::Kind;

fn fixture(name: &str, files: [&str; 2], fails: Kind, because: &str) -> Exercise {
    Exercise {
        name: name.to_string(),
        title: format!("the fixture {name}"),
        task: "Fix it.".to_string(),
        checks: vec![Check::Compile, Check::Lint],
        fails,
        because: Some(because.to_string()),
        hint: "the fixture's own hint".to_string(),
        section: "exercises.md#adding-an-exercise".to_string(),
        run: None,
        package: "xtask-exercises".to_string(),
        lesson: "none".to_string(),
        exercise: PathBuf::from(format!("xtask/exercises/fixtures/{}", files[0])),
        solution: PathBuf::from(format!("xtask/exercises/fixtures/{}", files[1])),
    }
}

#[test]
fn the_compile_and_lint_checks_fail_as_shipped_and_pass_fixed() {
    let root = catalogue::root();
    // The state of these checks goes to a directory of their own, not target/exercises.json.
    let state = std::env::temp_dir().join(format!("exercises-checks-{}", std::process::id()));
    let catalogue = Catalogue { root, target: state.clone(), exercises: Vec::new() };
    let files = ["broken.rs", "broken_fixed.rs"];
    let broken = fixture("00-broken", files, Kind::DoesNotCompile, "error[E0308]");
    let files = ["blocks.rs", "blocks_marked.rs"];
    let blocks = fixture("00-blocks", files, Kind::Lint, "`std::thread::sleep`");
    let programs = [
        (&broken, Variant::Exercise),
        (&broken, Variant::Solution),
        (&blocks, Variant::Exercise),
        (&blocks, Variant::Solution),
    ];
    let reports = check::check(&catalogue, &programs, &|_| {});
    let saved = std::fs::read_to_string(state.join("exercises.json"));
    let _ = std::fs::remove_dir_all(&state);
    let reports = reports.unwrap();

    let failure = reports[0].failure().expect("00-broken must not compile");
    assert_eq!(failure.kind, Kind::DoesNotCompile);
    assert!(failure.measured.starts_with("it does not compile yet: "), "{failure:?}");
    assert!(failure.measured.contains("error[E0308]: mismatched types"), "{failure:?}");
    assert_eq!(reports[0].steps.len(), 1, "nothing is checked after a failed compile");
    assert_eq!(
        failure.details.last().map(String::as_str),
        Some(
            "(in full: cargo build -p xtask-exercises --features exercises --example \
             exercise-00-broken)"
        )
    );
    assert!(broken.fails_so(failure), "the failure it is about, for --verify");
    let elsewhere = Exercise { because: Some("error[E0277]".into()), ..broken.clone() };
    assert!(!elsewhere.fails_so(failure), "another compile error is another reason");
    assert_eq!(
        failure.message(Kind::DoesNotCompile, &broken.hint),
        format!("{}: the fixture's own hint", failure.measured)
    );

    let failure = reports[2].failure().expect("00-blocks must fail the lint policy");
    assert_eq!(failure.kind, Kind::Lint);
    assert!(failure.measured.starts_with("clippy: "), "{failure:?}");
    assert!(
        failure.measured.contains("use of a disallowed method `std::thread::sleep`"),
        "{failure:?}"
    );
    assert!(blocks.fails_so(failure) && !broken.fails_so(failure));
    let command = failure.details.last().unwrap();
    assert!(command.ends_with("--example exercise-00-blocks -- -D warnings)"), "{command}");

    for fixed in [&reports[1], &reports[3]] {
        assert_eq!(fixed.failure(), None, "{fixed:#?}");
        let checks: Vec<Check> = fixed.steps.iter().map(|(check, _)| *check).collect();
        assert_eq!(checks, [Check::Compile, Check::Lint]);
        assert!(fixed.steps.iter().all(|(_, step)| matches!(step, Step::Passed(_))));
    }
    let saved = saved.unwrap();
    assert!(saved.contains("\"00-broken\"") && saved.contains("\"00-blocks --solution\""));
}
