//! `diff`'s pairs: each directory of `tests/diff/` at the repository's root holds a BEFORE
//! (`before.yaml`, or `before.json` for a processed template), an AFTER (`after.yaml`), optional
//! extra flags (`args`, one a line) and `expected.txt`: the text output and the exit code, which
//! `UPDATE_EXPECT=1` re-blesses. The directory is shared: any suite may read the pairs. A directory
//! with a `pair` file instead names a pair of the update model (`tests/updates/<name>.v1.yaml` and
//! `.v2.yaml`), so both suites read the same templates.
//!
//! Pairs whose templates list SAM's transform need aws-sam-translator (they skip without it, and fail
//! under `RUN_SLOW_TESTS=1`). Every template a pair deploys (both sides, after the engine and SAM)
//! must pass cfn-lint; the JSON output must say what the text says.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use canary_deployments::diff;
use canary_deployments::{run_with_stdin, Cli, Command};
use canary_test_support::{cfn_lint, require_tool, sorted_entries, SAM_TRANSLATOR};
use clap::Parser;
use expect_test::expect_file;

fn pairs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/diff")
}

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The update-model pair a directory names: `tests/updates/<name>`.
fn update_pair(dir: &Path) -> Option<PathBuf> {
    let stem = std::fs::read_to_string(dir.join("pair")).ok()?;
    Some(repo_root().join(stem.trim()))
}

fn after_of(dir: &Path) -> PathBuf {
    match update_pair(dir) {
        Some(stem) => PathBuf::from(format!("{}.v2.yaml", stem.display())),
        None => dir.join("after.yaml"),
    }
}

fn before_of(dir: &Path) -> PathBuf {
    if let Some(stem) = update_pair(dir) {
        return PathBuf::from(format!("{}.v1.yaml", stem.display()));
    }
    let json = dir.join("before.json");
    if json.exists() {
        json
    } else {
        dir.join("before.yaml")
    }
}

fn uses_sam(dir: &Path) -> bool {
    [before_of(dir), after_of(dir)]
        .iter()
        .any(|f| std::fs::read_to_string(f).unwrap().contains("AWS::Serverless-2016-10-31"))
}

/// `diff`'s flags for a pair.
fn args(dir: &Path) -> diff::DiffArgs {
    let extra = std::fs::read_to_string(dir.join("args")).unwrap_or_default();
    let mut argv = vec!["canary-deployments".to_owned(), "diff".to_owned()];
    argv.push(before_of(dir).display().to_string());
    argv.push(after_of(dir).display().to_string());
    argv.extend(extra.lines().filter(|l| !l.trim().is_empty()).map(str::to_owned));
    match Cli::parse_from(argv).command {
        Command::Diff { args } => args,
        other => panic!("not a diff: {other:?}"),
    }
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
        let Ok((before, after, outcome)) = diff::prepare_and_compare(&args(&dir), &b""[..]) else {
            panic!("{}: diff failed", dir.display())
        };
        let mut text = diff::render_text(&outcome).replace(&format!("{}/", dir.display()), "");
        if let Some(stem) = update_pair(&dir) {
            text = text.replace(&format!("{}/", stem.parent().unwrap().display()), "tests/updates/");
        }
        let code = outcome.exit_code();
        expect_file![dir.join("expected.txt")].assert_eq(&format!("{text}exit: {code}\n"));

        // The JSON form says the same: the functions, the failures and the exit code.
        let doc: serde_json::Value = serde_json::from_str(&diff::render_json(&outcome)).unwrap();
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

        let case = dir.file_name().unwrap().to_string_lossy().into_owned();
        for (side, prepared) in [("before", before), ("after", after)] {
            deployed
                .push((format!("{case}-{side}"), serde_json::to_string_pretty(&prepared.template).unwrap()));
        }
    }
    assert!(n >= 5, "only {n} pairs under {}", pairs_dir().display());
    let out = Path::new(env!("CARGO_TARGET_TMPDIR")).join("diff-deployed");
    cfn_lint::assert_written_templates_pass(&out, &deployed, "templates the diff pairs deploy");
}

#[test]
fn the_cli_prints_a_pair_and_exits_with_its_verdict() {
    let dir = pairs_dir().join("raw-version-renamed-fails");
    let argv = ["canary-deployments", "diff", "before.yaml", "after.yaml"].map(|a| {
        if a.contains('.') {
            dir.join(a).display().to_string()
        } else {
            a.to_owned()
        }
    });
    let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
    let code = run_with_stdin(Cli::parse_from(argv), &b""[..], &mut stdout, &mut stderr);
    assert_eq!(code, std::process::ExitCode::from(diff::EXIT_WILL_FAIL));
    let stdout = String::from_utf8(stdout).unwrap();
    assert!(stdout.contains("WILL FAIL") && stdout.ends_with("1 update will fail (Orders)\n"), "{stdout}");
}

/// The binary on a pair, with `path` as `PATH`: its exit code and stderr.
fn run_binary(args: &[&str], path: Option<&Path>) -> (Option<i32>, String) {
    let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_canary-deployments"));
    command.args(args);
    if let Some(path) = path {
        command.env("PATH", path);
    }
    let out = command.output().unwrap();
    (out.status.code(), String::from_utf8(out.stderr).unwrap())
}

#[test]
fn a_sam_template_without_the_translator_is_refused_plainly() {
    let dir = pairs_dir().join("sam-first-canary");
    let (before, after) = (dir.join("before.yaml"), dir.join("after.yaml"));
    let empty = Path::new(env!("CARGO_TARGET_TMPDIR")).join("no-python");
    std::fs::create_dir_all(&empty).unwrap();
    let (code, stderr) =
        run_binary(&["diff", before.to_str().unwrap(), after.to_str().unwrap()], Some(&empty));
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("aws-sam-translator") && stderr.contains("pip install aws-sam-translator"),
        "{stderr}"
    );
    assert!(stderr.contains("before.yaml uses SAM's transform"), "{stderr}");
}

#[test]
fn usage_errors_exit_2_and_template_errors_exit_1() {
    let (code, stderr) = run_binary(&["diff", "-", "-"], None);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot both be `-`"), "{stderr}");

    let dir = pairs_dir().join("raw-canary-why");
    let before = dir.join("before.yaml");
    let (code, stderr) = run_binary(&["diff", before.to_str().unwrap(), "missing.yaml"], None);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("cannot open missing.yaml"), "{stderr}");

    let (code, stderr) = run_binary(
        &["diff", before.to_str().unwrap(), before.to_str().unwrap(), "--parameter", "Nope=1"],
        None,
    );
    assert_eq!(code, Some(2), "{stderr}");
    assert!(stderr.contains("declares no parameter `Nope`"), "{stderr}");

    let broken = Path::new(env!("CARGO_TARGET_TMPDIR")).join("diff-broken.yaml");
    let text = std::fs::read_to_string(&before)
        .unwrap()
        .replace("Canary10Percent5Minutes", "Canary10Percent5Minutse");
    std::fs::write(&broken, text).unwrap();
    let (code, stderr) = run_binary(&["diff", before.to_str().unwrap(), broken.to_str().unwrap()], None);
    assert_eq!(code, Some(1), "{stderr}");
    assert!(
        stderr.contains("diff-broken.yaml: error: Resources/Orders/Properties/CanaryDeployment/Type"),
        "{stderr}"
    );
}

/// The update model's pairs (`tests/updates/<name>.v1.yaml` → `.v2.yaml` at the repository's root,
/// where that suite keeps them): `diff` publishes a version exactly when what the version stores
/// changes, and says an update fails exactly when a version is published for an unchanged function.
/// The same files drive both suites, so their verdicts cannot drift apart.
#[test]
fn update_model_pairs_agree_with_what_lambda_stores() {
    let dir = repo_root().join("tests/updates");
    if !dir.is_dir() {
        eprintln!("no update-model pairs under {}: nothing to compare", dir.display());
        return;
    }
    let has_sam = require_tool(&SAM_TRANSLATOR);
    let mut n = 0;
    for v1 in sorted_entries(&dir) {
        let name = v1.file_name().unwrap().to_string_lossy().into_owned();
        let Some(stem) = name.strip_suffix(".v1.yaml") else { continue };
        let v2 = dir.join(format!("{stem}.v2.yaml"));
        let sam = std::fs::read_to_string(&v1).unwrap().contains("AWS::Serverless-2016-10-31");
        if !v2.exists() || (sam && !has_sam) {
            continue;
        }
        n += 1;
        let argv =
            ["canary-deployments", "diff", v1.to_str().unwrap(), v2.to_str().unwrap(), "--format", "json"];
        let (mut stdout, mut stderr) = (Vec::new(), Vec::new());
        run_with_stdin(Cli::parse_from(argv), &b""[..], &mut stdout, &mut stderr);
        let doc: serde_json::Value = serde_json::from_slice(&stdout)
            .unwrap_or_else(|_| panic!("{stem}: {}", String::from_utf8_lossy(&stderr)));
        for f in doc["functions"].as_array().unwrap() {
            let changed = f["why"].as_array().is_some_and(|why| !why.is_empty());
            let new_version = f["new_version"].as_bool().unwrap();
            let fails = !f["will_fail"].as_array().unwrap().is_empty();
            assert!(new_version == changed || (new_version && fails), "{stem}: {f:#}");
        }
    }
    eprintln!("{n} update-model pairs compared");
}
