//! Every expansion the golden tests bless must pass `cfn-lint` with no errors.
//!
//! cfn-lint starts slowly (about two seconds), so it runs once over every `expected.json` under
//! `tests/golden`. The README's test command installs it when it is missing; without it this test
//! fails rather than passing unchecked.

use std::path::{Path, PathBuf};
use std::process::Command;

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
    let output = Command::new("cfn-lint")
        .args(["--format", "parseable", "--"])
        .args(&files)
        .output()
        .expect("cfn-lint is not installed: run scripts/test.sh, which installs it with pip");
    let stdout = String::from_utf8_lossy(&output.stdout);
    // cfn-lint's exit code is a bit mask: 2 means errors, 4 warnings, 8 informational findings.
    let code = output.status.code().unwrap_or(-1);
    let errors: Vec<&str> = stdout.lines().filter(|l| l.contains(":E")).collect();
    assert!(
        code >= 0 && code & 2 == 0 && code & 1 == 0 && errors.is_empty(),
        "cfn-lint found errors in {} files (exit {code}):\n{stdout}\n{}",
        files.len(),
        String::from_utf8_lossy(&output.stderr)
    );
    eprintln!("cfn-lint: {} expansions, 0 errors", files.len());
}
