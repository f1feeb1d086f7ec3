#!/usr/bin/env bash
# Builds the artifacts that install the CanaryDeployments macro without Rust or the SAM CLI:
#
#   OUT/canary-deployments-VERSION-bootstrap.zip   the arm64 release `bootstrap` for provided.al2023
#   OUT/canary-deployments-VERSION-smoke-hook.zip  the arm64 release `bootstrap` of the smoke test hook
#   OUT/canary-deployments-VERSION-macro.yaml      plain CloudFormation (no Transform) that deploys it
#   OUT/canary-deployments-VERSION.sha256          SHA-256 of the three, for `sha256sum -c` (macOS: `shasum -a 256 -c`)
#
# VERSION is the workspace crate version. OUT defaults to dist/. Needs no AWS credentials.
#
# The binary is built the way template.yaml's `BuildMethod: rust-cargolambda` builds it
# (`cargo lambda build --release --arm64 --bin canary-lambda`), with the checkout's, cargo's and the
# target directory's paths remapped so that the bytes do not depend on where the build ran.
# The zip is written with fixed timestamps and permissions, so the same source gives the same bytes.
# CARGO_TARGET_DIR picks another target directory, as for any cargo build.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="${1:-$ROOT/dist}"
mkdir -p "$OUT"
OUT="$(cd "$OUT" && pwd)"
cd "$ROOT"

if ! cargo lambda --version >/dev/null 2>&1; then
    echo "cargo-lambda is missing: pip install cargo-lambda (docs/install.md, The artifacts)" >&2
    exit 2
fi

read -r VERSION TARGET_DIR < <(cargo metadata --format-version 1 --no-deps | python3 -c '
import json, sys
meta = json.load(sys.stdin)
version = next(p["version"] for p in meta["packages"] if p["name"] == "canary-lambda")
print(version, meta["target_directory"])
')
NAME="canary-deployments-$VERSION"
CARGO_HOME_DIR="${CARGO_HOME:-$HOME/.cargo}"

# Panic locations carry source paths: the workspace's, the registry's under CARGO_HOME, and generated
# code under the target directory. Remapping all three makes the binary independent of the machine.
# RUSTFLAGS reach only the aarch64 target's crates, so build scripts keep their host cache.
# Both binaries in one command: their dependencies compile once, and cargo runs the two whole-program
# LTO links at once (a cold build took 137 s instead of 231 s as two commands). Resolving features once
# for both left the macro's bootstrap the size it has built alone and added 24 KB to the hook's. The hook is built without the fault-injection feature only its tests use (a dev-dependency
# turns it on, and a release build has none).
RUSTFLAGS="--remap-path-prefix=$ROOT=/canary-deployments --remap-path-prefix=$CARGO_HOME_DIR=/cargo --remap-path-prefix=$TARGET_DIR=/target" \
    cargo lambda build --release --arm64 -p canary-lambda -p canary-smoke-hook --bin canary-lambda --bin canary-smoke-hook

python3 - "$TARGET_DIR/lambda/canary-lambda/bootstrap" "$OUT/$NAME-bootstrap.zip" \
    "$TARGET_DIR/lambda/canary-smoke-hook/bootstrap" "$OUT/$NAME-smoke-hook.zip" <<'EOF'
import sys, zipfile
for source, target in zip(sys.argv[1::2], sys.argv[2::2]):
    with open(source, "rb") as f:
        data = f.read()
    # One entry with a fixed date and Unix mode rwxr-xr-x: Lambda's provided runtimes execute
    # `bootstrap`, and a zip written without the mode loses the executable bit.
    entry = zipfile.ZipInfo("bootstrap", date_time=(1980, 1, 1, 0, 0, 0))
    entry.create_system = 3
    entry.external_attr = (0o100755 << 16)
    entry.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(target, "w") as archive:
        archive.writestr(entry, data, compresslevel=9)
EOF

scripts/macro-template.sh "$VERSION" >"$OUT/$NAME-macro.yaml"

# macOS has no sha256sum; `shasum -a 256` writes the same lines.
if command -v sha256sum >/dev/null; then SHA256=(sha256sum); else SHA256=(shasum -a 256); fi
(cd "$OUT" && "${SHA256[@]}" "$NAME-bootstrap.zip" "$NAME-smoke-hook.zip" "$NAME-macro.yaml" >"$NAME.sha256")

size=$(wc -c <"$OUT/$NAME-bootstrap.zip")
echo "$OUT/$NAME-bootstrap.zip ($size bytes)"
echo "$OUT/$NAME-smoke-hook.zip ($(wc -c <"$OUT/$NAME-smoke-hook.zip") bytes)"
echo "$OUT/$NAME-macro.yaml"
echo "$OUT/$NAME.sha256"
