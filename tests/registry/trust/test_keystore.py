"""Signing keys against the real embedded database: sealed at rest, one key under concurrent
first use, rotation that keeps the old key with its window, a wrong master key refused."""

from __future__ import annotations

import asyncio
import base64
import datetime as dt
import hashlib
from typing import Any

import bson
import pytest

from credentials import SigningKey
from registry.access.auth import SYSTEM, Principal, Role
from registry.calendar import clock
from registry.errors import Forbidden, NotFound
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.storage.transactions import in_transaction
from registry.trust import audit, keystore
from tests.factories import make_uscc

MASTER = hashlib.sha256(b"keystore test master key").digest()
OTHER_MASTER = hashlib.sha256(b"not the master key").digest()
T0 = dt.datetime(2026, 3, 1, 2, 0, tzinfo=dt.UTC)


async def add_institution(db: Database, uscc: str) -> None:
    await db.institutions.insert_one(
        {
            "_id": uscc,
            "name": "测试评价机构",
            "kind": "EVALUATION",
            "province": "35",
            "listings": [],
        }
    )


async def raw_keys(db: Database, uscc: str) -> list[dict[str, Any]]:
    return [d async for d in db[Collection.SIGNING_KEYS].find({"institution": uscc})]


async def test_root_key_concurrent_first_calls_make_one_key(db: Database) -> None:
    keys = await asyncio.gather(*(keystore.root_key(db, MASTER) for _ in range(10)))
    assert len({k.public_key.multibase for k in keys}) == 1
    assert await db[Collection.SIGNING_KEYS].count_documents({"role": "root"}) == 1
    public = await keystore.root_public_key(db, MASTER)
    assert public == keys[0].public_key
    entries = await audit.entries_for(db, "registry:root_key")
    assert [e.action for e in entries] == ["signing_key.create_root"]


async def test_institution_key_concurrent_first_calls_make_one_key(db: Database) -> None:
    uscc = make_uscc(101)
    keys = await asyncio.gather(*(keystore.institution_key(db, MASTER, uscc) for _ in range(10)))
    assert len({k.public_key.multibase for k in keys}) == 1
    assert len(await raw_keys(db, uscc)) == 1


async def test_institution_key_in_concurrent_transactions_makes_one_key(db: Database) -> None:
    uscc = make_uscc(102)

    async def publication() -> SigningKey:
        return await in_transaction(
            db, lambda s: keystore.institution_key(db, MASTER, uscc, session=s)
        )

    keys = await asyncio.gather(*(publication() for _ in range(10)))
    assert len({k.public_key.multibase for k in keys}) == 1
    docs = await raw_keys(db, uscc)
    assert len(docs) == 1 and docs[0]["current"] is True
    # Each transaction that used the key wrote its use counter (what makes rotation conflict).
    assert docs[0]["uses"] == 9


async def test_first_key_is_valid_from_its_creation(db: Database) -> None:
    uscc = make_uscc(103)
    before = clock.now().replace(microsecond=0)
    key = await keystore.institution_key(db, MASTER, uscc)
    after = clock.now()
    [record] = (await keystore.institution_keys(db))[uscc]
    assert record.public_key == key.public_key
    assert before <= record.valid_from <= after and record.valid_from.microsecond == 0
    assert record.valid_until is None and record.current
    assert record.verification_method == key.public_key.verification_method


async def test_keys_at_rest_are_not_plaintext(db: Database) -> None:
    uscc = make_uscc(104)
    key = await keystore.institution_key(db, MASTER, uscc)
    root = await keystore.root_key(db, MASTER)
    root_doc = await db[Collection.SIGNING_KEYS].find_one({"_id": "root"})
    assert root_doc is not None
    for secret, doc in ((key, (await raw_keys(db, uscc))[0]), (root, root_doc)):
        raw = bson.encode(doc)
        for form in (
            secret.seed,
            secret.seed.hex().encode(),
            base64.b64encode(secret.seed),
            base64.urlsafe_b64encode(secret.seed).rstrip(b"="),
            secret.private_multibase().encode(),
        ):
            assert form not in raw
        # The stored public key is the real one, so the record is useful without the secret.
        assert doc["public_key"] == secret.public_key.multibase


async def test_wrong_master_key_cannot_load_keys(db: Database) -> None:
    uscc = make_uscc(105)
    await keystore.institution_key(db, MASTER, uscc)
    await keystore.root_key(db, MASTER)
    for attempt in (
        keystore.institution_key(db, OTHER_MASTER, uscc),
        keystore.root_key(db, OTHER_MASTER),
    ):
        with pytest.raises(keystore.KeyDecryptionFailed) as caught:
            await attempt
        assert caught.value.code == "KEY_DECRYPTION_FAILED"
        assert "master key" in caught.value.message
        assert OTHER_MASTER.hex() not in caught.value.message
    # Nothing was replaced: the right master key still opens the same key.
    assert len(await raw_keys(db, uscc)) == 1


async def test_sealed_seed_moved_to_another_record_is_refused(db: Database) -> None:
    a, b = make_uscc(106), make_uscc(107)
    await keystore.institution_key(db, MASTER, a)
    await keystore.institution_key(db, MASTER, b)
    sealed_a = (await raw_keys(db, a))[0]["sealed_seed"]
    await db[Collection.SIGNING_KEYS].update_one(
        {"institution": b, "current": True}, {"$set": {"sealed_seed": sealed_a}}
    )
    with pytest.raises(keystore.KeyRecordMismatch) as caught:
        await keystore.institution_key(db, MASTER, b)
    assert caught.value.code == "KEY_RECORD_MISMATCH"


async def test_rotation_keeps_the_old_key_with_its_window(db: Database) -> None:
    uscc = make_uscc(108)
    await add_institution(db, uscc)
    first = await keystore.rotate_institution_key(db, MASTER, uscc, by=SYSTEM, now=T0)
    assert first.valid_from == T0 and first.valid_until is None
    switch = T0 + dt.timedelta(days=30)
    second = await keystore.rotate_institution_key(db, MASTER, uscc, by=SYSTEM, now=switch)
    assert second.valid_from == switch and second.current
    records = (await keystore.institution_keys(db))[uscc]
    assert [(r.public_key_multibase, r.valid_from, r.valid_until) for r in records] == [
        (first.public_key_multibase, T0, switch),
        (second.public_key_multibase, switch, None),
    ]
    current = await keystore.institution_key(db, MASTER, uscc)
    assert current.public_key.multibase == second.public_key_multibase
    actions = [e.action for e in await audit.entries_for(db, f"institution:{uscc}")]
    assert actions == ["signing_key.rotate", "signing_key.rotate"]
    assert (await audit.verify_chain(db)).ok


async def test_rotation_mid_second_overlaps_by_less_than_a_second(db: Database) -> None:
    uscc = make_uscc(109)
    await add_institution(db, uscc)
    await keystore.rotate_institution_key(db, MASTER, uscc, by=SYSTEM, now=T0)
    at = T0 + dt.timedelta(seconds=10, milliseconds=400)
    new = await keystore.rotate_institution_key(db, MASTER, uscc, by=SYSTEM, now=at)
    old = (await keystore.institution_keys(db))[uscc][0]
    # Truncated to the second, a proof made just before `at` falls in the old key's window and
    # one made just after it in the new key's.
    assert old.valid_until == T0 + dt.timedelta(seconds=11)
    assert new.valid_from == T0 + dt.timedelta(seconds=10)


async def test_rotation_too_soon_unknown_or_not_allowed(db: Database) -> None:
    uscc = make_uscc(110)
    await add_institution(db, uscc)
    await keystore.rotate_institution_key(db, MASTER, uscc, by=SYSTEM, now=T0)
    with pytest.raises(keystore.KeyRotationTooSoon) as too_soon:
        await keystore.rotate_institution_key(db, MASTER, uscc, by=SYSTEM, now=T0)
    assert too_soon.value.code == "KEY_ROTATION_TOO_SOON"
    with pytest.raises(NotFound) as unknown:
        await keystore.rotate_institution_key(db, MASTER, make_uscc(111), by=SYSTEM)
    assert unknown.value.code == "INSTITUTION_NOT_FOUND"
    other = Principal(Role.EVALUATION_INSTITUTION, "other", "tok_1", institution=make_uscc(112))
    with pytest.raises(Forbidden):
        await keystore.rotate_institution_key(db, MASTER, uscc, by=other)
    itself = Principal(Role.EVALUATION_INSTITUTION, "itself", "tok_2", institution=uscc)
    later = await keystore.rotate_institution_key(
        db, MASTER, uscc, by=itself, now=T0 + dt.timedelta(hours=1)
    )
    assert later.current
    assert len(await raw_keys(db, uscc)) == 2  # the refused attempts stored nothing


async def test_rotation_with_a_wrong_master_key_changes_nothing(db: Database) -> None:
    uscc = make_uscc(113)
    await add_institution(db, uscc)
    await keystore.rotate_institution_key(db, MASTER, uscc, by=SYSTEM, now=T0)
    with pytest.raises(keystore.KeyDecryptionFailed):
        await keystore.rotate_institution_key(
            db, OTHER_MASTER, uscc, by=SYSTEM, now=T0 + dt.timedelta(days=1)
        )
    [only] = (await keystore.institution_keys(db))[uscc]
    assert only.current


async def test_rotation_waits_for_a_transaction_signing_with_the_old_key(db: Database) -> None:
    """A publication holding the current key makes a concurrent rotation conflict and retry, so
    the old key's window ends after the publication's signing time."""
    uscc = make_uscc(114)
    await add_institution(db, uscc)
    old = await keystore.institution_key(db, MASTER, uscc)
    await asyncio.sleep(1.1)  # past the too-soon guard
    holding = asyncio.Event()

    async def publication(session: object) -> tuple[SigningKey, dt.datetime]:
        key = await keystore.institution_key(db, MASTER, uscc, session=session)  # type: ignore[arg-type]
        holding.set()
        await asyncio.sleep(0.8)
        return key, clock.now()

    task = asyncio.create_task(in_transaction(db, publication))
    await holding.wait()
    rotated = await keystore.rotate_institution_key(db, MASTER, uscc, by=SYSTEM)
    used, signed_at = await task
    assert used.public_key == old.public_key
    records = {r.public_key_multibase: r for r in (await keystore.institution_keys(db))[uscc]}
    retired = records[old.public_key.multibase]
    assert retired.valid_until is not None
    assert signed_at.replace(microsecond=0) < retired.valid_until
    assert rotated.valid_from >= signed_at.replace(microsecond=0)
