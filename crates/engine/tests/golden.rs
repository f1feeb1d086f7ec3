//! Golden tests: every case under `golden/ok/<case>/` and `golden/err/<case>/` is expanded and compared
//! with what was blessed. `ok` cases must expand with no error (`expected.json`, plus `diagnostics.txt`
//! for their warnings); `err` cases must report at least one error (`diagnostics.txt`, one line each).
//! A case may carry `context.json` (`{"region", "accountId", "parameterValues", "source"}`); with
//! `"source": true` the input is a template as written, `Transform` included, expanded as the CLI
//! does (`expand_source`), otherwise the fragment the macro gets (`expand`).
//!
//! Bless after an intended change with `UPDATE_EXPECT=1 cargo test -p canary-engine --test golden`,
//! then read `git diff`: a blessed file is a reviewed file.

use std::fs;
use std::path::{Path, PathBuf};

use canary_engine::json::{Map, Value};
use canary_engine::{expand_source, Context, Expansion};
use expect_test::expect_file;

fn cases(kind: &str) -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden").join(kind);
    let mut cases: Vec<PathBuf> = fs::read_dir(&dir)
        .map(|entries| entries.filter_map(|e| e.ok()).map(|e| e.path()).filter(|p| p.is_dir()).collect())
        .unwrap_or_default();
    cases.sort();
    cases
}

fn context(case: &Path) -> Context {
    let raw: Value = fs::read_to_string(case.join("context.json"))
        .ok()
        .map(|text| serde_json::from_str(&text).expect("context.json is JSON"))
        .unwrap_or(Value::Null);
    Context {
        region: raw.get("region").and_then(Value::as_str).unwrap_or("us-east-1").to_owned(),
        account_id: raw.get("accountId").and_then(Value::as_str).unwrap_or("123456789012").to_owned(),
        parameter_values: raw
            .get("parameterValues")
            .and_then(Value::as_object)
            .cloned()
            .unwrap_or_else(Map::new),
    }
}

/// Expands the case as the macro does, or as the CLI does when its context says `"source": true`.
fn expand(template: Value, case: &Path) -> Expansion {
    let ctx = context(case);
    let source = fs::read_to_string(case.join("context.json"))
        .ok()
        .and_then(|text| serde_json::from_str::<Value>(&text).ok())
        .and_then(|raw| raw.get("source").and_then(Value::as_bool))
        .unwrap_or(false);
    if source {
        expand_source(template, &ctx)
    } else {
        canary_engine::expand(template, &ctx)
    }
}

fn input(case: &Path) -> Value {
    let text =
        fs::read_to_string(case.join("input.json")).unwrap_or_else(|e| panic!("{}: {e}", case.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: input.json: {e}", case.display()))
}

fn rendered_diagnostics(diagnostics: &[canary_engine::Diagnostic]) -> String {
    diagnostics.iter().map(|d| format!("{d}\n")).collect()
}

/// Runs `check` on every case, so one failure does not hide the others, then names every failing case.
fn run_all(kind: &str, check: impl Fn(&Path) + std::panic::RefUnwindSafe) {
    let cases = cases(kind);
    assert!(!cases.is_empty(), "no golden cases under golden/{kind}");
    let failed: Vec<String> = cases
        .iter()
        .filter(|case| std::panic::catch_unwind(|| check(case)).is_err())
        .map(|case| case.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(failed.is_empty(), "golden/{kind} cases failed: {}", failed.join(", "));
}

#[test]
fn ok_cases_expand_as_blessed() {
    run_all("ok", |case| {
        let expansion = expand(input(case), case);
        let diagnostics = rendered_diagnostics(&expansion.diagnostics);
        assert!(!expansion.has_errors(), "{}: unexpected errors:\n{diagnostics}", case.display());
        let mut json = serde_json::to_string_pretty(&expansion.template).unwrap();
        json.push('\n');
        expect_file![case.join("expected.json")].assert_eq(&json);
        expect_file![case.join("diagnostics.txt")].assert_eq(&diagnostics);
    });
}

#[test]
fn err_cases_report_as_blessed() {
    run_all("err", |case| {
        let expansion = expand(input(case), case);
        assert!(expansion.has_errors(), "{}: expected an error, the template expanded", case.display());
        expect_file![case.join("diagnostics.txt")].assert_eq(&rendered_diagnostics(&expansion.diagnostics));
    });
}

#[test]
fn ok_cases_are_deterministic_and_idempotent() {
    run_all("ok", |case| {
        let first = expand(input(case), case);
        let second = expand(input(case), case);
        let first_json = serde_json::to_string(&first.template).unwrap();
        assert_eq!(first_json, serde_json::to_string(&second.template).unwrap(), "{}", case.display());
        // The consumed settings are gone, so expanding the output again changes nothing.
        let again = expand(first.template.clone(), case);
        assert_eq!(
            first_json,
            serde_json::to_string(&again.template).unwrap(),
            "{}: not idempotent",
            case.display()
        );
    });
}
