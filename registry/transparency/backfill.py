"""Logging the certificates a registry published before it had a log (`registry log backfill`).

Each chunk is one audited event (`log.backfill`, the numbers it logs), so its leaves come from
the one place every leaf comes from, in the chunk's transaction. A certificate already in the
log is skipped (the index of logged certificates is unique, so a concurrent run cannot log one
twice): running it again logs nothing more. The leaves stand where they are appended, after
everything logged before the run: a verifier sees when they were logged, not when published.
"""

from __future__ import annotations

from typing import Final

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.storage.transactions import in_transaction
from registry.trust import audit

CHUNK: Final = 500


async def _unlogged(db: Database) -> list[str]:
    """The certificates without a leaf: neither an index stored by their publication nor an
    index row of an earlier backfill."""
    logged = {
        str(doc["_id"]).removeprefix("certificate:")
        async for doc in db[Collection.LOG_INDEX].find({"_id": {"$regex": "^certificate:"}})
    }
    cursor = db[Collection.CERTIFICATES].find({"log_index": {"$exists": False}}, {"_id": 1})
    return [str(doc["_id"]) async for doc in cursor.sort("_id", 1) if str(doc["_id"]) not in logged]


async def backfill(db: Database, *, by: Principal, chunk: int = CHUNK) -> int:
    """Log every certificate not in the log yet; returns how many were logged."""
    missing = await _unlogged(db)
    done = 0
    for start in range(0, len(missing), chunk):
        numbers = missing[start : start + chunk]

        async def work(session: AsyncClientSession, numbers: list[str] = numbers) -> int:
            keys = [f"certificate:{n}" for n in numbers]
            taken = {
                str(d["_id"]).removeprefix("certificate:")
                async for d in db[Collection.LOG_INDEX].find(
                    {"_id": {"$in": keys}}, session=session
                )
            }
            fresh = [n for n in numbers if n not in taken]
            if fresh:
                await audit.append(
                    db,
                    actor=by,
                    action="log.backfill",
                    entity="log:backfill",
                    before=None,
                    after={"numbers": fresh},
                    session=session,
                )
            return len(fresh)

        done += await in_transaction(db, work)
    return done
