"""Every audited event of the code is classified for the log (logged, or said not to be), so a
new workflow cannot forget it; and the leaves' canonical form."""

from __future__ import annotations

import datetime as dt
import importlib
import json
import pkgutil
import re
from pathlib import Path

import registry
from registry.storage.store import Kind
from registry.transparency import leaves

ROOT = Path(registry.__file__).parent
# `action="token.create"` and `action=f"signing_key.create_{role}"`: actions written outside
# the store.
_LITERAL = re.compile(r'action=f?"([a-z_]+)\.')


def kinds() -> list[Kind]:
    found = []
    for module in pkgutil.walk_packages([str(ROOT)], "registry."):
        loaded = importlib.import_module(module.name)
        found += [value for value in vars(loaded).values() if isinstance(value, Kind)]
    return found


def test_every_audit_prefix_of_the_code_is_classified() -> None:
    prefixes = {kind.audit_prefix for kind in kinds()}
    for path in ROOT.rglob("*.py"):
        prefixes |= set(_LITERAL.findall(path.read_text(encoding="utf-8")))
    assert len(prefixes) >= 8  # the search found the workflows at all
    unclassified = sorted(p for p in prefixes if p not in leaves.DERIVE)
    assert not unclassified, f"say in registry/transparency/leaves.py whether to log {unclassified}"


def test_the_longest_classified_prefix_decides() -> None:
    assert leaves.prefix_of("institution.report.submitReport") == "institution.report"
    assert leaves.prefix_of("institution.suspend") == "institution"
    assert leaves.prefix_of("thing.update") == ""


def test_leaves_are_canonical_json_with_their_kind_first_class() -> None:
    at = dt.datetime(2026, 1, 2, 3, 4, 5, 678_901, tzinfo=dt.UTC)
    data = leaves.certificate_revoked("Z1", "urn:uscc:X", "42", at)
    assert data == (
        b'{"at":"2026-01-02T03:04:05.678Z","issuer":"urn:uscc:X","kind":"certificate.revoked",'
        b'"number":"Z1","statusListIndex":"42"}'
    )
    assert json.loads(leaves.audit_head(7, "ab")) == {"kind": "audit.head", "seq": 7, "hash": "ab"}
    assert leaves.bundle_published(3, "sha256:00") == (
        b'{"digest":"sha256:00","kind":"bundle.published","sequence":3}'
    )
