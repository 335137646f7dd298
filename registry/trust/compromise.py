"""Marking an institution key compromised from an instant (the office, `registry keys
compromise`): audited, logged (`key.compromised`), stated by the next trust bundle.

The key record gets `compromised_at` and `log_size_at_compromise`, the size of the last
checkpoint signed before that instant: a certificate signed with the key is VALID only with an
inclusion proof whose leaf index is below it (logged, and checkpointed, before the compromise).
A key still current is retired at the same time (its institution's next signature makes a new
key). Marking it again with the same instant is a retry and changes nothing; an earlier instant
moves the mark back (stricter), a later one is refused (`KEY_ALREADY_COMPROMISED`).
"""

from __future__ import annotations

import datetime as dt

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.calendar import clock
from registry.errors import Conflict, NotFound
from registry.institutions.policy import decide
from registry.institutions.rules import Action
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction
from registry.transparency import log
from registry.trust import audit, keystore


async def _size_before(db: Database, session: AsyncClientSession, moment: dt.datetime) -> int:
    """The size of the last checkpoint signed before `moment` (0 when none was)."""
    doc = await db[Collection.LOG_CHECKPOINTS].find_one(
        {"signed_at": {"$lt": moment}}, sort=[("_id", -1)], session=session
    )
    return int(doc["_id"]) if doc else 0


async def _load(db: Database, session: AsyncClientSession, uscc: str, key: str) -> Document:
    doc = await db[Collection.SIGNING_KEYS].find_one(
        {"_id": key, "institution": uscc}, {"sealed_seed": 0}, session=session
    )
    if doc is None:
        raise NotFound(f"{uscc} has no key {key[:60]}", code="KEY_NOT_FOUND", field="key")
    return doc


def _changes(
    doc: Document, since: dt.datetime, size: int, now: dt.datetime, logged: int
) -> Document | None:
    """The fields to set, or None when the key is already marked from `since` (a retry)."""
    marked = doc.get("compromised_at")
    if marked is not None:
        marked = keystore.utc(marked)
        if marked == since:
            return None
        if marked < since:
            raise Conflict(
                f"the key is already marked compromised from {marked.isoformat()}, earlier",
                code="KEY_ALREADY_COMPROMISED",
            )
    fields: Document = {"compromised_at": since, "log_size_at_compromise": size}
    if doc.get("current"):
        fields |= {"current": False, "valid_until": now, "log_size_at_retirement": logged}
    return fields


async def mark_compromised(
    db: Database, uscc: str, key: str, *, since: dt.datetime, by: Principal
) -> keystore.KeyRecord:
    """Mark `uscc`'s key `key` (its public key, Multikey) compromised from `since`."""
    decide(by, Action.COMPROMISE_KEY, {"_id": uscc}).require()
    if since.tzinfo is None or since.utcoffset() is None:
        raise ValueError("the compromise instant must be timezone-aware")
    since = since.astimezone(dt.UTC)

    async def work(session: AsyncClientSession) -> Document:
        doc = await _load(db, session, uscc, key)
        size = await _size_before(db, session, since)
        logged = (await log.read_head(db, session)).size
        fields = _changes(doc, since, size, keystore.whole_seconds(clock.now()), logged)
        if fields is None:
            return doc
        after = {**doc, **fields}
        await db[Collection.SIGNING_KEYS].update_one(
            {"_id": key}, {"$set": fields}, session=session
        )
        await audit.append(
            db,
            actor=by,
            action="signing_key.compromise",
            entity=f"institution:{uscc}",
            before=doc,
            after=after,
            session=session,
        )
        return after

    return keystore.record(await in_transaction(db, work))
