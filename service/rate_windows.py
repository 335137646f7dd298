"""The rate-limit windows of every client, counted in MongoDB: one count for every process.

A window is one document (`_id` a digest of the allowance, the window's start and the client, so
no address is stored), created by the first take and dropped by the TTL index on `expires` once
the window is over. A take adds only when the total stays within the limit, in one atomic
`findAndModify`, so two processes taking at once can never both pass the limit: one round trip
when the window exists and the take fits, three otherwise.
"""

from __future__ import annotations

import contextlib
import datetime as dt

from pymongo import ReturnDocument
from pymongo.errors import DuplicateKeyError

from registry.storage.collections import Collection
from registry.storage.db import Database


class MongoWindows:
    """`WindowCounter` (service/ratelimit.py) on the registry's database."""

    def __init__(self, db: Database) -> None:
        self._windows = db[Collection.RATE_WINDOWS]

    async def take(self, window: str, amount: int, limit: int, expires_at: float) -> int | None:
        if amount > limit:
            return None
        fits = {"_id": window, "used": {"$lte": limit - amount}}
        found = await self._windows.find_one_and_update(
            fits, {"$inc": {"used": amount}}, return_document=ReturnDocument.AFTER
        )
        if found is None:
            # No such window yet, or the amount does not fit. Create it (the first of several
            # processes wins) and ask again. Not an upsert: under concurrent upserts SecantusDB
            # may apply one and answer null, and a take must know whether it took.
            expires = dt.datetime.fromtimestamp(expires_at, dt.UTC)
            with contextlib.suppress(DuplicateKeyError):
                await self._windows.insert_one({"_id": window, "used": 0, "expires": expires})
            found = await self._windows.find_one_and_update(
                fits, {"$inc": {"used": amount}}, return_document=ReturnDocument.AFTER
            )
        return None if found is None else int(found["used"])

    async def read(self, window: str) -> int:
        found = await self._windows.find_one({"_id": window}, {"used": 1})
        return 0 if found is None else int(found["used"])
