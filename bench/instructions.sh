#!/usr/bin/env bash
# Instruction-count regression check of the expansion, run by scripts/test.sh.
#
# Counts the instructions `canary_engine::expand` executes on each workload under callgrind, which
# counts them exactly whatever else the machine is doing, and compares with bench/instructions.baseline.
# The expansion's own cost is the count of `canary-bench expand-once W` (build the workload in memory,
# expand it once) minus that of `canary-bench generate-once W` (build it and stop): workload
# generation, start-up and exit cancel out, and no JSON is read or written.
#
#   bench/instructions.sh           check: exit 1 when a workload costs more than 10% above its baseline
#   bench/instructions.sh --bless   measure and rewrite the baseline (after an intended change)
#
# The binary is built with the `instructions` cargo profile (Cargo.toml: release without LTO, so the
# build stays short); counts depend on the profile and the compiler, which the baseline records.
# Installs valgrind with apt-get when it is missing. Exit status: 0 ok, 1 regression, 2 usage or set-up.
set -euo pipefail
cd "$(dirname "$0")/.."

BASELINE=bench/instructions.baseline
PROFILE=instructions
WORKLOADS=(cfn-200 cfn-large)
TOLERANCE_PERCENT=10

bless=false
case "${1:-}" in
    "") ;;
    --bless) bless=true ;;
    *) echo "usage: bench/instructions.sh [--bless]" >&2; exit 2 ;;
esac

if ! command -v valgrind >/dev/null; then
    echo "valgrind is missing: installing it with apt-get"
    sudo=""
    [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq valgrind >/dev/null
    command -v valgrind >/dev/null || { echo "valgrind did not install" >&2; exit 2; }
fi

cargo build --quiet -p canary-bench --bin canary-bench --profile "$PROFILE"
TARGET_DIR="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')"
BIN="$TARGET_DIR/$PROFILE/canary-bench"
RUSTC="$(rustc --version)"
VALGRIND="$(valgrind --version)"

# Instructions executed by `canary-bench MODE WORKLOAD`, from callgrind's `Collected :` line.
count() {
    local log
    log="$(mktemp)"
    if ! valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN" "$@" >/dev/null 2>"$log"; then
        cat "$log" >&2
        rm -f "$log"
        echo "canary-bench $* failed under callgrind" >&2
        exit 2
    fi
    sed -n 's/^==[0-9]*== Collected : \([0-9]*\)$/\1/p' "$log"
    rm -f "$log"
}

# The four counts run at once: callgrind runs a program on one thread, and its counts do not depend on
# what else runs, so on two cores this halves the step's time and changes no number.
counts="$(mktemp -d)"
trap 'rm -rf "$counts"' EXIT
pids=()
for workload in "${WORKLOADS[@]}"; do
    for mode in expand-once generate-once; do
        count "$mode" "$workload" >"$counts/$mode-$workload" &
        pids+=("$!")
    done
done
for pid in "${pids[@]}"; do
    wait "$pid" || exit 2
done

declare -A measured
for workload in "${WORKLOADS[@]}"; do
    whole="$(cat "$counts/expand-once-$workload")"
    generation="$(cat "$counts/generate-once-$workload")"
    if [ -z "$whole" ] || [ -z "$generation" ]; then
        echo "no 'Collected' line in callgrind's output for $workload" >&2
        exit 2
    fi
    measured[$workload]=$((whole - generation))
done

if $bless; then
    {
        echo "# Instructions executed by canary_engine::expand per workload, counted under callgrind by"
        echo "# bench/instructions.sh (expand-once minus generate-once). After an intended change of the"
        echo "# expansion's cost: bench/instructions.sh --bless, and commit this file with the change."
        echo "profile: $PROFILE"
        echo "rustc: $RUSTC"
        echo "valgrind: $VALGRIND"
        for workload in "${WORKLOADS[@]}"; do
            echo "$workload: ${measured[$workload]}"
        done
    } >"$BASELINE"
    echo "wrote $BASELINE:"
    grep -v '^#' "$BASELINE"
    exit 0
fi

[ -f "$BASELINE" ] || { echo "$BASELINE is missing: bench/instructions.sh --bless writes it" >&2; exit 2; }
field() { sed -n "s/^$1: //p" "$BASELINE"; }

baseline_profile="$(field profile)"
if [ "$baseline_profile" != "$PROFILE" ]; then
    echo "$BASELINE was taken with the profile '$baseline_profile', this script builds '$PROFILE':" \
        "the counts do not compare; re-bless (bench/instructions.sh --bless)" >&2
    exit 1
fi
baseline_rustc="$(field rustc)"
if [ "$baseline_rustc" != "$RUSTC" ]; then
    echo "note: the baseline was taken with $baseline_rustc, this is $RUSTC; a compiler moves counts by a few percent"
fi

status=0
for workload in "${WORKLOADS[@]}"; do
    baseline="$(field "$workload")"
    if [ -z "$baseline" ]; then
        echo "$workload: $BASELINE has no count for it; re-bless (bench/instructions.sh --bless)" >&2
        status=1
        continue
    fi
    now="${measured[$workload]}"
    ratio="$(awk -v m="$now" -v b="$baseline" 'BEGIN { printf "%.3f", m / b }')"
    line="$workload: expand executed $now instructions, baseline $baseline, ratio $ratio"
    if [ $((now * 100)) -gt $((baseline * (100 + TOLERANCE_PERCENT))) ]; then
        echo "FAIL $line: more than ${TOLERANCE_PERCENT}% above the baseline."
        echo "     If the cost is intended, re-bless: bench/instructions.sh --bless"
        status=1
    elif [ $((now * 100)) -lt $((baseline * (100 - TOLERANCE_PERCENT))) ]; then
        echo "ok   $line"
        echo "note $workload is more than ${TOLERANCE_PERCENT}% below the baseline:" \
            "re-bless (bench/instructions.sh --bless) so that the check holds the gain"
    else
        echo "ok   $line"
    fi
done
[ $status -eq 0 ] || echo "the expansion's instruction count regressed (see above)" >&2
exit $status
