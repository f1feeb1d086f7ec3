#!/usr/bin/env bash
# Runs every test of CanaryDeployments on a fresh machine. Installs what the suite needs when it is
# missing: the Python tools pinned in requirements-test.txt (cfn-lint, aws-sam-translator,
# cargo-lambda with its Zig), node and the node tools pinned in tests/node (the Serverless Framework,
# AWS CDK; scripts/node-tools.sh caches them between runs), cfn-guard, the arm64 Rust target for the
# Lambda's release build and the nightly toolchain for fuzzing. Then runs the
# Rust test suite (goldens, cfn-lint over every expansion, CLI, Lambda handler, SAM in both transform
# orders), the expansion's instruction count against its baseline (bench/instructions.sh, valgrind
# installed with apt-get when missing), the end-to-end test of the macro through cargo-lambda's
# runtime emulator, the packaged macro (scripts/package.sh twice: the zip, its reproducibility,
# cfn-lint over the templates), and a short run of every fuzz target (nightly, cargo-fuzz installed
# when missing).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n== %s (at %d s)\n' "$*" "$SECONDS"; }

step "tools"
python3 -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
command -v cfn-lint >/dev/null || { echo "cfn-lint did not install" >&2; exit 2; }
rustup target list --installed | grep -qx aarch64-unknown-linux-gnu || rustup target add aarch64-unknown-linux-gnu
# cargo-fuzz builds with the nightly toolchain (scripts/fuzz.sh installs cargo-fuzz itself).
rustup toolchain list | grep -q '^nightly' || rustup toolchain install nightly --profile minimal
# The system tests run the Serverless Framework and AWS CDK in node, and the Guard rule in cfn-guard.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq nodejs npm >/dev/null
fi
scripts/node-tools.sh
# Built from source by cargo install, so only when missing or another version; unoptimized (--debug),
# which takes half the CPU of a release build and checks the suite's small templates in milliseconds.
CFN_GUARD_VERSION=3.2.1
cfn-guard --version 2>/dev/null | grep -qx "cfn-guard $CFN_GUARD_VERSION" ||
    cargo install cfn-guard --version "$CFN_GUARD_VERSION" --locked --debug --quiet

step "cargo test"
# A test that needs cfn-lint, aws-sam-translator or PyYAML skips when the tool is missing; here, where
# they were just installed, a missing one is a failure.
export RUN_SLOW_TESTS=1
cargo test --workspace

step "instructions: the expansion's instruction count under callgrind against bench/instructions.baseline"
bench/instructions.sh

step "end-to-end: the macro under cargo-lambda's runtime emulator"
scripts/e2e-lambda.sh

step "end-to-end: the smoke test hook under the emulator, against CodeDeploy and Lambda faked to botocore's models"
scripts/e2e-smoke-hook.sh

step "package: the arm64 zip built twice (same bytes), its templates under cfn-lint, the SAR metadata"
python3 scripts/test_package.py

step "fuzzing: every cargo-fuzz target at once for 15 s (scripts/fuzz.sh 600 for a longer run)"
scripts/fuzz.sh 15

printf '\n== all tests passed in %d s\n' "$SECONDS"
