#!/usr/bin/env bash
# Worst-case benchmark: every shape that once cost seconds or hundreds of megabytes
# (crates/bench/src/worst.rs), at growing sizes up to a 6 MB event, through the release CLI and the
# release Lambda binary; CPU time and peak RSS against input size. Writes bench/results/worst.{md,json,svg}.
# Not part of scripts/test.sh (the tests hold each shape to a generous bound instead).
#
#   bench/worst.sh            # every size (about two minutes on 2 cores)
#   bench/worst.sh --quick    # the two smallest sizes of each shape
#
# Needs Rust, Python 3 and /usr/bin/time.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet -p canary-deployments -p canary-lambda -p canary-bench
TARGET="$(cargo metadata --format-version 1 --no-deps | python3 -c 'import json,sys; print(json.load(sys.stdin)["target_directory"])')/release"
exec python3 bench/worst.py "$TARGET" "$@"
