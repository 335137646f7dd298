#!/usr/bin/env bash
# Build GraphiQL (web/graphiql/): its locked npm dependencies (npm ci) and its bundle in
# web/graphiql/dist/, served at /graphql to browsers from the registry's own files (no CDN).
# Called by scripts/run and scripts/test. Idempotent: each step runs only when its inputs
# changed, so a second run takes well under a second.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

if ! command -v npm >/dev/null || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)'; then
    echo "Node.js 20 or newer with npm is needed to build GraphiQL (web/graphiql)" >&2
    exit 1
fi

cd web/graphiql
# Exactly the locked versions; no install scripts (esbuild finds its binary without one).
stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -e "$stamp" ]; then
    echo "installing GraphiQL's npm dependencies (npm ci)" >&2
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    touch "$stamp"
fi
inputs=$(cat package-lock.json build.mjs src/* | sha256sum | cut -c1-16)
if [ ! -f dist/index.html ] || [ "$(cat dist/.inputs 2>/dev/null)" != "$inputs" ]; then
    node build.mjs
    echo "$inputs" >dist/.inputs
fi
