#!/usr/bin/env bash
# End-to-end test of the smoke test hook (crates/smoke-hook) through cargo-lambda's runtime emulator,
# against a local endpoint standing in for CodeDeploy and Lambda that checks every request against
# botocore's API models and verifies its SigV4 signature (scripts/smoke_hook_e2e.py).
#
# Scenarios: all cases pass -> Succeeded; a function error -> Failed; an Expect mismatch -> Failed
# with the mismatch logged; a throttled Invoke retried -> Succeeded; the status call failing once ->
# Succeeded; a panic inside the hook -> Failed, still reported. The hook is built as the test suite
# builds it (scripts/emulator.sh, `build_suite_binaries`), where its `fault-injection` feature, which
# only this test uses, is on to cause the panic. The emulator
# serves the Lambda APIs alone and this script starts the hook with Lambda's environment.
#
# The emulator runs in its own process group and is stopped by process id on exit. Installs
# cargo-lambda with pip when missing, at requirements-test.txt's pin. CANARY_SMOKE_E2E_PORT picks the
# first of the two ports used (default 9430: the emulator; the fake endpoint is the next one).
# `--cold-start` also builds the release binary and reports its cold start against the same fake.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
PORT="${CANARY_SMOKE_E2E_PORT:-9430}"
FAKE_PORT=$((PORT + 1))
WORK="$(mktemp -d)"
HOOK_PID=""
# shellcheck source=scripts/emulator.sh
source scripts/emulator.sh

cleanup() {
    if [ -n "$HOOK_PID" ]; then
        kill -KILL -- "-$HOOK_PID" 2>/dev/null || true
    fi
    stop_emulators
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

ensure_cargo_lambda
build_suite_binaries

CASES='[{"Event":{"path":"/health","httpMethod":"GET"},"Expect":{"statusCode":200}},{"Event":{"Records":[{"body":"{\"orderId\": \"test\"}"}]}}]'
log "smoke hook scenarios through cargo lambda watch --only-lambda-apis on port $PORT, fake AWS on port $FAKE_PORT"
start_emulator "$PORT" "$WORK/watch.log" --timeout 60

# The hook, as Lambda runs it: the Runtime API, a Region, credentials, and the endpoint of the fake.
setsid env AWS_LAMBDA_RUNTIME_API="http://127.0.0.1:$PORT/.rt" AWS_LAMBDA_FUNCTION_NAME=_ \
    AWS_LAMBDA_FUNCTION_VERSION=1 AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128 \
    AWS_REGION=eu-west-1 \
    AWS_ACCESS_KEY_ID=AKIDSMOKETEST0000000 \
    AWS_SECRET_ACCESS_KEY=smoke-test-secret-key-not-a-real-one000 \
    AWS_SESSION_TOKEN=smoke-test-session-token \
    AWS_ENDPOINT_URL="http://127.0.0.1:$FAKE_PORT" \
    CANARY_SMOKE_HOOK_FAULT=panic:d-panic \
    CANARY_SMOKE_TEST="$CASES" \
    "$BIN_DIR/debug/canary-smoke-hook" >"$WORK/hook.log" 2>&1 &
HOOK_PID="$!"
disown "$HOOK_PID"  # killed on exit; bash need not report it

RELEASE=()
if [ "${1:-}" = "--cold-start" ]; then
    cargo build --release -p canary-smoke-hook --quiet
    RELEASE=("$BIN_DIR/release/canary-smoke-hook")
fi

status=0
python3 scripts/smoke_hook_e2e.py "$PORT" "$FAKE_PORT" "$WORK/hook.log" "${RELEASE[@]}" || status=1
if [ "$status" -ne 0 ]; then
    echo "--- emulator log ---" >&2
    tail -n 40 "$WORK/watch.log" >&2
    echo "--- hook log ---" >&2
    tail -n 400 "$WORK/hook.log" >&2
fi
exit "$status"
