//! What the system suites beside this file share. Each suite is a `[[test]]` of `Cargo.toml`; the
//! runners of the Python tools and the slow-test gate live in `canary-test-support`.

// A test reports by panicking: clippy.toml allows it in `#[test]` functions, this in their helpers.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use canary_engine::{expand_source, Context, Expansion};

/// The repository's top level, where `crates/`, `examples/` and `docs/` are.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).parent().map(PathBuf::from).unwrap_or_default()
}

/// The directory `scripts/node-tools.sh` installs the pinned node tools into (`tests/node/`):
/// `CANARY_NODE_TOOLS`, else `~/.cache/canary-deployments/node-tools`.
pub fn node_tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CANARY_NODE_TOOLS") {
        return PathBuf::from(dir);
    }
    let cache = std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .unwrap_or_else(std::env::temp_dir);
    cache.join("canary-deployments/node-tools")
}

/// The installed node tools, when node and `package` (one of `tests/node/package.json`) are there.
/// When either is missing: under `RUN_SLOW_TESTS=1` a failure, else one line on stderr and `None`,
/// and the caller skips.
pub fn node_tools(package: &str) -> Option<PathBuf> {
    let dir = node_tools_dir();
    let node =
        std::process::Command::new("node").arg("--version").output().is_ok_and(|out| out.status.success());
    let missing = if !node {
        "node not found (apt-get install nodejs npm)".to_owned()
    } else if !dir.join("node_modules").join(package).join("package.json").is_file() {
        format!("{package} not installed in {}", dir.display())
    } else {
        return Some(dir);
    };
    skip(&missing, "scripts/node-tools.sh installs the node tools");
    None
}

/// Whether `program` is on `PATH`; when it is not, the test skips (or fails under `RUN_SLOW_TESTS=1`),
/// naming `install`, what installs it.
pub fn require_program(program: &str, install: &str) -> bool {
    let found = std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()));
    if !found {
        skip(&format!("{program} not found"), install);
    }
    found
}

/// A test's tool is `missing`: under `RUN_SLOW_TESTS=1` a failure, else one line on stderr.
fn skip(missing: &str, install: &str) {
    let required = std::env::var_os(canary_test_support::RUN_SLOW_TESTS).is_some_and(|v| v == "1");
    assert!(!required, "{missing}, and {}=1: {install}", canary_test_support::RUN_SLOW_TESTS);
    // Straight to the stream, past the test harness's capture, so that the skip shows in a normal run.
    writeln!(
        std::io::stderr(),
        "skipped: {missing}; {install}, scripts/test.sh does and sets RUN_SLOW_TESTS=1"
    )
    .ok();
}

/// The version `package.json` of an installed node package gives.
pub fn node_package_version(dir: &Path, package: &str) -> String {
    let manifest = dir.join("node_modules").join(package).join("package.json");
    let text = std::fs::read_to_string(&manifest).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let json: serde_json::Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    json["version"].as_str().unwrap_or_default().to_owned()
}

/// `template` (as a tool wrote it, `Transform` included) expanded as the CLI expands it.
pub fn expand(template: serde_json::Value) -> Expansion {
    let ctx = Context {
        region: "eu-west-1".into(),
        account_id: "123456789012".into(),
        parameter_values: canary_engine::json::Map::new(),
        smoke_hook_code: None,
    };
    expand_source(template.into(), &ctx)
}

/// The expansion's diagnostics, one line each.
pub fn diagnostics(expansion: &Expansion) -> Vec<String> {
    expansion.diagnostics.iter().map(ToString::to_string).collect()
}

/// A fresh scratch directory, kept after a run for reading a failure.
pub fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join("canary-system-tests").join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    dir
}

/// The logical IDs of `template`'s resources of `type_`, in template order.
pub fn ids_of_type<'a>(template: &'a serde_json::Value, type_: &str) -> Vec<&'a str> {
    template["Resources"]
        .as_object()
        .map(|resources| {
            resources.iter().filter(|(_, r)| r["Type"] == type_).map(|(id, _)| id.as_str()).collect()
        })
        .unwrap_or_default()
}

/// The one `AWS::Lambda::Version` of `function` in `template`.
pub fn version_of<'a>(template: &'a serde_json::Value, function: &str) -> &'a str {
    let versions: Vec<&str> = ids_of_type(template, "AWS::Lambda::Version")
        .into_iter()
        .filter(|id| {
            template["Resources"][id]["Properties"]["FunctionName"] == serde_json::json!({"Ref": function})
        })
        .collect();
    assert_eq!(versions.len(), 1, "versions of {function}: {versions:?}");
    versions[0]
}

/// cfn-lint over `template`, written to a scratch directory named after `name`: no error.
pub fn lint(name: &str, template: &serde_json::Value) {
    let dir = scratch(&format!("{name}-lint"));
    canary_test_support::cfn_lint::assert_written_templates_pass(
        &dir,
        &[(name.to_owned(), template.to_string())],
        name,
    );
}

/// Runs a node tool (`what` names it in messages) that writes a CloudFormation template, fails the test
/// with its output when it fails, and returns the template it wrote at `written`.
pub fn run_to_template(command: &mut Command, what: &str, written: &Path) -> serde_json::Value {
    let started = Instant::now();
    let done = command.output().unwrap_or_else(|e| panic!("cannot run node: {e}"));
    assert!(
        done.status.success(),
        "{what} failed:\n{}\n{}",
        String::from_utf8_lossy(&done.stdout),
        String::from_utf8_lossy(&done.stderr)
    );
    eprintln!("{what}: {} in {:.1} s", written.display(), started.elapsed().as_secs_f64());
    serde_json::from_str(&std::fs::read_to_string(written).unwrap()).unwrap()
}
