#!/usr/bin/env bash
# For the printable certificate's tests (tests/pdf.py): Debian's poppler-utils (pdftoppm,
# pdftotext, pdffonts), installed with apt-get when missing (as root, or with password-less
# sudo). Only the tests need it: printing itself needs no system package (the font comes from
# PyPI, scripts/pdf-font.txt). Idempotent.
set -euo pipefail
command -v pdftoppm >/dev/null && command -v pdftotext >/dev/null && command -v pdffonts >/dev/null && exit 0
sudo=""
[ "$(id -u)" = 0 ] || { sudo -n true 2>/dev/null && sudo="sudo -n"; }
if command -v apt-get >/dev/null && { [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; }; then
    echo "installing poppler-utils with apt-get" >&2
    install() { $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends poppler-utils >/dev/null; }
    install || { $sudo apt-get update >/dev/null && install; }
else
    echo "warning: poppler-utils missing and cannot be installed here; the PDF tests will fail" \
        "until it is (apt-get install poppler-utils)" >&2
fi
