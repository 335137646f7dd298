#!/usr/bin/env bash
# Install the locked npm dependencies of the GraphQL-over-HTTP audit (tests/service/audit/:
# graphql-http's serverAudits, run by tests/service/test_http_audit.py). Idempotent: runs npm
# only when the lockfile changed.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../tests/service/audit"
stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -e "$stamp" ]; then
    echo "installing the GraphQL-over-HTTP audit's npm dependencies (npm ci)" >&2
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    touch "$stamp"
fi
