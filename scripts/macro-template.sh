#!/usr/bin/env bash
# Writes deploy/macro.yaml for one version to stdout, as scripts/package.sh ships it:
#
#   scripts/macro-template.sh VERSION >canary-deployments-VERSION-macro.yaml
#
# __VERSION__ becomes the version, and __VERSION_PATTERN__ (in CodeKey's AllowedPattern) the version
# as a regular expression, its dots and plus signs escaped.
set -euo pipefail

VERSION="${1:?usage: scripts/macro-template.sh VERSION}"
# The backslash is doubled for sed's replacement text.
VERSION_PATTERN="$(printf '%s' "$VERSION" | sed 's/[.+]/\\\\&/g')"
sed -e "s/__VERSION_PATTERN__/$VERSION_PATTERN/g" -e "s/__VERSION__/$VERSION/g" \
    "$(dirname "${BASH_SOURCE[0]}")/../deploy/macro.yaml"
