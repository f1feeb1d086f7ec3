//! `cfn-lint` over every rewired template the other rewiring tests bless (`tests/rewire/*/expected.json`
//! and `tests/fixtures/sam/*.rewired.json`): zero errors. cfn-lint takes seconds to start, so it runs
//! once over all files. Without cfn-lint the test is skipped, unless `RUN_SLOW_TESTS=1`
//! (scripts/test.sh) makes that a failure.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use canary_test_support::cfn_lint;

fn rewired_templates() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut files = Vec::new();
    for entry in std::fs::read_dir(root.join("rewire")).unwrap() {
        let expected = entry.unwrap().path().join("expected.json");
        if expected.exists() {
            files.push(expected);
        }
    }
    for entry in std::fs::read_dir(root.join("fixtures/sam")).unwrap() {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".rewired.json") {
            files.push(path);
        }
    }
    files.sort();
    files
}

#[test]
fn cfn_lint_finds_no_error_in_any_rewired_template() {
    let files = rewired_templates();
    assert!(files.len() >= 30, "expected the golden outputs, found {}", files.len());
    cfn_lint::assert_no_errors(&files, "rewired templates");
}
