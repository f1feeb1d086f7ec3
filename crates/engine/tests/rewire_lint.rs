//! `cfn-lint` over every rewired template the other rewiring tests bless (`tests/rewire/*/expected.json`
//! and `tests/fixtures/sam/*.rewired.json`): zero errors. cfn-lint takes seconds to start, so it runs
//! once over all files. It must be installed (`pip install cfn-lint`); a missing linter fails the test
//! rather than passing it unchecked.

use std::path::{Path, PathBuf};
use std::process::Command;

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
    let output = Command::new("cfn-lint")
        .args(["--format", "parseable", "--"])
        .args(&files)
        .output()
        .unwrap_or_else(|e| panic!("cannot run cfn-lint ({e}); install it with `pip install cfn-lint`"));
    let findings = String::from_utf8_lossy(&output.stdout);
    let errors: Vec<&str> =
        findings.lines().filter(|l| l.split(':').nth(4).is_some_and(|rule| rule.starts_with('E'))).collect();
    // cfn-lint's exit code is a bit set: 2 means errors, 4 warnings, 8 informational findings.
    let code = output.status.code().unwrap_or(-1);
    assert!(
        errors.is_empty() && code >= 0 && code & 2 == 0 && code & 1 == 0,
        "cfn-lint exit {code}:\n{findings}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
}
