#!/usr/bin/env bash
# End-to-end test of the CanaryDeployments macro Lambda through cargo-lambda's runtime emulator.
#
#  1. `cargo lambda watch --only-lambda-apis` serves the Lambda APIs; scripts/e2e_lambda.py starts the
#     debug binary against it and sends CloudFormation macro events (success, invalid settings,
#     snippet, malformed, ~1 MB template, over-deep template, determinism) and asserts on the responses.
#  2. The same emulator, the driver starting the binary itself several times, prints the median time
#     from process start to first response (cold start).
#  3. The same binary answers the worst-case events (4 MB and 6 MB, far over CloudFormation's limits once
#     expanded, written by `canary-bench worst`) within Lambda's 128 MB and 2 s of CPU, through
#     scripts/lambda_once.py. It is the debug build, so the budgets hold with room on the slowest
#     binary there is (0.5 s of CPU and 34 MB at most; the optimized build took 0.1 s and 31 MB).
#
# The binaries are built as the test suite builds them (scripts/emulator.sh, `build_suite_binaries`).
# The deployable arm64 release build is scripts/package.sh's, tested by scripts/test_package.py.
#
# Every emulator runs in its own process group and is stopped by process id on exit, failure or
# interrupt. Installs cargo-lambda with pip when it is missing, at requirements-test.txt's pin. Exit
# status: 0 when every case passes. CANARY_E2E_PORT picks the port (default 9310).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${CANARY_E2E_PORT:-9310}"
WORK="$(mktemp -d)"
DRIVER_PID=""
# shellcheck source=scripts/emulator.sh
source scripts/emulator.sh

cleanup() {
    if [ -n "$DRIVER_PID" ]; then
        kill -TERM "$DRIVER_PID" 2>/dev/null || true
    fi
    stop_emulators
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_cargo_lambda

# Runs the Python driver in the background and waits for it: bash runs a trap only between
# commands, and `wait` is the one command a signal interrupts, so Ctrl-C stops the test at once.
run_driver() {
    python3 scripts/e2e_lambda.py "$@" &
    DRIVER_PID="$!"
    local rc=0
    wait "$DRIVER_PID" || rc=$?
    DRIVER_PID=""
    return "$rc"
}

status=0
build_suite_binaries

log "end-to-end cases and cold start through cargo lambda watch --only-lambda-apis on port $PORT"
start_emulator "$PORT" "$WORK/watch.log"
run_driver cases "$PORT" "$BIN_DIR/debug/canary-lambda" "$WORK/function.log" || status=1
if [ "$status" -ne 0 ]; then
    echo "--- emulator log ---" >&2
    tail -n 40 "$WORK/watch.log" >&2
    echo "--- function log ---" >&2
    tail -n 40 "$WORK/function.log" >&2
fi
run_driver coldstart "$PORT" "$BIN_DIR/debug/canary-lambda" || status=1
stop_emulators

log "worst cases: the 4 MB and 6 MB events, within 128 MB and 2 s of CPU"
run_driver worst "$BIN_DIR/debug/canary-lambda" "$BIN_DIR/debug/canary-bench" || status=1

exit "$status"
