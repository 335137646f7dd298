"""Reading the whole log back from its entry bundles, recomputing what the tiles and checkpoints
claim: the base of `registry log verify`, `registry log monitor` and `registry audit verify
--checkpoint`.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from credentials.transparency import leaf_hash
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.transparency import tree


@dataclass(frozen=True)
class Entry:
    index: int
    data: bytes

    @property
    def record(self) -> dict[str, Any]:
        """The leaf's JSON record ({} when it is not JSON: reported by the checks, not here)."""
        try:
            value = json.loads(self.data)
        except ValueError:
            return {}
        return value if isinstance(value, dict) else {}


async def entries(db: Database, start: int = 0, end: int | None = None) -> AsyncIterator[Entry]:
    """The stored leaves from `start` to `end` (exclusive; all when None), in index order."""
    query: dict[str, Any] = {"_id": {"$gte": start // tree.WIDTH}}
    async for doc in db[Collection.LOG_ENTRIES].find(query).sort("_id", 1):
        first = int(doc["_id"]) * tree.WIDTH
        for offset, data in enumerate(doc["h"]):
            index = first + offset
            if end is not None and index >= end:
                return
            if index >= start:
                yield Entry(index, bytes(data))


@dataclass
class Recomputed:
    """The tree recomputed from the leaves, with the roots at the sizes asked for."""

    size: int
    roots: dict[int, bytes]
    tile_mismatch: int | None


async def recompute(db: Database, sizes: set[int], end: int | None = None) -> Recomputed:
    """Hash every stored leaf (up to `end`), compare each with its level-0 tile hash (the first
    index that differs is `tile_mismatch`), and note the tree hash at each of `sizes`."""
    frontier: list[tree.Subtree] = []
    roots: dict[int, bytes] = {0: tree.frontier_root([])} if 0 in sizes else {}
    size, mismatch = 0, None
    tile: list[bytes] = []
    async for entry in entries(db, 0, end):
        if entry.index != size:
            break  # a gap: the size stops here
        if entry.index % tree.WIDTH == 0:
            doc = await db[Collection.LOG_TILES].find_one({"_id": f"0/{entry.index // tree.WIDTH}"})
            tile = [bytes(h) for h in doc["h"]] if doc else []
        value = leaf_hash(entry.data)
        slot = entry.index % tree.WIDTH
        if mismatch is None and (slot >= len(tile) or tile[slot] != value):
            mismatch = entry.index
        frontier, _ = tree.append(frontier, size, [value])
        size += 1
        if size in sizes:
            roots[size] = tree.frontier_root(frontier)
    return Recomputed(size, roots, mismatch)
