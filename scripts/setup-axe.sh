#!/usr/bin/env bash
# Install the locked axe-core (tests/web/axe/), which tests/web/test_pages_browser.py injects into
# every public page to check its accessibility. Idempotent: runs npm only when the lockfile
# changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../tests/web/axe"
stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -e "$stamp" ]; then
    echo "installing axe-core for the accessibility tests (npm ci)" >&2
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    touch "$stamp"
fi
