//! The engine stays pure (ARCHITECTURE.md's first invariant): no I/O, async, logging, CLI or Lambda dependencies, and no
//! file, environment, clock or randomness access in its source. And the test support crate stays a
//! dev-dependency of every crate.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

const ALLOWED_DEPENDENCIES: &[&str] = &["compact_str", "hashbrown", "serde", "serde_json", "sha2"];
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
