//! Every expansion the golden tests bless must pass `cfn-lint` with no errors.
//!
//! cfn-lint starts slowly (about two seconds), so it runs once over every `expected.json` under
//! `tests/golden`. Without cfn-lint the test is skipped, unless `RUN_SLOW_TESTS=1` (scripts/test.sh)
//! makes that a failure.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use canary_test_support::cfn_lint;

fn expected_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.filter_map(Result::ok) {
        let path = entry.path();
        if path.is_dir() {
            expected_files(&path, out);
        } else if path.file_name().is_some_and(|n| n == "expected.json") {
            out.push(path);
        }
    }
}

#[test]
fn every_golden_output_passes_cfn_lint() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let mut files = Vec::new();
    expected_files(&root, &mut files);
    files.sort();
    assert!(!files.is_empty(), "no expected.json under {}", root.display());
    cfn_lint::assert_no_errors(&files, "golden expansions");
}
