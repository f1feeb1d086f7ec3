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
# The binaries are built as the test suite builds them (`cargo build --workspace --bins --tests`, which
# after scripts/test.sh's `cargo test --workspace` only links what the suite did not): a build of the
# Lambda crate on its own would resolve its dependencies' features differently and compile them again.
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
EMULATOR_PIDS=()
DRIVER_PID=""

stop_emulators() {
    local pid
    for pid in "${EMULATOR_PIDS[@]}"; do
        # Each emulator leads its own process group (setsid), so this reaches the function it spawned too.
        kill -TERM -- "-$pid" 2>/dev/null || true
    done
    for pid in "${EMULATOR_PIDS[@]}"; do
        for _ in $(seq 50); do
            kill -0 -- "-$pid" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$pid" 2>/dev/null || true
    done
    EMULATOR_PIDS=()
}
cleanup() {
    if [ -n "$DRIVER_PID" ]; then
        kill -TERM "$DRIVER_PID" 2>/dev/null || true
    fi
    stop_emulators
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '==> %s\n' "$*"; }

if ! cargo lambda --version >/dev/null 2>&1; then
    # The version scripts/test.sh installs: the pin lives in requirements-test.txt alone.
    log "installing cargo-lambda with pip (requirements-test.txt's pin)"
    python3 -m pip install --quiet "$(grep -E '^cargo-lambda==' requirements-test.txt)"
fi
log "$(cargo lambda --version)"

# Starts `cargo lambda watch ARGS...` in a new session (its pid is its process group id) and waits
# until its port accepts connections.
start_emulator() {
    local port="$1" logfile="$2"
    shift 2
    setsid cargo lambda watch --ignore-changes -A 127.0.0.1 -P "$port" "$@" >"$logfile" 2>&1 &
    EMULATOR_PIDS+=("$!")
    local pid="$!"
    for _ in $(seq 600); do
        if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$port" 2>/dev/null; then
            return 0
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "the emulator exited early:" >&2
            cat "$logfile" >&2
            return 1
        fi
        sleep 0.2
    done
    echo "the emulator did not open port $port within 120 s:" >&2
    cat "$logfile" >&2
    return 1
}

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
BIN_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"

log "building the binaries with the test suite's features (cargo build --workspace --bins --tests)"
cargo build --workspace --bins --tests --quiet

log "end-to-end cases and cold start through cargo lambda watch --only-lambda-apis on port $PORT"
start_emulator "$PORT" "$WORK/watch.log" --only-lambda-apis
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
