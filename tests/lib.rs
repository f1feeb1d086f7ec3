//! What the system suites beside this file share. Each suite is a `[[test]]` of `Cargo.toml`; the
//! runners of the Python tools and the slow-test gate live in `canary-test-support`.

use std::path::PathBuf;

/// The repository's top level, where `crates/`, `examples/` and `docs/` are.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap_or_default()
}
