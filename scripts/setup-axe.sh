#!/usr/bin/env bash
# Install the locked axe-core (tests/web/axe/), which tests/web/test_pages_browser.py injects into
# every public page to check its accessibility. Idempotent: runs npm only when the lockfile
# changed.
exec "$(dirname "${BASH_SOURCE[0]}")/npm-ci-locked.sh" tests/web/axe "axe-core (the accessibility tests)"
