//! `cfn-lint` over every rewired template the other rewiring tests bless (`tests/rewire/*/expected.json`
//! and `tests/fixtures/sam/*.rewired.json`): zero errors. cfn-lint takes seconds to start, so it runs
//! once over all files. Without cfn-lint the test is skipped, unless `RUN_SLOW_TESTS=1`
//! (scripts/test.sh) makes that a failure.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use canary_test_support::{cfn_lint, sorted_entries};

fn rewired_templates() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let expected = sorted_entries(&root.join("rewire")).into_iter().map(|case| case.join("expected.json"));
    let sam_rewired = sorted_entries(&root.join("fixtures/sam"))
        .into_iter()
        .filter(|path| path.to_string_lossy().ends_with(".rewired.json"));
    let mut files: Vec<PathBuf> = expected.filter(|path| path.exists()).chain(sam_rewired).collect();
    files.sort();
    files
}

#[test]
fn cfn_lint_finds_no_error_in_any_rewired_template() {
    let files = rewired_templates();
    assert!(files.len() >= 30, "expected the golden outputs, found {}", files.len());
    cfn_lint::assert_no_errors(&files, "rewired templates");
}
