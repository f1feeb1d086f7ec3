//! The codemap's invariants that a search can check (ARCHITECTURE.md). The engine stays pure: no
//! I/O, async, logging, CLI or Lambda dependencies, and no file, environment, clock or randomness
//! access in its source. The test support crate stays a dev-dependency of every crate. And each
//! concern the codemap gives one home stays there: CloudFormation's names in `cfn/names.rs`, the
//! panic payload in `diag.rs`, the JSON visitor in `json/value.rs`, cfn-lint in test-support.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

const ALLOWED_DEPENDENCIES: &[&str] =
    &["compact_str", "hashbrown", "regex-lite", "serde", "serde_json", "sha2"];
const FORBIDDEN_IN_SOURCE: &[&str] = &[
    "std::fs",
    "std::env",
    "std::net",
    "std::process",
    "SystemTime",
    "Instant::now",
    "println!",
    "eprintln!",
    "tokio",
    "tracing",
];

#[test]
fn engine_depends_only_on_pure_crates() {
    let manifest = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("Cargo.toml")).unwrap();
    let deps = manifest.split("[dependencies]").nth(1).expect("a [dependencies] table");
    let deps = deps.split("\n[").next().unwrap_or_default();
    for line in deps.lines().map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let name = line.split(['=', '.', ' ']).next().unwrap_or_default().trim();
        assert!(
            ALLOWED_DEPENDENCIES.contains(&name),
            "canary-engine must stay pure, but depends on `{name}`"
        );
    }
}

#[test]
fn engine_source_does_no_io() {
    let mut stack = vec![Path::new(env!("CARGO_MANIFEST_DIR")).join("src")];
    let mut n_files = 0;
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            n_files += 1;
            let text = std::fs::read_to_string(&path).unwrap();
            for forbidden in FORBIDDEN_IN_SOURCE {
                assert!(
                    !text.contains(forbidden),
                    "{} uses `{forbidden}`; the engine does no I/O",
                    path.display()
                );
            }
        }
    }
    assert!(n_files > 10, "found only {n_files} engine source files");
}

/// canary-test-support runs Python tools and ships nowhere: every crate of the workspace names it only
/// under `[dev-dependencies]`.
#[test]
fn test_support_is_only_a_dev_dependency() {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut n_manifests = 0;
    for entry in std::fs::read_dir(&crates).unwrap().filter_map(Result::ok) {
        let Ok(manifest) = std::fs::read_to_string(entry.path().join("Cargo.toml")) else { continue };
        n_manifests += 1;
        let mut table = "";
        for line in manifest.lines().map(str::trim) {
            if line.starts_with('[') {
                table = line;
            } else if line.starts_with("canary-test-support") {
                assert_eq!(
                    table,
                    "[dev-dependencies]",
                    "{} names canary-test-support outside [dev-dependencies]",
                    entry.path().display()
                );
            }
        }
    }
    assert!(n_manifests >= 5, "found only {n_manifests} crate manifests under {}", crates.display());
}

/// CloudFormation's names, typed in the shipped crates only in `cfn/names.rs` and, as data, in
/// `expand/types.rs` (the known resource types behind a `Type` did-you-mean). Templates that tests,
/// benchmarks and fuzz targets write keep them literal.
const NAMES: &[&str] = &[
    "\"Ref\"",
    "\"Fn::GetAtt\"",
    "\"Fn::Sub\"",
    "\"Fn::If\"",
    "\"Fn::Join\"",
    "\"AWS::NoValue\"",
    "\"AWS::Region\"",
    "\"AWS::Lambda::Function\"",
    "\"AWS::Lambda::Version\"",
    "\"AWS::Lambda::Alias\"",
    "\"AWS::Serverless::Function\"",
    "\"CanaryDeployments\"",
    "\"CanaryDeployment\"",
];
const HOMES_OF_NAMES: &[&str] = &[
    "crates/engine/src/cfn/names.rs",
    "crates/engine/src/expand/types.rs",
    // The YAML tags (`!Ref`) beside the keys they stand for.
    "crates/cli/src/yaml.rs",
];
/// This test, which names what it looks for.
const THIS_FILE: &str = "crates/engine/tests/tidy.rs";
const SHIPPED: &[&str] = &["crates/engine/src/", "crates/cli/src/", "crates/lambda/src/"];

/// Other concerns with one home: (what ARCHITECTURE.md says, what only the home writes, the home's
/// files, whether test code is searched too).
const HOMES: &[(&str, &str, &[&str], bool)] = &[
    (
        "only the matcher takes a reference apart to rewrite it",
        "single_key_mut(",
        &["crates/engine/src/rewire/matcher.rs", "crates/engine/src/cfn/refs.rs"],
        false,
    ),
    (
        "only generate.rs builds the new Resources",
        "insert(\"Resources\", Value::Object",
        &["crates/engine/src/expand/generate.rs"],
        false,
    ),
    (
        "only diag::panic_message (and the smoke hook's own: it depends on no crate of ours) reads a panic's payload",
        "downcast_ref",
        &["crates/engine/src/diag.rs", "crates/smoke-hook/src/lib.rs"],
        false,
    ),
    (
        "only json/value.rs deserializes a template",
        "Visitor<'de>",
        &["crates/engine/src/json/value.rs"],
        true,
    ),
    ("only test-support runs cfn-lint", "\"cfn-lint\"", &["crates/test-support/src/lib.rs"], true),
    (
        "only test-support runs the SAM translator",
        "sam_translate.py",
        &["crates/test-support/src/lib.rs"],
        true,
    ),
];

/// The Rust files of the crates and fuzz targets: path from the repository's root, whether it is a
/// test file, text.
fn rust_files(root: &Path) -> Vec<(String, bool, String)> {
    let mut files = Vec::new();
    let mut stack = vec![root.join("crates"), root.join("fuzz/fuzz_targets")];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().filter_map(Result::ok) {
            let path = entry.path();
            let name = path.file_name().unwrap_or_default().to_string_lossy();
            if path.is_dir() {
                if name != "target" {
                    stack.push(path);
                }
            } else if name.ends_with(".rs") {
                let relative = path.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
                let is_test =
                    relative.contains("/tests/") || relative.contains("/benches/") || name == "tests.rs";
                files.push((relative, is_test, std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    files
}

/// The "only X does Y" claims of ARCHITECTURE.md that a search can check: each concern stays home.
#[test]
fn each_concern_stays_in_its_home() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let files = rust_files(&root);
    assert!(files.len() > 80, "found only {} Rust files under {}", files.len(), root.display());
    let mut strays = Vec::new();
    let mut report = |path: &str, text: &str, needle: &str, claim: &str| {
        if let Some(at) = text.find(needle) {
            let line = text[..at].lines().count().max(1);
            strays.push(format!("{path}:{line}: `{needle}`, but {claim}"));
        }
    };
    for (path, is_test, text) in &files {
        // Test code: a test file, or what follows `#[cfg(test)]`.
        let code = if *is_test { "" } else { text.split("\n#[cfg(test)]").next().unwrap_or_default() };
        if SHIPPED.iter().any(|dir| path.starts_with(dir)) && !HOMES_OF_NAMES.contains(&path.as_str()) {
            for needle in NAMES {
                report(path, code, needle, "only cfn/names.rs names it");
            }
        }
        for &(claim, needle, home, in_tests) in HOMES {
            if !home.contains(&path.as_str()) && path != THIS_FILE {
                report(path, if in_tests { text } else { code }, needle, claim);
            }
        }
    }
    assert!(strays.is_empty(), "concerns outside their home (ARCHITECTURE.md):\n{}", strays.join("\n"));
}
