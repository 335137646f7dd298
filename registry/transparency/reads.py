"""Reading the log: tiles, entry bundles, tree hashes and proofs, all from the stored tiles.

A root or a proof is computed in two passes over the same pure code (`tree.range_hash`): the
first records which tiles it needs (answering zeros), one query fetches them, the second
computes. So any proof reads O(log n) tiles in one round trip and never scans the leaves.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Final

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.transparency import tree

_ZERO: Final = bytes(32)
TileKey = tuple[int, int]


async def tile_hashes(
    db: Database, level: int, index: int, session: AsyncClientSession | None = None
) -> list[bytes]:
    """The hashes stored in tile (`level`, `index`), as many as exist so far."""
    doc = await db[Collection.LOG_TILES].find_one({"_id": f"{level}/{index}"}, session=session)
    return [bytes(h) for h in doc["h"]] if doc else []


async def entry_bundle(
    db: Database, index: int, session: AsyncClientSession | None = None
) -> list[bytes]:
    """The leaves stored in entry bundle `index`, as many as exist so far."""
    doc = await db[Collection.LOG_ENTRIES].find_one({"_id": index}, session=session)
    return [bytes(h) for h in doc["h"]] if doc else []


async def certificate_leaf_index(db: Database, number: str) -> int | None:
    """The index of certificate `number`'s leaf, if it is logged: stored on the certificate by
    its publication, or (published before that field existed, or before the log and then
    backfilled) in the index rows under `certificate:<number>`."""
    doc = await db[Collection.CERTIFICATES].find_one({"_id": number}, {"log_index": 1})
    if doc is None:
        return None
    if "log_index" in doc:
        return int(doc["log_index"])
    row = await db[Collection.LOG_INDEX].find_one({"_id": f"certificate:{number}"})
    return int(row["i"]) if row else None


Loader = Callable[[set[TileKey]], Awaitable[dict[TileKey, list[bytes]]]]


class _Tiles:
    """The tiles one computation needs: recorded on the first pass, fetched, then read."""

    def __init__(self) -> None:
        self.wanted: set[TileKey] = set()
        self.loaded: dict[TileKey, list[bytes]] | None = None

    def perfect(self, start: int, height: int) -> bytes:
        where = tree.span(start, height)
        key = (where.level, where.tile)
        if self.loaded is None:
            self.wanted.add(key)
            return _ZERO
        hashes = self.loaded.get(key, [])[where.slot : where.slot + where.count]
        if len(hashes) != where.count:
            raise LookupError(f"tile {key} is shorter than the tree needs")
        return tree.balanced_root(hashes)


async def range_hashes(ranges: Sequence[tree.Range], load: Loader) -> list[bytes]:
    """MTH of each leaf range, from the tiles `load` fetches (one call, the tiles all at once):
    the same computation for the stored tiles and for tiles fetched over HTTP."""
    tiles = _Tiles()
    for lo, hi in ranges:
        tree.range_hash(lo, hi, tiles.perfect)
    tiles.loaded = await load(tiles.wanted)
    return [tree.range_hash(lo, hi, tiles.perfect) for lo, hi in ranges]


def stored_tiles(db: Database, session: AsyncClientSession | None) -> Loader:
    async def load(wanted: set[TileKey]) -> dict[TileKey, list[bytes]]:
        ids = [f"{level}/{index}" for level, index in wanted]
        found: dict[TileKey, list[bytes]] = {}
        async for doc in db[Collection.LOG_TILES].find({"_id": {"$in": ids}}, session=session):
            level, index = (int(x) for x in doc["_id"].split("/"))
            found[(level, index)] = [bytes(h) for h in doc["h"]]
        return found

    return load


async def _hashes(
    db: Database, ranges: Sequence[tree.Range], session: AsyncClientSession | None
) -> list[bytes]:
    return await range_hashes(ranges, stored_tiles(db, session))


async def tree_hash(db: Database, size: int, session: AsyncClientSession | None = None) -> bytes:
    """MTH of the first `size` leaves, from the tiles."""
    return (await _hashes(db, [(0, size)], session))[0]


async def inclusion_proof(
    db: Database, index: int, size: int, session: AsyncClientSession | None = None
) -> list[bytes]:
    """The RFC 9162 inclusion proof of leaf `index` in the tree of `size` leaves."""
    return await _hashes(db, tree.inclusion_ranges(index, size), session)


async def consistency_proof(
    db: Database, old: int, new: int, session: AsyncClientSession | None = None
) -> list[bytes]:
    """The RFC 9162 consistency proof from the tree of `old` leaves to the tree of `new`."""
    if old == new:
        return []
    return await _hashes(db, tree.consistency_ranges(old, new), session)
