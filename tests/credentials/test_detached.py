"""What the registry signs outside the bundle, checked against a pinned root alone
(credentials/detached.py, rootchain.registry_signer and credential_signer): the chain's rules and
codes as for a bundle, the certificate valid at signing and at checking, and every change of the
file or the document refused with a code, never an exception of another kind."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials import (
    DetachedSignatureError,
    SigningKey,
    rootchain,
    sign_proof,
    verify_detached,
)

ROOT = SigningKey.from_seed(b"\x71" * 32)
NEXT_ROOT = SigningKey.from_seed(b"\x72" * 32)
BUNDLE_KEY = SigningKey.from_seed(b"\x73" * 32)
STRANGER = SigningKey.from_seed(b"\x74" * 32)
NOW = dt.datetime(2026, 11, 5, 8, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)
BODY = '{"institutions":[{"uscc":"91350100M000100Y43","name":"示例"}]}'.encode()


def cert(root: SigningKey = ROOT, key: SigningKey = BUNDLE_KEY, days: int = 30) -> dict[str, Any]:
    return rootchain.certify(
        root, key.public_key, valid_from=NOW - DAY, valid_until=NOW + days * DAY
    )


def detached(body: bytes, key: SigningKey, **chain: Any) -> dict[str, Any]:
    return {
        "type": "Ed25519DetachedSignature",
        "signs": "/open-data/v1/directory/training.json",
        "sha256": hashlib.sha256(body).hexdigest(),
        "publicKeyMultibase": key.public_key.multibase,
        "signature": base64.b64encode(key.sign(body)).decode(),
        **chain,
    }


def code_of(body: bytes, document: Any, at: dt.datetime = NOW) -> str | None:
    try:
        verify_detached(body, document, [ROOT.public_key], now=at)
    except DetachedSignatureError as exc:
        return exc.code
    return None


def test_the_root_and_a_key_it_certified_are_accepted() -> None:
    assert code_of(BODY, detached(BODY, ROOT)) is None
    signer = verify_detached(
        BODY, detached(BODY, BUNDLE_KEY, bundleKeyCertificate=cert()), [ROOT.public_key], now=NOW
    )
    assert signer.key == BUNDLE_KEY.public_key and signer.anchor == ROOT.public_key
    rotation = rootchain.rotation(ROOT, NEXT_ROOT.public_key, issued=NOW - DAY)
    by_next = detached(
        BODY, BUNDLE_KEY, bundleKeyCertificate=cert(root=NEXT_ROOT), rootRotations=[rotation]
    )
    assert code_of(BODY, by_next) is None


def test_every_way_a_signature_fails_has_its_code() -> None:
    good = detached(BODY, BUNDLE_KEY, bundleKeyCertificate=cert(days=3))
    cases = {
        "DETACHED_DIGEST": (BODY + b"\n", good, NOW),
        "DETACHED_SIGNATURE": (
            BODY,
            {**good, "signature": detached(b"x", BUNDLE_KEY)["signature"]},
            NOW,
        ),
        "DETACHED_INVALID": (BODY, {**good, "type": "Other"}, NOW),
        "BUNDLE_UNTRUSTED_KEY": (BODY, detached(BODY, BUNDLE_KEY), NOW),
        "BUNDLE_CERT_EXPIRED": (BODY, good, NOW + 5 * DAY),
        "BUNDLE_CERT_NOT_YET_VALID": (BODY, good, NOW - 2 * DAY),
        "BUNDLE_CERT_UNTRUSTED_ROOT": (
            BODY,
            detached(BODY, BUNDLE_KEY, bundleKeyCertificate=cert(root=STRANGER)),
            NOW,
        ),
        "BUNDLE_CERT_WRONG_KEY": (
            BODY,
            detached(BODY, BUNDLE_KEY, bundleKeyCertificate=cert(key=STRANGER)),
            NOW,
        ),
    }
    assert {code: code_of(*case) for code, case in cases.items()} == {c: c for c in cases}


@settings(deadline=None)
@given(st.binary(min_size=1, max_size=200), st.integers(min_value=0), st.integers(1, 255))
def test_one_changed_byte_is_refused(body: bytes, where: int, flip: int) -> None:
    document = detached(body, BUNDLE_KEY, bundleKeyCertificate=cert())
    changed = bytearray(body)
    changed[where % len(body)] ^= flip
    assert code_of(bytes(changed), document) == "DETACHED_DIGEST"
    # With the digest made to match, the signature still refuses it.
    forged = {**document, "sha256": hashlib.sha256(bytes(changed)).hexdigest()}
    assert code_of(bytes(changed), forged) == "DETACHED_SIGNATURE"


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


MEMBERS = sorted([*detached(BODY, ROOT), "bundleKeyCertificate", "rootRotations"])


@settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.dictionaries(st.sampled_from(MEMBERS), JSON, max_size=4))
def test_any_document_is_refused_with_a_code_or_accepted(members: dict[str, Any]) -> None:
    document = {**detached(BODY, ROOT), **members}
    found = code_of(BODY, document)
    assert found is None or found.isupper()


def test_a_record_is_trusted_through_the_chain_it_carries_at_its_creation() -> None:
    body = {"type": ["VerifiableCredential"], "issuer": "urn:dte:registry"}
    signed = sign_proof({**body, "bundleKeyCertificate": cert(days=3)}, BUNDLE_KEY, created=NOW)
    signer = rootchain.credential_signer(signed, (ROOT.public_key,), now=NOW + DAY)
    assert signer.key == BUNDLE_KEY.public_key
    cases = {
        "BUNDLE_CERT_EXPIRED": (signed, NOW + 5 * DAY),
        "REGISTRY_PROOF": ({**signed, "issuer": "urn:dte:other"}, NOW),
        "BUNDLE_UNTRUSTED_KEY": (sign_proof(body, BUNDLE_KEY, created=NOW), NOW),
    }
    late = sign_proof(
        {**body, "bundleKeyCertificate": cert(days=3)}, BUNDLE_KEY, created=NOW + 4 * DAY
    )
    cases["BUNDLE_CERT_EXPIRED_AT_SIGNING"] = (late, NOW + 2 * DAY)
    found = {}
    for name, (document, at) in cases.items():
        with pytest.raises(rootchain.ChainError) as caught:
            rootchain.credential_signer(document, (ROOT.public_key,), now=at)
        found[name] = caught.value.code
    assert found == {
        "BUNDLE_CERT_EXPIRED": "BUNDLE_CERT_EXPIRED",
        "REGISTRY_PROOF": "REGISTRY_PROOF",
        "BUNDLE_UNTRUSTED_KEY": "BUNDLE_UNTRUSTED_KEY",
        "BUNDLE_CERT_EXPIRED_AT_SIGNING": "BUNDLE_CERT_EXPIRED",
    }
