//! `diff`'s pairs: each directory of `tests/diff/` at the repository's root holds a BEFORE
//! (`before.yaml`, or `before.json` for a processed template), an AFTER (`after.yaml`), optional
//! extra flags (`args`, one a line) and `expected.txt`: the text output and the exit code, which
//! `UPDATE_EXPECT=1` re-blesses. The directory is shared: any suite may read the pairs.
//!
//! Pairs whose templates list SAM's transform need aws-sam-translator (they skip without it, and fail
//! under `RUN_SLOW_TESTS=1`). Every template a pair deploys (both sides, after the engine and SAM)
//! must pass cfn-lint; the JSON output must say what the text says.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use canary_deployments::diff::{self, Side};
use canary_deployments::{run_with_stdin, source, Cli};
use canary_engine::json::Map;
use canary_engine::Context;
use canary_test_support::{cfn_lint, require_tool, sorted_entries, SAM_TRANSLATOR};
use clap::Parser;
use expect_test::expect_file;

fn pairs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/diff")
}

fn before_of(dir: &Path) -> PathBuf {
    let json = dir.join("before.json");
    if json.exists() {
        json
    } else {
        dir.join("before.yaml")
    }
}

fn uses_sam(dir: &Path) -> bool {
    [before_of(dir), dir.join("after.yaml")]
        .iter()
        .any(|f| std::fs::read_to_string(f).unwrap().contains("AWS::Serverless-2016-10-31"))
}

/// Runs `diff` on a pair: its stdout with the pair's directory left out, and the exit code.
fn run(dir: &Path, format: &str) -> (String, u8) {
    let extra = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
    let mut argv = vec!["canary-deployments".to_owned(), "diff".to_owned()];
    argv.push(before_of(dir).display().to_string());
    argv.push(dir.join("after.yaml").display().to_string());
    argv.extend(["--format".to_owned(), format.to_owned()]);
    argv.extend(extra.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned));
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = run_with_stdin(Cli::parse_from(argv), &b""[..], &mut stdout, &mut stderr);
    let stderr = String::from_utf8(stderr).unwrap();
    let code = (0..=4).find(|n| code == std::process::ExitCode::from(*n)).unwrap_or(u8::MAX);
    assert!(code != 1 && code != 2, "{}: diff failed ({code}): {stderr}", dir.display());
    let prefix = format!("{}/", dir.display());
    (String::from_utf8(stdout).unwrap().replace(&prefix, ""), code)
}

#[test]
fn pairs() {
    let has_sam = require_tool(&SAM_TRANSLATOR);
    let mut deployed = Vec::new();
    let mut n = 0;
    for dir in sorted_entries(&pairs_dir()) {
        if !dir.is_dir() || (uses_sam(&dir) && !has_sam) {
            continue;
        }
        n += 1;
        let (text, code) = run(&dir, "text");
        expect_file![dir.join("expected.txt")].assert_eq(&format!("{text}exit: {code}\n"));

        // The JSON form says the same: the states, the failures and the exit code.
        let (json, json_code) = run(&dir, "json");
        assert_eq!(code, json_code, "{}", dir.display());
        let doc: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(doc["summary"]["exit_code"], code, "{}", dir.display());
        let functions = doc["functions"].as_array().unwrap();
        let failures: usize = functions.iter().map(|f| f["will_fail"].as_array().unwrap().len()).sum();
        assert_eq!(failures, text.matches("WILL FAIL").count(), "{}", dir.display());
        assert_eq!(failures > 0, code == diff::EXIT_WILL_FAIL, "{}", dir.display());
        for f in functions {
            let headline =
                format!("{} (alias {}): ", f["function"].as_str().unwrap(), f["alias"].as_str().unwrap());
            assert!(text.contains(&headline), "{}: {headline}", dir.display());
        }

        for (side, file) in [("before", before_of(&dir)), ("after", dir.join("after.yaml"))] {
            let text = std::fs::read_to_string(&file).unwrap();
            let template = source::parse(side, text.as_bytes()).unwrap();
            let ctx = Context {
                region: "us-east-1".into(),
                account_id: "123456789012".into(),
                parameter_values: Map::new(),
            };
            let form = diff::form(&template);
            let Ok(prepared) = Side::prepare(side, template, &ctx, form) else {
                panic!("{}: {side}", dir.display())
            };
            let name = format!("{}-{side}", dir.file_name().unwrap().to_string_lossy());
            deployed.push((name, serde_json::to_string_pretty(&prepared.template).unwrap()));
        }
    }
    assert!(n >= 5, "only {n} pairs under {}", pairs_dir().display());
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("diff-deployed");
    cfn_lint::assert_written_templates_pass(&out, &deployed, "templates the diff pairs deploy");
}
