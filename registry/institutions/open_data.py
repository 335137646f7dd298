"""Open directory data (两目录一系统): each directory as one snapshot, and its change feed.

Both read the same public view (`registry.institutions.public_view`); the feed is the store's
record of every change that altered that view (`registry.storage.changes`), in the audit
chain's order, so no workflow keeps a list of its own. A snapshot carries the seq of the last
change it includes: a mirror loads the snapshot, then follows the feed from there.

A listing that ran out is recorded as expired (by the registry itself, as `SYSTEM`) before
anything here is read, so that the expiry is a change in the feed like any other, and the
snapshot's status is the status the API shows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import SYSTEM
from registry.calendar import clock
from registry.errors import Conflict
from registry.institutions import lifecycle
from registry.institutions.lifecycle import KIND
from registry.institutions.model import Kind, Status
from registry.institutions.public_view import public_record
from registry.problems import Rejected
from registry.storage import changes
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction

MAX_CHANGES = 100


@dataclass(frozen=True)
class Snapshot:
    """Every institution of one directory, by USCC, as of change `seq`."""

    kind: Kind
    seq: int
    records: list[Document]


async def expire_due(db: Database, now: dt.datetime | None = None) -> int:
    """Record `expire` for every listing whose validity has ended; how many were recorded.
    Safe to run at any time and concurrently: a second expiry of the same record is a replay."""
    moment = now or clock.now()
    today = clock.china_date(moment).isoformat()
    due = db[Collection.INSTITUTIONS].find(
        {"status": Status.LISTED.value, "valid_until": {"$lte": today}}, {"_id": 1}
    )
    recorded = 0
    async for doc in due:
        try:
            await lifecycle.expire(db, SYSTEM, doc["_id"], now=moment)
        except (Rejected, Conflict):
            # Moved by someone else since it was found (the office expired or renewed it): the
            # feed has that change instead.
            continue
        recorded += 1
    return recorded


async def snapshot(db: Database, kind: Kind) -> Snapshot:
    """The directory of `kind` and the seq of the last change in it, read in one transaction
    (so the two agree: every change up to `seq` is in the records, none after it)."""
    await expire_due(db)

    async def read(session: AsyncClientSession) -> Snapshot:
        seq = await changes.last_seq(db, KIND.entity, session)
        cursor = (
            db[Collection.INSTITUTIONS].find({"kind": kind.value}, session=session).sort("_id", 1)
        )
        return Snapshot(kind, seq, [public_record(doc) async for doc in cursor])

    return await in_transaction(db, read)


async def changes_after(db: Database, seq: int, limit: int) -> tuple[list[changes.Change], bool]:
    """The directory's changes after `seq`, oldest first (at most `limit`, ≤ 100), and whether
    more follow."""
    await expire_due(db)
    return await changes.after(db, KIND.entity, seq, max(0, min(limit, MAX_CHANGES)))


async def count_changes(db: Database) -> int:
    """How many changes the directory's feed holds."""
    return await changes.count(db, KIND.entity)


async def version(db: Database) -> int:
    """The seq of the directory's last change, after recording the expiries that are due."""
    await expire_due(db)
    return await changes.last_seq(db, KIND.entity)
