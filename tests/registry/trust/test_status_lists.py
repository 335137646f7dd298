"""Revocation status lists on the real embedded database: random, never repeated indices under
concurrent transactions, a new list past half full, revocation seen in the re-signed list."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
from typing import Any

import pytest
from pymongo.asynchronous.client_session import AsyncClientSession

from credentials import MIN_ENTRIES, parse_status_list_credential, verify_proof
from registry.errors import InvalidInput, NotFound
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.storage.transactions import in_transaction
from registry.trust import keystore, status_lists
from registry.trust.status_lists import FILL_LIMIT, LIST_SIZE, StatusRef

MASTER = hashlib.sha256(b"status list test master key").digest()
BASE = "https://registry.example.cn"
OWNER, OTHER = "91350100M000100Y43", "91110000802100433B"


async def allocate(db: Database, count: int, owner: str = OWNER) -> list[StatusRef]:
    return await in_transaction(
        db, lambda s: status_lists.allocate(db, count, owner=owner, session=s)
    )


async def revoke(db: Database, ref: StatusRef) -> None:
    await in_transaction(db, lambda s: status_lists.set_revoked(db, ref, session=s))


def bit(credential: dict[str, Any], index: int) -> bool:
    return parse_status_list_credential(credential).get(index)


async def test_url_and_entry_shapes() -> None:
    assert status_lists.status_list_url(BASE + "/", "3") == f"{BASE}/status/3"
    entry = status_lists.status_entry(BASE, StatusRef("3", 1234)).to_json()
    assert entry["id"] == f"{BASE}/status/3#1234"
    assert entry["statusListCredential"] == f"{BASE}/status/3"
    assert entry["statusListIndex"] == "1234"


async def test_concurrent_transactions_never_share_an_index(db: Database) -> None:
    batches = await asyncio.gather(*(allocate(db, 50) for _ in range(8)))
    refs = [ref for batch in batches for ref in batch]
    assert len(refs) == 400
    assert len(set(refs)) == 400
    assert {r.list_id for r in refs} == {"1"}
    doc = await db[Collection.STATUS_LISTS].find_one({"_id": "1"})
    assert doc is not None and doc["allocated_count"] == 400
    assert doc["size"] == MIN_ENTRIES and len(doc["allocated"]) == MIN_ENTRIES // 8
    # The stored allocation bitmap holds exactly the indices handed out.
    stored = {i for i in range(MIN_ENTRIES) if doc["allocated"][i >> 3] & (0x80 >> (i & 7))}
    assert stored == {r.index for r in refs}
    for batch in batches:
        indices = [r.index for r in batch]
        # Random, not sequential: not in issue order, spread over the list, no runs.
        assert indices != sorted(indices)
        assert max(indices) - min(indices) > MIN_ENTRIES // 2
        assert sum(1 for a, b in itertools.pairwise(indices) if b == a + 1) < 3


async def test_allocation_is_rolled_back_with_its_transaction(db: Database) -> None:
    before = await db[Collection.STATUS_LISTS].find_one({"_id": "1"}, {"allocated_count": 1})

    async def work(session: AsyncClientSession) -> None:
        await status_lists.allocate(db, 20, owner=OWNER, session=session)
        raise RuntimeError("publication failed")

    with pytest.raises(RuntimeError):
        await in_transaction(db, work)
    after = await db[Collection.STATUS_LISTS].find_one({"_id": "1"}, {"allocated_count": 1})
    assert after == before


async def test_allocate_needs_a_transaction_and_a_sane_count(db: Database) -> None:
    async with db.client.start_session() as session:
        with pytest.raises(RuntimeError):
            await status_lists.allocate(db, 1, owner=OWNER, session=session)
    assert await allocate(db, 0) == []
    with pytest.raises(InvalidInput):
        await allocate(db, -1)


async def test_revocation_flips_the_bit_in_the_re_signed_list(db: Database) -> None:
    root = await keystore.root_public_key(db, MASTER)
    [ref] = await allocate(db, 1)
    first = await status_lists.list_credential(db, MASTER, BASE, ref.list_id)
    assert first is not None and not bit(first, ref.index)
    assert verify_proof(first, root).ok
    assert first["id"] == f"{BASE}/status/{ref.list_id}"
    # Unchanged list: the cached credential, not a new signature.
    assert await status_lists.list_credential(db, MASTER, BASE, ref.list_id) == first
    # Allocation does not change the published list either.
    await allocate(db, 5)
    assert await status_lists.list_credential(db, MASTER, BASE, ref.list_id) == first

    await revoke(db, ref)
    second = await status_lists.list_credential(db, MASTER, BASE, ref.list_id)
    assert second is not None and second != first
    assert bit(second, ref.index)
    assert verify_proof(second, root).ok
    assert parse_status_list_credential(second).count_set() == 1

    # Revoking again changes nothing (no new revision, same signed list).
    async def revision() -> int:
        doc = await db[Collection.STATUS_LISTS].find_one({"_id": ref.list_id})
        assert doc is not None
        return int(doc["revision"])

    before = await revision()
    await revoke(db, ref)
    assert await revision() == before
    assert await status_lists.list_credential(db, MASTER, BASE, ref.list_id) == second


async def test_another_base_url_is_signed_with_its_own_id(db: Database) -> None:
    other = await status_lists.list_credential(db, MASTER, "https://other.example.cn", "1")
    assert other is not None and other["id"] == "https://other.example.cn/status/1"


async def test_revoking_what_was_never_allocated_or_does_not_exist(db: Database) -> None:
    doc = await db[Collection.STATUS_LISTS].find_one({"_id": "1"})
    assert doc is not None
    free = next(i for i in range(MIN_ENTRIES) if not doc["allocated"][i >> 3] & (0x80 >> (i & 7)))
    with pytest.raises(InvalidInput) as never:
        await revoke(db, StatusRef("1", free))
    assert never.value.code == "STATUS_INDEX_NOT_ALLOCATED"
    with pytest.raises(NotFound) as unknown:
        await revoke(db, StatusRef("999", 1))
    assert unknown.value.code == "STATUS_LIST_NOT_FOUND"
    assert await status_lists.list_credential(db, MASTER, BASE, "999") is None


async def test_a_new_list_opens_when_the_current_one_is_half_full(db: Database) -> None:
    doc = await db[Collection.STATUS_LISTS].find_one({"_id": "1"}, {"allocated_count": 1})
    assert doc is not None
    remaining = FILL_LIMIT - doc["allocated_count"]
    refs = await allocate(db, remaining + 10)
    assert [r.list_id for r in refs].count("1") == remaining
    assert [r.list_id for r in refs].count("2") == 10
    counts = {
        d["_id"]: d["allocated_count"]
        async for d in db[Collection.STATUS_LISTS].find({}, {"allocated_count": 1})
    }
    assert counts == {"1": FILL_LIMIT, "2": 10}
    assert await status_lists.list_ids(db) == ["1", "2"]
    # The next allocation goes to the open list, never back to the half-full one.
    assert {r.list_id for r in await allocate(db, 5)} == {"2"}


async def test_each_owner_allocates_from_lists_of_its_own(db: Database) -> None:
    """Institution OTHER's first allocation opens a list of its own; the lists of OWNER (one of
    them still open) are not touched, and the ranges name each list's owner."""
    before = await status_lists.owned_ranges(db)
    refs = await allocate(db, 3, owner=OTHER)
    [list_id] = {r.list_id for r in refs}
    assert list_id not in {r.list_id for r in before[OWNER]}
    doc = await db[Collection.STATUS_LISTS].find_one({"_id": list_id}, {"owner": 1})
    assert doc is not None and doc["owner"] == OTHER
    after = await status_lists.owned_ranges(db)
    assert after[OTHER] == [status_lists.OwnedRange(list_id, 0, LIST_SIZE)]
    assert after[OWNER] == before[OWNER]
    assert {r.list_id for r in await allocate(db, 2, owner=OWNER)} <= {
        r.list_id for r in after[OWNER]
    }
