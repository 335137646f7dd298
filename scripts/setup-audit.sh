#!/usr/bin/env bash
# Install the locked npm dependencies of the GraphQL-over-HTTP audit (tests/service/audit/:
# graphql-http's serverAudits, run by tests/service/test_http_audit.py). Idempotent: runs npm
# only when the lockfile changed.
exec "$(dirname "${BASH_SOURCE[0]}")/npm-ci-locked.sh" tests/service/audit "the GraphQL-over-HTTP audit"
