"""Figures remembered until the registry next changes.

Every change the public statistics count (a cohort, a published batch, a revocation) is written
in the same transaction as an entry of the audit chain, so the chain's head sequence names the
version of the data: a value read at one head is exact until the head moves. Reading the head is
one find by `_id`. The statistics remember the counters they read (`registry.reports.counters`,
a few documents) this way, so most requests read only the head; each process reads the counters
again after a change, and filters in memory.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.trust.audit import HEAD_ID

T = TypeVar("T")

# (database, aggregate) -> (audit head sequence it was computed at, value); per process.
_REMEMBERED: dict[tuple[str, str], tuple[int, Any]] = {}
# The computation under way for a key and head: concurrent requests (two aliases of one query,
# a burst after a change) wait for the one scan instead of each starting their own.
_RUNNING: dict[tuple[str, str, int], asyncio.Future[Any]] = {}


async def version(db: Database) -> int:
    """The audit chain's head sequence (0 for an empty chain): it moves with every change."""
    head = await db[Collection.AUDIT_HEAD].find_one({"_id": HEAD_ID}, {"seq": 1})
    return int(head["seq"]) if head else 0


async def remembered(db: Database, name: str, compute: Callable[[], Awaitable[T]]) -> T:
    """`compute()`'s value as of the current audit head: computed again only when the head has
    moved since the last time (the head is read first, so the value is never older than it)."""
    seen = await version(db)
    key = (db.name, name)
    hit = _REMEMBERED.get(key)
    if hit is not None and hit[0] == seen:
        value: T = hit[1]
        return value
    running = _RUNNING.get((*key, seen))
    if running is not None:
        shared: T = await asyncio.shield(running)
        return shared
    task = asyncio.ensure_future(compute())
    _RUNNING[(*key, seen)] = task
    try:
        value = await asyncio.shield(task)
    finally:
        _RUNNING.pop((*key, seen), None)
    _REMEMBERED[key] = (seen, value)
    return value
