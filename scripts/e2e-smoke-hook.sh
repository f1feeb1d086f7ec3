#!/usr/bin/env bash
# End-to-end test of the smoke test hook (crates/smoke-hook) through cargo-lambda's runtime emulator,
# against a local endpoint standing in for CodeDeploy and Lambda that checks every request against
# botocore's API models and verifies its SigV4 signature (scripts/smoke_hook_e2e.py).
#
# Scenarios: all cases pass -> Succeeded; a function error -> Failed; an Expect mismatch -> Failed
# with the mismatch logged; a throttled Invoke retried -> Succeeded; the status call failing once ->
# Succeeded; a panic inside the hook -> Failed, still reported. The hook is built with its
# `fault-injection` feature, which only this test uses, to cause the panic.
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
EMULATOR_PID=""

cleanup() {
    if [ -n "$EMULATOR_PID" ]; then
        kill -TERM -- "-$EMULATOR_PID" 2>/dev/null || true
        for _ in $(seq 50); do
            kill -0 -- "-$EMULATOR_PID" 2>/dev/null || break
            sleep 0.1
        done
        kill -KILL -- "-$EMULATOR_PID" 2>/dev/null || true
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { printf '==> %s\n' "$*"; }

if ! cargo lambda --version >/dev/null 2>&1; then
    log "installing cargo-lambda with pip (requirements-test.txt's pin)"
    python3 -m pip install --quiet "$(grep -E '^cargo-lambda==' requirements-test.txt)"
fi

# The emulator compiles on demand; building first keeps compile time out of the first invoke.
log "building canary-smoke-hook (with fault-injection)"
cargo build -p canary-smoke-hook --features fault-injection --quiet

CASES='[{"Event":{"path":"/health","httpMethod":"GET"},"Expect":{"statusCode":200}},{"Event":{"Records":[{"body":"{\"orderId\": \"test\"}"}]}}]'
# A file, since the cases hold commas, which --env-var would split on.
printf "CANARY_SMOKE_TEST='%s'\n" "$CASES" >"$WORK/cases.env"
log "smoke hook scenarios through cargo lambda watch on port $PORT, fake AWS on port $FAKE_PORT"
setsid cargo lambda watch --ignore-changes -A 127.0.0.1 -P "$PORT" -p canary-smoke-hook --bin canary-smoke-hook \
    --features fault-injection --timeout 60 \
    --env-var "AWS_REGION=eu-west-1" \
    --env-var "AWS_ACCESS_KEY_ID=AKIDSMOKETEST0000000" \
    --env-var "AWS_SECRET_ACCESS_KEY=smoke-test-secret-key-not-a-real-one000" \
    --env-var "AWS_SESSION_TOKEN=smoke-test-session-token" \
    --env-var "AWS_ENDPOINT_URL=http://127.0.0.1:$FAKE_PORT" \
    --env-var "CANARY_SMOKE_HOOK_FAULT=panic:d-panic" \
    --env-file "$WORK/cases.env" \
    >"$WORK/watch.log" 2>&1 &
EMULATOR_PID="$!"
for _ in $(seq 600); do
    if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', int(sys.argv[1])), 1)" "$PORT" 2>/dev/null; then
        break
    fi
    if ! kill -0 "$EMULATOR_PID" 2>/dev/null; then
        echo "the emulator exited early:" >&2
        cat "$WORK/watch.log" >&2
        exit 1
    fi
    sleep 0.2
done

RELEASE=()
if [ "${1:-}" = "--cold-start" ]; then
    cargo build --release -p canary-smoke-hook --quiet
    RELEASE=("$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release/canary-smoke-hook")
fi

status=0
python3 scripts/smoke_hook_e2e.py "$PORT" "$FAKE_PORT" "$WORK/watch.log" "${RELEASE[@]}" || status=1
if [ "$status" -ne 0 ]; then
    echo "--- emulator log ---" >&2
    tail -n 400 "$WORK/watch.log" >&2
fi
exit "$status"
