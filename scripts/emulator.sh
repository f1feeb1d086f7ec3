# Sourced by scripts/e2e-lambda.sh and scripts/e2e-smoke-hook.sh: cargo-lambda's runtime emulator,
# serving the Lambda APIs alone, in front of a binary of the test suite's build.
#
# The caller runs from the checkout's root with `set -euo pipefail`, and calls `stop_emulators` from
# its exit trap.

EMULATOR_PIDS=()

log() { printf '==> %s\n' "$*"; }

# Installs cargo-lambda with pip when it is missing, at the version scripts/test.sh installs: the pin
# lives in requirements-test.txt alone.
ensure_cargo_lambda() {
    if ! cargo lambda --version >/dev/null 2>&1; then
        log "installing cargo-lambda with pip (requirements-test.txt's pin)"
        python3 -m pip install --quiet "$(grep -E '^cargo-lambda==' requirements-test.txt)"
    fi
    log "$(cargo lambda --version)"
}

# Builds the binaries as the test suite builds them and sets BIN_DIR to the target directory. After
# scripts/test.sh's `cargo test --workspace` this only links what the suite did not; a build of one
# crate on its own would resolve its dependencies' features differently and compile them again.
build_suite_binaries() {
    log "building the binaries with the test suite's features (cargo build --workspace --bins --tests)"
    cargo build --workspace --bins --tests --quiet
    BIN_DIR="$(cargo metadata --format-version 1 --no-deps |
        python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
}

# Starts `cargo lambda watch --only-lambda-apis ARGS...` on PORT, logging to LOGFILE, in a new session
# (its pid is its process group id), and waits until the port accepts connections. A function started
# against it reaches the Runtime API at http://127.0.0.1:PORT/.rt and is invoked as `_`.
start_emulator() {
    local port="$1" logfile="$2"
    shift 2
    setsid cargo lambda watch --ignore-changes --only-lambda-apis -A 127.0.0.1 -P "$port" "$@" >"$logfile" 2>&1 &
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

stop_emulators() {
    local pid
    for pid in "${EMULATOR_PIDS[@]}"; do
        # Each emulator leads its own process group (setsid), so this reaches what it spawned too.
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
