//! Golden cases for rewiring, one directory per behaviour under `tests/rewire/<case>/`:
//! `input.json` (functions marked through `Metadata.CanaryDeployment`), `expected.json` (the rewired
//! template, with the version and alias the expansion would add) and `report.txt` (moves, renames,
//! diagnostics). Bless with `UPDATE_EXPECT=1 cargo test -p canary-engine --test rewire_golden` and read
//! the diff. Besides the golden comparison, every case must leave no marked function referenced outside
//! the places docs/rewiring.md keeps (a case lists deliberate exceptions in `Metadata.RewireTest.Stays`) and must
//! change nothing beyond what it reports.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::path::Path as FsPath;

use canary_engine::json::Value;
use canary_test_support::sorted_entries;
use common::{check_only_moves_changed, left_on_the_function, lint_ready, marked_targets, run_rewire};
use expect_test::expect_file;

#[test]
fn rewire_golden_cases() {
    let root = FsPath::new(env!("CARGO_MANIFEST_DIR")).join("tests/rewire");
    let cases: Vec<_> = sorted_entries(&root).into_iter().filter(|p| p.is_dir()).collect();
    assert!(cases.len() >= 11, "golden cases missing under {}", root.display());
    for dir in cases {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(dir.join("input.json")).unwrap_or_else(|e| panic!("{name}: {e}"));
        let input = lint_ready(serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: {e}")));
        let targets = marked_targets(&input);
        let run = run_rewire(&input, &targets);

        let stays: Vec<String> = input["Metadata"]["RewireTest"]["Stays"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).map(str::to_owned).collect())
            .unwrap_or_default();
        let left: Vec<String> = left_on_the_function(&run, &targets)
            .into_iter()
            .filter(|found| !stays.iter().any(|s| found.starts_with(s.as_str())))
            .collect();
        assert!(left.is_empty(), "{name}: references left on the function instead of the alias: {left:#?}");
        check_only_moves_changed(&name, &input, &run);

        expect_file![dir.join("expected.json")]
            .assert_eq(&(serde_json::to_string_pretty(&run.output).unwrap() + "\n"));
        expect_file![dir.join("report.txt")].assert_eq(&run.report());
    }
}
