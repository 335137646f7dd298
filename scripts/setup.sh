# Sourced by scripts/run and scripts/test: create .venv if missing and install the project with
# its [embedded,dev] extras and the PDF's Chinese font (scripts/pdf-font.txt, pinned by version
# and SHA-256). Re-installs only when pyproject.toml or the font's pin changed since the last install.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

PYTHON="${PYTHON:-python3}"
if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "dte-registry needs Python 3.11 or newer as \$PYTHON (found: $("$PYTHON" --version 2>&1))" >&2
    exit 1
fi
if [ ! -x .venv/bin/python ]; then
    echo "creating .venv" >&2
    "$PYTHON" -m venv .venv
fi
stamp=".venv/.installed-$(cat pyproject.toml scripts/pdf-font.txt | sha256sum | cut -c1-16)"
if [ ! -e "$stamp" ]; then
    echo "installing dte-registry[embedded,dev] into .venv" >&2
    .venv/bin/python -m pip install --quiet --upgrade pip
    .venv/bin/python -m pip install --quiet -e ".[embedded,dev]"
    .venv/bin/python -m pip install --quiet --require-hashes --no-deps -r scripts/pdf-font.txt
    rm -f .venv/.installed-*
    touch "$stamp"
fi
export REGISTRY_PORT="${REGISTRY_PORT:-8000}"
export REGISTRY_DATA_DIR="${REGISTRY_DATA_DIR:-./var}"
