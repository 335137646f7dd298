"""The trust bundle's transparency-log members (credentials/_bundle_log.py): `logs`,
`witnesses` and an institution key's `logSizeAtRetirement`, `compromisedAt`,
`logSizeAtCompromise` — written only when set, read back, refused when wrong."""

from __future__ import annotations

from typing import Any

import pytest

from credentials.bundle import BundleError, load_bundle, sign_bundle
from tests.credentials._log_support import (
    LOG,
    LOG_ENTRY,
    RETIREMENT_SIZE,
    WITNESS_1,
    log_bundle_document,
    log_institutions,
)
from tests.credentials._support import OLD_KEY, ROOT_KEY, at, bundle_document, root_public


def test_the_log_members_round_trip() -> None:
    institution_list = log_institutions(compromised=at("2024-09-01T00:00:00"), compromise_size=6)
    document = log_bundle_document(institution_list=institution_list, witnesses=[WITNESS_1])
    assert document["logs"] == [
        {
            "origin": LOG_ENTRY.origin,
            "key": LOG.key.vkey,
            "validFrom": "2023-01-01T00:00:00Z",
            "validUntil": None,
        }
    ]
    assert document["witnesses"] == [{"key": WITNESS_1.key.vkey}]
    bundle = load_bundle(document, root_public())
    assert bundle.logs == (LOG_ENTRY,)
    assert bundle.witnesses == (WITNESS_1.key,)
    old = bundle.key(OLD_KEY.public_key.verification_method)
    assert old is not None
    assert (old.log_size_at_retirement, old.compromised_at, old.log_size_at_compromise) == (
        RETIREMENT_SIZE,
        at("2024-09-01T00:00:00"),
        6,
    )
    assert old.log_bound == ("KEY_COMPROMISED", 6)


def test_an_older_bundle_has_no_log_members_and_still_loads() -> None:
    document = bundle_document()
    assert "logs" not in document and "witnesses" not in document
    assert all("logSizeAtRetirement" not in k for i in document["institutions"] for k in i["keys"])
    bundle = load_bundle(document, root_public())
    assert bundle.logs == () and bundle.witnesses == ()


def _resigned(edit: Any) -> dict[str, Any]:
    document = {k: v for k, v in log_bundle_document().items() if k != "proof"}
    edit(document)
    return sign_bundle(document, ROOT_KEY)


@pytest.mark.parametrize(
    ("edit", "code"),
    [
        (lambda d: d["logs"][0].update(key=WITNESS_1.key.vkey), "BUNDLE_INVALID"),
        (lambda d: d["logs"][0].update(key=LOG.key.vkey[:-2] + "AA"), "BUNDLE_INVALID"),
        (lambda d: d["logs"][0].update(origin="a b"), "BUNDLE_SCHEMA"),
        (lambda d: d["logs"][0].update(validUntil="2022-01-01T00:00:00Z"), "BUNDLE_INVALID"),
        (lambda d: d.update(witnesses=[{"key": LOG.key.vkey}]), "BUNDLE_INVALID"),
        (lambda d: d["institutions"][0]["keys"][0].update(logSizeAtRetirement=-1), "BUNDLE_SCHEMA"),
        (
            lambda d: d["institutions"][0]["keys"][0].update(compromisedAt="2024-09-01T00:00:00Z"),
            "BUNDLE_INVALID",
        ),
    ],
)
def test_wrong_log_members_refuse_the_bundle(edit: Any, code: str) -> None:
    with pytest.raises(BundleError) as err:
        load_bundle(_resigned(edit), root_public())
    assert err.value.code == code
