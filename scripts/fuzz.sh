#!/usr/bin/env bash
# Runs every cargo-fuzz target in fuzz/ for a bounded time and prints the executions each one ran.
#
#   scripts/fuzz.sh            # 20 s, every target at once
#   scripts/fuzz.sh 15         # 15 s, every target at once (what scripts/test.sh runs)
#   scripts/fuzz.sh 600        # 10 minutes, by hand
#
# Committed seeds live in fuzz/corpus/<target>; inputs the fuzzer finds go to a scratch corpus under
# fuzz/target/corpus-work/<target> (first corpus directory, which libFuzzer writes to), so a run never
# dirties the committed seeds. A crash, a timeout (2 s) or running over the memory budget (128 MB for the
# Lambda's target, 256 MB for the engine's) stops that target, prints the reproducer path under
# fuzz/artifacts/<target>/, and makes the script exit 1 after the other targets ran.
set -euo pipefail

seconds="${1:-20}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root/fuzz"

if ! rustup toolchain list | grep -q '^nightly'; then
    echo "fuzz.sh: cargo-fuzz needs a nightly toolchain (rustup toolchain install nightly)" >&2
    exit 2
fi
if ! command -v cargo-fuzz >/dev/null 2>&1; then
    cargo install cargo-fuzz --version 0.13.2 --locked
fi

# No sanitizer: the fuzzed crates (canary-engine, canary-lambda) hold no `unsafe` of their own (the
# workspace's only `unsafe` outside the bench is the CLI's libyaml wrapper, which no target reaches),
# so AddressSanitizer would find nothing that safe Rust does not already stop, and building without it
# takes a third of the time. A panic, an abort, a stack overflow, a timeout or running out of memory
# still fail the run.
FUZZ_FLAGS=(-O --sanitizer none)

# Build once up front so the time budget goes to fuzzing, not compiling.
mkdir -p target
if ! cargo +nightly fuzz build "${FUZZ_FLAGS[@]}" >target/fuzz-build.log 2>&1; then
    cat target/fuzz-build.log >&2
    exit 2
fi

# Each input must be answered within the budgets the macro promises: 2 s of CPU (libFuzzer's
# -timeout counts wall time, which is at least that), 128 MB for the Lambda handler (its memory size),
# 256 MB for the engine as the CLI runs it. Over either, libFuzzer stops with the input that did it.
# The committed seeds hold a small instance of each shape that once broke these budgets
# (crates/bench/src/worst.rs), so mutations start from them.
TIMEOUT_S=2
rss_limit_mb() {
    case "$1" in
        macro_event) echo 128 ;;
        *) echo 256 ;;
    esac
}

# The targets fuzz at once, one process each, so the run takes SECONDS whatever the number of targets;
# on two cores three targets share the CPU, which is why scripts/test.sh gives each 15 s.
targets=($(cargo +nightly fuzz list))
pids=()
for target in "${targets[@]}"; do
    work="target/corpus-work/$target"
    mkdir -p "$work" "corpus/$target"
    cargo +nightly fuzz run "${FUZZ_FLAGS[@]}" "$target" "$work" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout="$TIMEOUT_S" -rss_limit_mb="$(rss_limit_mb "$target")" \
        -print_final_stats=1 \
        >"target/fuzz-$target.log" 2>&1 &
    pids+=("$!")
done

status=0
total=0
for i in "${!targets[@]}"; do
    target="${targets[$i]}"
    log="target/fuzz-$target.log"
    if wait "${pids[$i]}"; then
        outcome="ok"
    else
        outcome="CRASH (see $log and fuzz/artifacts/$target/)"
        status=1
    fi
    # A crash can end the run before libFuzzer prints its final stats: no count is then 0, not an exit.
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1 || true)"
    runs="${runs:-0}"
    total=$((total + runs))
    printf '%-20s %10s executions in %ss (-timeout=%s -rss_limit_mb=%s): %s\n' "$target" "$runs" "$seconds" \
        "$TIMEOUT_S" "$(rss_limit_mb "$target")" "$outcome"
    if [ "$outcome" != "ok" ]; then
        grep -E 'panicked at|ERROR: libFuzzer|SUMMARY|Test unit written' "$log" | head -10 >&2 || true
    fi
done
echo "total: $total executions"
exit "$status"
