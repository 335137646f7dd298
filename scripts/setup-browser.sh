#!/usr/bin/env bash
# Set up the offline verifier page (web/verifier/): its locked npm dependencies and its build in
# web/verifier/dist/ (served at /verify), and for the browser tests Debian's chromium with a
# Chinese font, installed with apt-get when missing (as root, or with password-less sudo).
# Idempotent: each step runs only when its inputs changed, so a second run takes well under a
# second.
#
#   scripts/setup-browser.sh          everything (the test command)
#   scripts/setup-browser.sh --page   the page only (the run command: no browser needed)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

page_only=false
[ "${1:-}" = "--page" ] && page_only=true

if ! $page_only; then
    missing=()
    [ -x "${DTE_CHROMIUM:-/usr/bin/chromium}" ] || missing+=(chromium)
    # Screenshots of a Chinese page need a Chinese font; WenQuanYi Micro Hei is small (5 MB).
    fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-wqy-microhei)
    if [ ${#missing[@]} -gt 0 ]; then
        sudo=""
        [ "$(id -u)" = 0 ] || { sudo -n true 2>/dev/null && sudo="sudo -n"; }
        if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; }; then
            echo "installing ${missing[*]} with apt-get" >&2
            install() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null; }
            install || { $sudo apt-get update >/dev/null && install; }
        else
            echo "warning: ${missing[*]} missing and cannot be installed here; the browser tests" \
                "will fail until it is (apt-get install ${missing[*]}, or set DTE_CHROMIUM)" >&2
        fi
    fi
fi

if ! command -v npm >/dev/null || ! node -e 'process.exit(Number(process.versions.node.split(".")[0]) < 20 ? 1 : 0)'; then
    echo "Node.js 20 or newer with npm is needed to build the verifier page (web/verifier)" >&2
    exit 1
fi

cd web/verifier
# Exactly the locked versions; no install scripts (esbuild finds its binary without one).
stamp="node_modules/.installed-$(sha256sum package-lock.json | cut -c1-16)"
if [ ! -e "$stamp" ]; then
    echo "installing the verifier page's npm dependencies (npm ci)" >&2
    npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
    touch "$stamp"
fi
inputs=$( (cat package-lock.json build.mjs src/* ../../credentials/schemas/*.json; env | grep '^DTE_VERIFIER_' | sort || true) | sha256sum | cut -c1-16)
if [ ! -f dist/index.html ] || [ "$(cat dist/.inputs 2>/dev/null)" != "$inputs" ]; then
    node build.mjs
    echo "$inputs" >dist/.inputs
fi
