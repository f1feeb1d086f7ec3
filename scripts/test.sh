#!/usr/bin/env bash
# Runs every test of CanaryDeployments on a fresh machine. Installs what the suite needs when it is
# missing: the Python tools pinned in requirements-test.txt (cfn-lint, aws-sam-translator,
# cargo-lambda with its Zig), node and the node tools pinned in tests/node (the Serverless Framework,
# AWS CDK; scripts/node-tools.sh caches them between runs), cfn-guard, the arm64 Rust target for the
# Lambda's release build and the nightly toolchain for fuzzing.
#
# Then two lanes run side by side, since each alone leaves a core idle for long stretches (a test that
# waits on Python, a whole-program LTO link, callgrind), and each uses cargo profiles of its own so that
# neither waits for the other's build lock:
#   debug:     the Rust test suite (goldens, cfn-lint over every expansion, CLI, Lambda handler, SAM in
#              both transform orders, the Serverless Framework, CDK, Guard), then the end-to-end tests
#              of the macro (its worst-case events within Lambda's budgets too) and of the smoke test
#              hook under cargo-lambda's runtime emulator, on the binaries the suite built;
#   optimized: the expansion's instruction count against its baseline (bench/instructions.sh, valgrind
#              installed with apt-get when missing), the packaged arm64 zips (scripts/test_package.py:
#              reproducible bytes, cfn-lint over the templates) and a short run of every fuzz target
#              (nightly, cargo-fuzz installed when missing).
# The debug lane prints as it goes; the optimized lane's output follows when both are done.
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

step "debug lane and optimized lane, side by side"
export RUN_SLOW_TESTS=1
OPTIMIZED_LOG="$(mktemp)"
trap 'rm -f "$OPTIMIZED_LOG"' EXIT

optimized_lane() {
    step "optimized: the expansion's instruction count under callgrind against bench/instructions.baseline"
    bench/instructions.sh
    step "optimized: package: the arm64 zips, their reproducible bytes, their templates under cfn-lint, the SAR metadata"
    python3 scripts/test_package.py
    step "optimized: fuzzing: every cargo-fuzz target at once for 15 s (scripts/fuzz.sh 600 for a longer run)"
    scripts/fuzz.sh 15
    step "optimized lane passed"
}
# Each lane is a background job and is waited for: a subshell whose status is tested (`( … ) || …`)
# would run with `set -e` switched off.
optimized_lane >"$OPTIMIZED_LOG" 2>&1 &
optimized_pid=$!

debug_lane() {
    # Built from source by cargo install, so only when missing or another version; unoptimized
    # (--debug), which takes half the CPU of a release build and checks the suite's small templates in
    # milliseconds. In this lane, while the other compiles, and before the tests that run it.
    local version=3.2.1
    cfn-guard --version 2>/dev/null | grep -qx "cfn-guard $version" ||
        cargo install cfn-guard --version "$version" --locked --debug --quiet
    step "debug: cargo test"
    # A test that needs cfn-lint, aws-sam-translator or PyYAML skips when the tool is missing; here,
    # where they were just installed, a missing one is a failure.
    cargo test --workspace
    step "debug: end-to-end: the macro under cargo-lambda's runtime emulator"
    scripts/e2e-lambda.sh
    step "debug: end-to-end: the smoke test hook under the emulator, against CodeDeploy and Lambda faked to botocore's models"
    scripts/e2e-smoke-hook.sh
    step "debug lane passed"
}
debug_lane &
debug_pid=$!
debug_status=0
wait "$debug_pid" || debug_status=$?
optimized_status=0
wait "$optimized_pid" || optimized_status=$?

printf '\n== the optimized lane\n'
cat "$OPTIMIZED_LOG"

if [ "$debug_status" -ne 0 ] || [ "$optimized_status" -ne 0 ]; then
    printf '\n== FAILED after %d s: debug lane exit %d, optimized lane exit %d\n' "$SECONDS" "$debug_status" "$optimized_status"
    exit 1
fi
printf '\n== all tests passed in %d s\n' "$SECONDS"
