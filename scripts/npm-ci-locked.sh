#!/usr/bin/env bash
# Install a folder's locked npm dependencies (npm ci, no install scripts), only when its
# lockfile changed since the last install. Used by the setup scripts of the npm tools the tests
# run (scripts/setup-audit.sh, scripts/setup-axe.sh).
#
#   scripts/npm-ci-locked.sh FOLDER WHAT      FOLDER relative to the repository, WHAT for the log
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../$1"
stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -e "$stamp" ]; then
    echo "installing $2's npm dependencies (npm ci)" >&2
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    touch "$stamp"
fi
