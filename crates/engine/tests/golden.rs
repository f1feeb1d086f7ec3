//! Golden tests: every case under `golden/ok` and `golden/err`, walked in sorted order.
//!
//! An `ok/<case>` expands `input.json` with no error and must print exactly `expected.json`
//! (pretty JSON, so cfn-lint reads it as is). An `err/<case>` must produce at least one error, and
//! its rendered diagnostics (one `Display` line each) must be exactly `diagnostics.txt`.
//! Bless with `UPDATE_EXPECT=1 cargo test -p canary-engine --test golden`, then read the diff.

use std::fs;
use std::path::{Path, PathBuf};

use canary_engine::{expand, Context};
use expect_test::expect_file;
use serde_json::{Map, Value};

fn context() -> Context {
    Context {
        region: "us-east-1".to_owned(),
        account_id: "123456789012".to_owned(),
        parameter_values: Map::new(),
    }
}

fn cases(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(kind);
    let Ok(entries) = fs::read_dir(&dir) else { return Vec::new() };
    let mut cases: Vec<PathBuf> =
        entries.map(|e| e.expect("readable golden dir").path()).filter(|p| p.is_dir()).collect();
    cases.sort();
    cases
}

fn input(case: &Path) -> Value {
    let path = case.join("input.json");
    let text = fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn rendered(diagnostics: &[canary_engine::Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("{d}\n")).collect()
}

#[test]
fn ok_cases_expand_without_errors() {
    for case in cases("ok") {
        let expansion = expand(input(&case), &context());
        assert!(
            !expansion.has_errors(),
            "ok case {} produced errors:\n{}",
            case.display(),
            rendered(&expansion.diagnostics)
        );
        let mut text = serde_json::to_string_pretty(&expansion.template).expect("serializable");
        text.push('\n');
        expect_file![case.join("expected.json")].assert_eq(&text);
    }
}

#[test]
fn err_cases_report_their_errors() {
    let cases = cases("err");
    assert!(!cases.is_empty(), "no golden/err cases found");
    for case in cases {
        let expansion = expand(input(&case), &context());
        assert!(
            expansion.has_errors(),
            "err case {} produced no error; diagnostics:\n{}",
            case.display(),
            rendered(&expansion.diagnostics)
        );
        expect_file![case.join("diagnostics.txt")].assert_eq(&rendered(&expansion.diagnostics));
    }
}
