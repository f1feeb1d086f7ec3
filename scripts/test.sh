#!/usr/bin/env bash
# Runs every test of CanaryDeployments on a fresh machine: installs the tools the suite needs
# (pinned in requirements-test.txt), checks formatting and lints, then runs the Rust test suite
# (goldens, cfn-lint over every golden expansion, CLI and Lambda tests).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s\n' "$*"; }

step "tools"
python3 -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
command -v cfn-lint >/dev/null || { echo "cfn-lint did not install" >&2; exit 2; }

step "cargo fmt --check"
cargo fmt --all -- --check

step "cargo clippy"
cargo clippy --workspace --all-targets --quiet -- -D warnings

step "cargo test"
cargo test --workspace
