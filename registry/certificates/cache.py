"""Published certificates kept in memory for the public look-up by number, correct across
processes because every change the database reports evicts its certificate.

The database's change stream on `certificates` is the source of truth for eviction: any event
for a number (update, replace, delete) drops its entry, whichever process made the change. While the stream is not open — before it starts, after an error, or on a MongoDB that
has none (a standalone server; a replica set has them) — the cache serves nothing and stores
nothing, so every look-up reads the database. The staleness it allows is the stream's delivery
delay (about 10 ms on the embedded server); the process that revokes evicts at once.

A look-up that read the database before an eviction of its number must not store what it read
(it may be the old document): a reader takes a `ticket` before reading and `put` refuses it if
the number was evicted, or the cache reset, since.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict
from dataclasses import dataclass
from typing import Generic, TypeVar

from pymongo.errors import PyMongoError

from registry.storage.collections import Collection
from registry.storage.db import Database, Document

log = logging.getLogger("registry.certificates.cache")

DEFAULT_CAPACITY = 20_000
# Numbers evicted recently, remembered so that in-flight reads cannot store stale documents;
# past this many, the whole cache is reset instead (the same guarantee, cheaper to keep).
_EVICTED_MEMORY = 100_000
_RETRY_AFTER_S = (0.5, 1.0, 2.0, 5.0, 10.0, 30.0)


@dataclass(frozen=True)
class CacheStats:
    live: bool
    entries: int
    capacity: int
    hits: int
    misses: int
    evictions: int
    resets: int


V = TypeVar("V")


class CertificateCache(Generic[V]):
    """LRU of what the look-up made of published certificates, by number; see the module's
    docstring."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 0:
            raise ValueError("capacity must be 0 (off) or more")
        self.capacity = capacity
        self._entries: OrderedDict[str, V] = OrderedDict()
        self._generation = 0
        self._floor = 0  # tickets below this were taken before a reset
        self._evicted: dict[str, int] = {}  # number -> generation of its last eviction
        self._live = False
        self._hits = 0
        self._misses = 0
        self._evictions = 0
        self._resets = 0

    @property
    def live(self) -> bool:
        return self._live and self.capacity > 0

    def get(self, number: str) -> V | None:
        if not self.live:
            return None
        value = self._entries.get(number)
        if value is None:
            self._misses += 1
            return None
        self._entries.move_to_end(number)
        self._hits += 1
        return value

    def ticket(self) -> int:
        """Take before reading the database; hand to `put` with what was read."""
        return self._generation

    def put(self, number: str, value: V, ticket: int) -> bool:
        """Store `value` unless the number changed (or the cache reset) since `ticket`."""
        if not self.live or ticket < self._floor or self._evicted.get(number, -1) >= ticket:
            return False
        self._entries[number] = value
        self._entries.move_to_end(number)
        while len(self._entries) > self.capacity:
            self._entries.popitem(last=False)
        return True

    def evict(self, number: str) -> None:
        """Drop `number`; reads of it already under way will not be stored."""
        self._evicted[number] = self._generation
        self._generation += 1
        self._evictions += 1
        self._entries.pop(number, None)
        if len(self._evicted) > _EVICTED_MEMORY:
            self._reset()

    def _reset(self) -> None:
        self._generation += 1
        self._floor = self._generation
        self._evicted.clear()
        self._entries.clear()
        self._resets += 1

    def stats(self) -> CacheStats:
        return CacheStats(
            self.live,
            len(self._entries),
            self.capacity,
            self._hits,
            self._misses,
            self._evictions,
            self._resets,
        )

    async def follow(self, db: Database, opened: asyncio.Event | None = None) -> None:
        """Keep the cache live while the change stream on `certificates` is open; run as a task
        for the app's lifetime (cancel it to stop). Reopens the stream after errors, with the
        cache off and emptied meanwhile."""
        if self.capacity == 0:
            return
        failures = 0
        while True:
            try:
                # Inserts cannot make a cached entry stale (an entry's number exists; were it
                # deleted and inserted again, the delete evicts), and seeding or publishing
                # inserts by the hundred thousand. Only the key is needed: documents (personal
                # data) are never shipped to this loop.
                pipeline: list[Document] = [
                    {"$match": {"operationType": {"$ne": "insert"}}},
                    {"$project": {"documentKey": 1, "operationType": 1}},
                ]
                async with await db[Collection.CERTIFICATES].watch(
                    pipeline, max_await_time_ms=1000
                ) as stream:
                    # Whatever was read before the stream opened may be stale by now.
                    self._reset()
                    self._live = True
                    if failures:
                        log.info("certificate cache on again: the change stream reopened")
                    failures = 0
                    if opened is not None:
                        opened.set()
                    async for event in stream:
                        self._on_event(event)
            except asyncio.CancelledError:
                self._live = False
                raise
            except PyMongoError as error:
                self._live = False
                self._reset()
                delay = _RETRY_AFTER_S[min(failures, len(_RETRY_AFTER_S) - 1)]
                if failures == 0:
                    log.warning(
                        "certificate cache off: no change stream on certificates (%s); "
                        "look-ups read the database; retrying",
                        type(error).__name__,
                    )
                failures += 1
                await asyncio.sleep(delay)
            else:
                # The stream ended without an error (the server invalidated it): reopen.
                self._live = False
                self._reset()

    def _on_event(self, event: Document) -> None:
        key = event.get("documentKey") or {}
        number = key.get("_id")
        if isinstance(number, str):
            self.evict(number)
        else:
            # Drop, rename, invalidate or an event without a key: forget everything.
            self._reset()
