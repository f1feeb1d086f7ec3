#!/usr/bin/env bash
# Installs the node tools the system tests run (tests/node/package.json pins them, its lockfile pins
# their dependencies) into a cache directory kept between runs, and reinstalls only when the lockfile
# changes. The tests find the same directory: CANARY_NODE_TOOLS, else ~/.cache/canary-deployments/node-tools.
#
#   scripts/node-tools.sh          # install when missing or out of date; prints the directory
#
# Exit status: 0 installed or up to date, 2 node or npm missing or the install failed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PINS="$ROOT/tests/node"
DIR="${CANARY_NODE_TOOLS:-${XDG_CACHE_HOME:-$HOME/.cache}/canary-deployments/node-tools}"

for tool in node npm; do
    command -v "$tool" >/dev/null || { echo "node-tools.sh: $tool is missing (apt-get install nodejs npm)" >&2; exit 2; }
done

stamp="$(sha256sum "$PINS/package-lock.json" | cut -d' ' -f1)"
if [ -f "$DIR/.installed" ] && [ "$(cat "$DIR/.installed")" = "$stamp" ]; then
    echo "node tools up to date in $DIR"
    exit 0
fi
mkdir -p "$DIR"
rm -f "$DIR/.installed"
cp "$PINS/package.json" "$PINS/package-lock.json" "$DIR/"
# No install scripts: none of the pinned tools needs one (the Framework's only prints a banner).
(cd "$DIR" && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error) || {
    echo "node-tools.sh: npm ci failed in $DIR" >&2
    exit 2
}
echo "$stamp" >"$DIR/.installed"
echo "node tools installed in $DIR: node $(node --version), $(cd "$DIR" && node -p "['serverless','aws-cdk-lib','constructs'].map(p => p + ' ' + require(p + '/package.json').version).join(', ')")"
