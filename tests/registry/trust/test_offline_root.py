"""The service side of the offline root (registry/trust/offline_root.py): with no certificate the
keystore root signs as before; an installed certificate makes the bundle key sign the bundle and
its status lists; an expired one stops signing instead of falling back to a root; refusals carry
the verifiers' codes."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pytest

from credentials import SigningKey, load_bundle, rootchain
from registry.catalogue import reference_data as catalogue
from registry.errors import InvalidInput, SigningCertificateExpired
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.storage.transactions import in_transaction
from registry.trust import bundles as trust
from registry.trust import keystore, offline_root, status_lists
from tests.factories import make_uscc

MASTER = hashlib.sha256(b"offline root test master key").digest()
BASE = "https://registry.example.cn"
OFFLINE = SigningKey.from_seed(b"\x31" * 32)
STRANGER = SigningKey.from_seed(b"\x32" * 32)
NEXT = SigningKey.from_seed(b"\x33" * 32)
NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)
DAY = dt.timedelta(days=1)


@pytest.fixture(scope="module", autouse=True)
async def world(db: Database) -> None:
    await catalogue.seed_reference(db)
    await in_transaction(db, lambda s: status_lists.allocate(db, 1, owner=make_uscc(1), session=s))


async def test_the_offline_root_takes_over_and_stops_when_its_certificate_ends(
    db: Database,
) -> None:
    first_root = await keystore.root_public_key(db, MASTER)
    before = await trust.build_bundle(db, MASTER, BASE, now=NOW)
    assert load_bundle(before, [first_root], now=NOW).signer.key == first_root

    key = await offline_root.bundle_key(db, MASTER)
    cert = rootchain.certify(OFFLINE, key, valid_from=NOW - DAY, valid_until=NOW + 3 * DAY)
    with pytest.raises(InvalidInput) as caught:  # OFFLINE is not yet a root of this registry
        await offline_root.install_certificate(db, MASTER, cert, now=NOW)
    assert caught.value.code == "BUNDLE_CERT_UNTRUSTED_ROOT"

    await offline_root.rotate_keystore_root(db, MASTER, OFFLINE.public_key)
    await offline_root.install_certificate(db, MASTER, cert, now=NOW)
    document = await trust.build_bundle(db, MASTER, BASE, now=NOW)
    loaded = load_bundle(document, [first_root], now=NOW)
    assert loaded.signer.key == key and loaded.root_key == first_root
    for url, credential in document["statusLists"].items():
        assert credential["proof"]["verificationMethod"] == key.verification_method
        loaded.status_list(url)  # trusted through the bundle's certificate
    assert (
        await db[Collection.SIGNING_KEYS].count_documents(
            {"public_key": OFFLINE.public_key.multibase}
        )
        == 0
    )

    # A new bundle key signs nothing until its own certificate is installed; the old one goes on.
    fresh = await offline_root.bundle_key(db, MASTER, new=True)
    later = await trust.build_bundle(db, MASTER, BASE, now=NOW)
    assert load_bundle(later, [first_root], now=NOW).signer.key == key != fresh

    with pytest.raises(SigningCertificateExpired) as stopped:
        await trust.build_bundle(db, MASTER, BASE, now=NOW + 4 * DAY)
    assert stopped.value.code == "ROOT_CERTIFICATE_EXPIRED"


async def test_install_refuses_a_wrong_key_an_expired_certificate_and_a_foreign_rotation(
    db: Database,
) -> None:
    key = await offline_root.bundle_key(db, MASTER)
    # The first test installed a certificate, so the keystore root's secret is gone: OFFLINE,
    # the root it rotated to, certifies.
    root = OFFLINE
    cases = {
        "BUNDLE_CERT_WRONG_KEY": rootchain.certify(
            root, STRANGER.public_key, valid_from=NOW - DAY, valid_until=NOW + DAY
        ),
        "BUNDLE_CERT_EXPIRED": rootchain.certify(
            root, key, valid_from=NOW - 3 * DAY, valid_until=NOW - DAY
        ),
        "BUNDLE_CERT_INVALID": {"type": "DteBundleKeyCertificate"},
    }
    for code, cert in cases.items():
        with pytest.raises(InvalidInput) as caught:
            await offline_root.install_certificate(db, MASTER, cert, now=NOW)
        assert caught.value.code == code
    foreign = rootchain.rotation(STRANGER, OFFLINE.public_key, issued=NOW)
    with pytest.raises(InvalidInput) as refused:
        await offline_root.install_rotation(db, MASTER, foreign)
    assert refused.value.code == "BUNDLE_ROTATION_SIGNATURE"


def test_only_the_signer_signs_for_the_registry() -> None:
    """One place decides what the registry signs with (`offline_root.signer`): no other module
    of the registry or the service takes the keystore's root key."""
    here = Path(__file__).resolve().parents[3]
    takers = sorted(
        str(path.relative_to(here))
        for folder in ("registry", "resolvers", "schema", "service")
        for path in (here / folder).rglob("*.py")
        if "keystore.root_key(" in path.read_text("utf-8")
        or "import root_key" in path.read_text("utf-8")
    )
    assert takers == ["registry/trust/offline_root.py"]


async def test_a_certificate_by_a_root_that_has_rotated_on_is_refused(db: Database) -> None:
    """After OFFLINE (the registry's root since the first test) rotates to NEXT, a renewal by
    OFFLINE would name, as the root to pin, a root the verifiers told to move to NEXT cannot
    follow back to: refused; by NEXT, installed, and NEXT is the root to pin."""
    key = await offline_root.bundle_key(db, MASTER)
    statement = rootchain.rotation(OFFLINE, NEXT.public_key, issued=NOW)
    await offline_root.install_rotation(db, MASTER, statement)
    old = rootchain.certify(OFFLINE, key, valid_from=NOW - DAY, valid_until=NOW + DAY)
    with pytest.raises(InvalidInput) as refused:
        await offline_root.install_certificate(db, MASTER, old, now=NOW)
    assert refused.value.code == "BUNDLE_CERT_UNTRUSTED_ROOT"
    assert NEXT.public_key.multibase in refused.value.message
    assert (await offline_root.root_to_pin(db, MASTER)).key == OFFLINE.public_key
    renewed = rootchain.certify(NEXT, key, valid_from=NOW - DAY, valid_until=NOW + DAY)
    await offline_root.install_certificate(db, MASTER, renewed, now=NOW)
    assert (await offline_root.root_to_pin(db, MASTER)).key == NEXT.public_key


async def test_a_second_rotation_out_of_a_root_that_has_rotated_on_is_refused(
    db: Database,
) -> None:
    """After the chain reached NEXT (the test above), a statement taking OFFLINE (already rotated
    to NEXT) elsewhere would fork the chain: refused; the same statement installed again and a
    rotation from NEXT are accepted."""
    branch = rootchain.rotation(OFFLINE, STRANGER.public_key, issued=NOW + DAY)
    with pytest.raises(InvalidInput) as refused:
        await offline_root.install_rotation(db, MASTER, branch)
    assert refused.value.code == "ROTATION_NOT_FROM_NEWEST_ROOT"
    again = rootchain.rotation(OFFLINE, NEXT.public_key, issued=NOW)
    assert await offline_root.install_rotation(db, MASTER, again) == NEXT.public_key
    onward = rootchain.rotation(NEXT, STRANGER.public_key, issued=NOW + DAY)
    assert await offline_root.install_rotation(db, MASTER, onward) == STRANGER.public_key
