"""Public changes: what the public could see of a record, before and after each audited change.

A kind of record that declares a public view (`store.Kind.public`) gets, from the one function
every change passes through (`store.record`), a change document in the same transaction as the
change and its audit entry, whenever the change altered what the public sees. Nothing is listed
per workflow: a new step of a workflow is covered because it is written through the store.

The change's `_id` is the seq of its audit entry, so changes have the audit chain's total order.
That order is also the order in which they became visible: every append moves the one audit
head in its transaction, so two changes commit one after the other, never interleaved, and a
reader that has seen seq n will never later find a new change below n.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document

# A record's public view: what anyone may read of it, as plain JSON values.
PublicView = Callable[[Document], Document]


@dataclass(frozen=True)
class Change:
    """One public change: `before` is None when the record first became public."""

    seq: int
    entity: str
    key: str
    action: str
    at: dt.datetime
    before: Document | None
    after: Document


async def record(
    db: Database,
    *,
    seq: int,
    entity: str,
    key: str,
    action: str,
    at: dt.datetime,
    view: PublicView,
    before: Document | None,
    after: Document | None,
    session: AsyncClientSession,
) -> bool:
    """Store the change of audit entry `seq` when the public view moved; True when it did."""
    seen_before = view(before) if before is not None else None
    seen_after = view(after) if after is not None else None
    if seen_after is None or seen_after == seen_before:
        return False
    await db[Collection.PUBLIC_CHANGES].insert_one(
        {
            "_id": seq,
            "entity": entity,
            "key": key,
            "action": action,
            "at": at,
            "before": seen_before,
            "after": seen_after,
            "schema_version": SCHEMA_VERSION,
        },
        session=session,
    )
    return True


def _change(doc: Document) -> Change:
    return Change(
        doc["_id"], doc["entity"], doc["key"], doc["action"], doc["at"], doc["before"], doc["after"]
    )


async def after(
    db: Database, entity: str, seq: int, limit: int, session: AsyncClientSession | None = None
) -> tuple[list[Change], bool]:
    """The changes of `entity` after audit seq `seq`, oldest first, at most `limit`, and whether
    more follow."""
    cursor = (
        db[Collection.PUBLIC_CHANGES]
        .find({"entity": entity, "_id": {"$gt": seq}}, session=session)
        .sort("_id", 1)
        .limit(limit + 1)
    )
    docs = [d async for d in cursor]
    return [_change(d) for d in docs[:limit]], len(docs) > limit


async def last_seq(db: Database, entity: str, session: AsyncClientSession | None = None) -> int:
    """The seq of the latest change of `entity`, 0 when there is none."""
    doc: Any = await db[Collection.PUBLIC_CHANGES].find_one(
        {"entity": entity}, {"_id": 1}, sort=[("_id", -1)], session=session
    )
    return int(doc["_id"]) if doc else 0


async def count(db: Database, entity: str) -> int:
    """How many changes of `entity` there are."""
    return await db[Collection.PUBLIC_CHANGES].count_documents({"entity": entity})
