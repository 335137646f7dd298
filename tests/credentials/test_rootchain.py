"""The root key off the server (issue 17, item 3): a verifier pinned only to the root key accepts
a bundle signed by a bundle key the root certified, refuses an expired certificate, another
root's, one for another key, and follows a root rotation the old root signed."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from credentials import rootchain
from credentials.bundle import (
    BundleError,
    MemoryBundleStore,
    build_bundle,
    load_bundle,
    sign_bundle,
)
from credentials.keys import SigningKey
from tests.credentials._support import (
    BUNDLE_ISSUED,
    OTHER_ROOT_KEY,
    ROOT_KEY,
    STATUS_URL,
    institutions,
    occupations,
    revocation_list,
)

BUNDLE_KEY = SigningKey.from_seed(b"\x21" * 32)
NEW_ROOT = SigningKey.from_seed(b"\x22" * 32)
DAY = dt.timedelta(days=1)
NOW = BUNDLE_ISSUED + DAY


def certificate(
    root: SigningKey = ROOT_KEY,
    key: SigningKey = BUNDLE_KEY,
    start: dt.datetime = BUNDLE_ISSUED - DAY,
    days: int = 30,
) -> dict[str, Any]:
    return rootchain.certify(root, key.public_key, valid_from=start, valid_until=start + days * DAY)


def bundle(
    signer: SigningKey = BUNDLE_KEY,
    cert: dict[str, Any] | None = None,
    rotations: tuple[dict[str, Any], ...] = (),
    issued: dt.datetime = BUNDLE_ISSUED,
    sequence: int = 7,
) -> dict[str, Any]:
    document = build_bundle(
        issued=issued,
        sequence=sequence,
        institutions=institutions(),
        occupations=occupations(),
        status_lists={STATUS_URL: revocation_list(signer=signer)},
        certificate=cert,
        rotations=rotations,
    )
    return sign_bundle(document, signer, created=issued)


def refused(document: dict[str, Any], now: dt.datetime = NOW, root: SigningKey = ROOT_KEY) -> str:
    with pytest.raises(BundleError) as caught:
        load_bundle(document, [root.public_key], now=now)
    return caught.value.code


def test_a_bundle_signed_by_a_certified_bundle_key_loads_pinned_to_the_root_only() -> None:
    loaded = load_bundle(bundle(cert=certificate()), [ROOT_KEY.public_key], now=NOW)
    assert loaded.root_key == ROOT_KEY.public_key
    assert loaded.signer.key == BUNDLE_KEY.public_key
    assert loaded.signer.certificate is not None
    # The status lists signed by the bundle key are trusted through the same certificate.
    assert loaded.status_list(STATUS_URL).get(4242)


def test_without_a_certificate_a_bundle_key_is_an_untrusted_key() -> None:
    assert refused(bundle(cert=None)) == "BUNDLE_UNTRUSTED_KEY"


def test_a_root_signed_bundle_loads_as_before() -> None:
    loaded = load_bundle(bundle(signer=ROOT_KEY), [ROOT_KEY.public_key], now=NOW)
    assert loaded.signer.certificate is None


def test_a_certificate_expired_at_verification_time_is_refused() -> None:
    document = bundle(cert=certificate(days=3))
    load_bundle(document, [ROOT_KEY.public_key], now=NOW)
    # Two days after the certificate's end: the bundle itself was issued inside the window, but a
    # stolen bundle key could have written that issue time.
    assert refused(document, now=BUNDLE_ISSUED + 4 * DAY) == "BUNDLE_CERT_EXPIRED"


def test_a_bundle_issued_after_its_certificate_expired_is_refused() -> None:
    document = bundle(cert=certificate(days=1), issued=BUNDLE_ISSUED)
    assert refused(document, now=BUNDLE_ISSUED) == "BUNDLE_CERT_EXPIRED"


def test_a_bundle_issued_before_its_certificate_starts_is_refused() -> None:
    document = bundle(cert=certificate(start=BUNDLE_ISSUED + DAY))
    assert refused(document, now=BUNDLE_ISSUED + 2 * DAY) == "BUNDLE_CERT_NOT_YET_VALID"


def test_a_certificate_signed_by_another_root_is_refused() -> None:
    assert refused(bundle(cert=certificate(root=OTHER_ROOT_KEY))) == "BUNDLE_CERT_UNTRUSTED_ROOT"


def test_a_certificate_naming_the_pinned_root_but_signed_by_another_is_refused() -> None:
    forged = certificate(root=OTHER_ROOT_KEY)
    forged["rootKey"] = ROOT_KEY.public_key.multibase
    assert refused(bundle(cert=forged)) == "BUNDLE_CERT_UNTRUSTED_ROOT"


def test_a_certificate_whose_fields_were_changed_after_signing_is_refused() -> None:
    stretched = certificate(days=3)
    stretched["validUntil"] = "2099-01-01T00:00:00Z"
    assert refused(bundle(cert=stretched)) == "BUNDLE_CERT_SIGNATURE"


def test_a_certificate_for_another_key_is_refused() -> None:
    other = SigningKey.from_seed(b"\x23" * 32)
    assert refused(bundle(cert=certificate(key=other))) == "BUNDLE_CERT_WRONG_KEY"


def test_a_malformed_certificate_is_refused_with_its_code() -> None:
    broken = certificate()
    broken["bundleKey"] = "z-not-a-key"
    assert refused(bundle(cert=broken)) == "BUNDLE_CERT_INVALID"


def test_a_verifier_pinned_to_the_old_root_follows_a_rotation() -> None:
    statement = rootchain.rotation(ROOT_KEY, NEW_ROOT.public_key, issued=BUNDLE_ISSUED)
    by_new_root = bundle(signer=NEW_ROOT, rotations=(statement,))
    assert load_bundle(by_new_root, [ROOT_KEY.public_key], now=NOW).root_key == ROOT_KEY.public_key
    certified = bundle(cert=certificate(root=NEW_ROOT), rotations=(statement,))
    loaded = load_bundle(certified, [ROOT_KEY.public_key], now=NOW)
    assert loaded.signer.key == BUNDLE_KEY.public_key
    # A verifier that pinned the new root directly needs no statement.
    assert load_bundle(certified, [NEW_ROOT.public_key], now=NOW).root_key == NEW_ROOT.public_key


def test_a_rotation_signed_by_another_root_confers_nothing() -> None:
    forged = rootchain.rotation(OTHER_ROOT_KEY, NEW_ROOT.public_key, issued=BUNDLE_ISSUED)
    assert refused(bundle(signer=NEW_ROOT, rotations=(forged,))) == "BUNDLE_UNTRUSTED_KEY"
    forged["oldRoot"] = ROOT_KEY.public_key.multibase
    assert refused(bundle(signer=NEW_ROOT, rotations=(forged,))) == "BUNDLE_ROTATION_SIGNATURE"


def test_the_rollback_guard_follows_the_pinned_root_across_a_rotation() -> None:
    store = MemoryBundleStore()
    load_bundle(bundle(signer=ROOT_KEY, sequence=9), [ROOT_KEY.public_key], store=store, now=NOW)
    statement = rootchain.rotation(ROOT_KEY, NEW_ROOT.public_key, issued=BUNDLE_ISSUED)
    older = bundle(signer=NEW_ROOT, rotations=(statement,), sequence=8)
    with pytest.raises(BundleError) as caught:
        load_bundle(older, [ROOT_KEY.public_key], store=store, now=NOW)
    assert caught.value.code == "BUNDLE_ROLLBACK"


@settings(max_examples=60, deadline=None)
@given(
    start=st.integers(-40, 40),
    days=st.integers(1, 60),
    now=st.integers(-40, 80),
)
def test_a_certified_bundle_loads_exactly_inside_both_windows(
    start: int, days: int, now: int
) -> None:
    """Accepted if and only if validFrom <= issued < validUntil and now < validUntil."""
    begin = BUNDLE_ISSUED + start * DAY
    document = bundle(cert=certificate(start=begin, days=days))
    end, at = begin + days * DAY, BUNDLE_ISSUED + now * DAY
    try:
        load_bundle(document, [ROOT_KEY.public_key], now=at)
        accepted = True
    except BundleError as exc:
        assert exc.code in {"BUNDLE_CERT_EXPIRED", "BUNDLE_CERT_NOT_YET_VALID"}
        accepted = False
    assert accepted == (begin <= BUNDLE_ISSUED < end and at < end)
