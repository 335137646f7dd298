"""The log on the real embedded database: appends inside transactions, tiles and proofs read
back from storage equal the reference recomputation, and concurrent appenders never share a leaf
index nor leave a gap."""

from __future__ import annotations

import asyncio

import pytest
from pymongo.asynchronous.client_session import AsyncClientSession

from credentials.transparency import (
    leaf_hash,
    root_from_leaves,
    verify_consistency,
    verify_inclusion,
)
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.storage.transactions import in_transaction
from registry.transparency import log, reads, replay, tree


async def append(db: Database, data: list[bytes]) -> int:
    async def work(session: AsyncClientSession) -> int:
        return await log.append(db, session, [log.Leaf(d) for d in data])

    return await in_transaction(db, work)


def leaf_data(n: int, tag: str = "x") -> list[bytes]:
    return [f'{{"kind":"test","n":{i},"tag":"{tag}"}}'.encode() for i in range(n)]


async def test_tiles_and_entries_read_back_equal_a_recomputation(fresh_db: Database) -> None:
    data = leaf_data(600)
    at = 0
    for chunk in (1, 255, 3, 300, 41):
        assert await append(fresh_db, data[at : at + chunk]) == at
        at += chunk
    hashes = [leaf_hash(d) for d in data]
    assert (await log.read_head(fresh_db)).size == 600
    assert await reads.tree_hash(fresh_db, 600) == root_from_leaves(hashes)
    for size in (1, 255, 256, 257, 512, 599):
        assert await reads.tree_hash(fresh_db, size) == root_from_leaves(hashes[:size])
    assert await reads.tile_hashes(fresh_db, 0, 1) == hashes[256:512]
    assert await reads.tile_hashes(fresh_db, 0, 2) == hashes[512:600]
    assert await reads.tile_hashes(fresh_db, 1, 0) == [
        root_from_leaves(hashes[0:256]),
        root_from_leaves(hashes[256:512]),
    ]
    assert await reads.entry_bundle(fresh_db, 2) == data[512:600]
    assert [e.data async for e in replay.entries(fresh_db)] == data


async def test_proofs_from_stored_tiles_verify(fresh_db: Database) -> None:
    data = leaf_data(300, "p")
    await append(fresh_db, data)
    hashes = [leaf_hash(d) for d in data]
    root = root_from_leaves(hashes)
    for index in (0, 1, 127, 255, 256, 299):
        proof = await reads.inclusion_proof(fresh_db, index, 300)
        verify_inclusion(hashes[index], index, 300, proof, root)
    for old in (1, 2, 100, 256, 257, 299, 300):
        proof = await reads.consistency_proof(fresh_db, old, 300)
        verify_consistency(old, 300, proof, root_from_leaves(hashes[:old]), root)


async def test_concurrent_appenders_never_share_a_leaf_index(fresh_db: Database) -> None:
    writers = 12

    async def writer(w: int) -> list[int]:
        firsts = []
        for i in range(5):
            firsts.append(await append(fresh_db, [f'{{"w":{w},"i":{i}}}'.encode(), b'{"pad":1}']))
        return firsts

    firsts = [f for fs in await asyncio.gather(*(writer(w) for w in range(writers))) for f in fs]
    assert sorted(firsts) == list(range(0, writers * 5 * 2, 2))  # no shared index, no gap
    stored = [e async for e in replay.entries(fresh_db)]
    assert [e.index for e in stored] == list(range(writers * 5 * 2))
    for first in firsts:  # each append's two leaves sit together at the index it was given
        assert stored[first + 1].data == b'{"pad":1}'
    recomputed = await replay.recompute(fresh_db, {len(stored)})
    assert recomputed.tile_mismatch is None
    assert recomputed.roots[len(stored)] == (await log.read_head(fresh_db)).root


async def test_a_tile_out_of_step_with_the_head_stops_the_append(fresh_db: Database) -> None:
    await append(fresh_db, leaf_data(3, "c"))
    await fresh_db[Collection.LOG_TILES].update_one({"_id": "0/0"}, {"$inc": {"n": 1}})
    with pytest.raises(log.LogCorrupt) as caught:
        await append(fresh_db, leaf_data(1, "d"))
    assert caught.value.code == "LOG_CORRUPT"
    assert (await log.read_head(fresh_db)).size == 3  # nothing of the failed append stayed


async def test_a_leaf_lands_where_its_record_says_or_nothing_is_appended(
    fresh_db: Database,
) -> None:
    # Publication stores each certificate's leaf index on the certificate before the leaves
    # are appended: a leaf that would land anywhere else stops the append.
    await append(fresh_db, leaf_data(3, "e"))
    first, second = leaf_data(2, "f")

    async def placed(at: list[int | None]) -> int:
        async def work(session: AsyncClientSession) -> int:
            leaves = [log.Leaf(d, at=i) for d, i in zip((first, second), at, strict=True)]
            return await log.append(fresh_db, session, leaves)

        return await in_transaction(fresh_db, work)

    for wrong in ([4, 5], [3, 3], [None, 3], [3, 5]):
        with pytest.raises(log.LogCorrupt) as caught:
            await placed(wrong)
        assert caught.value.code == "LOG_CORRUPT"
        assert (await log.read_head(fresh_db)).size == 3
    assert await placed([3, None]) == 3
    assert [e.data async for e in replay.entries(fresh_db)][3:] == [first, second]
    assert await fresh_db[Collection.LOG_INDEX].count_documents({}) == 0


async def test_an_append_outside_a_transaction_is_refused(fresh_db: Database) -> None:
    async with fresh_db.client.start_session() as session:
        with pytest.raises(RuntimeError):
            await log.append(fresh_db, session, [log.Leaf(b"{}")])
    assert tree.tile_width(0, 0, 0) == 0
