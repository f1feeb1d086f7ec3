#!/usr/bin/env bash
# Reruns the benchmarks and the plot: bench/run.sh [--full] [--peers-max-n N] [--skip-criterion] [--skip-peers]
#
# Builds the release binaries, installs the pinned serverless plugin into bench/node_modules
# (bench/package-lock.json; the framework itself is not needed, see bench/peers/plugin.js), checks
# that aws-sam-translator is importable, then runs bench/run.py, which prints the tables and writes
# bench/results/{results.md,results.json,expand-time.svg}. About 5 minutes on 2 cores, most of it
# the peers at N = 200 and 500; --full adds aws-sam-translator at N = 500 (several minutes more).
set -euo pipefail
cd "$(dirname "$0")/.."

cargo build --release -p canary-bench -p canary-deployments -p canary-lambda

if [ ! -d bench/node_modules/serverless-plugin-canary-deployments ]; then
  (cd bench && npm ci --no-audit --no-fund)
fi
node bench/peers/plugin.js --self-check >&2

# The pin lives in requirements-test.txt alone.
python3 -c 'import samtranslator' 2>/dev/null ||
  python3 -m pip install "$(grep -E '^aws-sam-translator==' requirements-test.txt)"

exec python3 bench/run.py "$@"
