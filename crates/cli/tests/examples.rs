//! Every bundled example (the README's first command runs one) expands with exit 0, moves its invokers,
//! and gives CloudFormation that passes `cfn-lint` with no errors.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::Command;

use canary_test_support::{cfn_lint, sorted_entries};

fn examples() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let examples = sorted_entries(&dir).into_iter();
    examples.filter(|p| p.extension().is_some_and(|x| x == "yaml" || x == "json")).collect()
}

#[test]
fn every_example_expands_plans_and_passes_cfn_lint() {
    let mut expanded = Vec::new();
    for example in examples() {
        let run = |command: &str| {
            Command::new(env!("CARGO_BIN_EXE_canary-deployments"))
                .arg(command)
                // Where the smoke test hook's zip is, for examples/smoke-test.yaml; the others ignore it.
                .args(["--smoke-hook-bucket", "my-artifacts"])
                .arg(&example)
                .output()
                .unwrap()
        };
        let out = run("expand");
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}: {}",
            example.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        let plan = String::from_utf8(run("plan").stdout).unwrap();
        assert!(plan.contains("moved to the alias"), "{}: plan moved nothing:\n{plan}", example.display());
        let name = example.file_stem().unwrap().to_string_lossy().into_owned();
        expanded.push((name, String::from_utf8(out.stdout).unwrap()));
    }
    assert!(!expanded.is_empty(), "no examples found");
    let out_dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("examples");
    cfn_lint::assert_written_templates_pass(&out_dir, &expanded, "expanded examples");
}
