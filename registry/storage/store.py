"""The audited store: every change to a workflow's record goes through here.

A change is one transaction holding three writes: the record replaced only if its `revision` is
still the one read (else `CONFLICT`, safe to retry), one entry appended to its `history`, and
one audit-chain entry. Every write here also moves the public statistics' counters by what the
record counts for (`registry.reports.counters`), in the same transaction: records of a counted
collection are written only through this module (`tests/registry/reports/test_counted_writes.py`). `apply_transition` adds the state machine on top: policy check on the
loaded record, a retry of the step that already happened answered with the record unchanged,
`ILLEGAL_TRANSITION` from any other state.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
from collections.abc import Awaitable, Callable, Iterator, Mapping
from enum import StrEnum
from typing import Any, TypeVar

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.errors import Conflict
from registry.reports import counters
from registry.storage import changes
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.storage.kind import Kind as Kind  # re-exported: `store.Kind` names a record kind
from registry.storage.transactions import in_transaction
from registry.storage.transitions import Transition, TransitionTable
from registry.trust import audit

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)

# Looks at the loaded record and raises `Forbidden` if the caller may not act on it.
Authorize = Callable[[Document], None]
# Extra fields the move sets (validity periods, reasons, ...), computed inside the transaction.
Changes = Callable[[Document, AsyncClientSession], Awaitable[Mapping[str, Any]]]
# Looks at the loaded record before the table's check: True when it already shows this move (a
# retry, answered unchanged), False to go on; raises the workflow's own refusal for a state the
# move cannot start from. Replaces the default retry test (`is_replay`).
Precheck = Callable[[Document], bool]
# Runs after the move is saved and audited, in its transaction (publication signs the log's
# checkpoint there); not run for a retry answered unchanged.
Then = Callable[[AsyncClientSession], Awaitable[None]]


async def load(
    db: Database, kind: Kind, key: str, session: AsyncClientSession | None = None
) -> Document:
    """The record `key` of `kind`, or `kind.not_found`."""
    doc = await db[kind.collection].find_one({"_id": key}, session=session)
    if doc is None:
        raise kind.not_found(key)
    return doc


def history_entry(
    action: str,
    source: str | None,
    target: str,
    principal: Principal,
    at: dt.datetime,
    reason: str | None,
) -> Document:
    return {
        "at": at,
        "action": action,
        "from": source,
        "to": target,
        "actor": principal.actor,
        "reason": reason,
    }


def is_replay(doc: Document, action: str, target: str, principal: Principal) -> bool:
    """Whether `doc` already shows `action` to `target` as its last step, by the same caller."""
    last = (doc.get("history") or [None])[-1]
    return bool(
        last
        and last["action"] == action
        and last["actor"] == principal.actor
        and doc.get("status") == target
    )


async def save(
    db: Database,
    kind: Kind,
    principal: Principal,
    action: str,
    before: Document,
    after: Document,
    session: AsyncClientSession,
) -> Document:
    """Replace `before` by `after` (revision + 1) if nobody changed it meanwhile, and audit it."""
    after = {**after, "revision": before.get("revision", 0) + 1, "schema_version": SCHEMA_VERSION}
    result = await db[kind.collection].replace_one(
        {"_id": before["_id"], "revision": _revision(before)}, after, session=session
    )
    if result.matched_count != 1:
        raise Conflict(f"the {kind.entity} changed while this request ran; retry it")
    await counters.move(db, kind.collection, [before], [after], session)
    await record(db, kind, principal, action, before, after, session)
    return after


def _revision(before: Document) -> Any:
    # A record written in bulk (published certificates) starts without a revision: unchanged
    # means still without one, as every save adds it.
    return before["revision"] if "revision" in before else {"$exists": False}


async def insert(
    db: Database,
    kind: Kind,
    principal: Principal,
    action: str,
    doc: Document,
    session: AsyncClientSession,
) -> Document:
    """Insert a new record (revision 1) and audit it; a duplicate `_id` raises DuplicateKeyError."""
    doc = {**doc, "revision": doc.get("revision", 1), "schema_version": SCHEMA_VERSION}
    await db[kind.collection].insert_one(doc, session=session)
    await counters.move(db, kind.collection, [], [doc], session)
    await record(db, kind, principal, action, None, doc, session)
    return doc


async def insert_many(
    db: Database,
    collection: Collection,
    docs: list[Document],
    session: AsyncClientSession,
) -> None:
    """Insert the parts of a change whose audit entry is their parent's (a cohort's trainees, a
    batch's results, a publication's certificates), in order, stopping at the first error (a
    duplicate `_id` raises BulkWriteError); the counters move with them."""
    await db[collection].insert_many(docs, ordered=True, session=session)
    await counters.move(db, collection, [], docs, session)


async def insert_many_made(
    db: Database,
    collection: Collection,
    chunks: Iterator[list[Document]],
    session: AsyncClientSession,
) -> list[Document]:
    """`insert_many` of documents made chunk by chunk (publication signs them): each chunk is
    sent before the next is made, so the database inserts one while this process makes the
    next. In order, stopping at the first error (nothing after it is sent); returns them all."""
    done: list[Document] = []
    inserting: asyncio.Task[Any] | None = None
    try:
        for chunk in chunks:
            if inserting is not None:
                await inserting
            inserting = asyncio.create_task(
                db[collection].insert_many(chunk, ordered=True, session=session)
            )
            # Until the statement is on its way: making the next chunk holds the event loop.
            for _ in range(_SEND_STEPS):
                await asyncio.sleep(0)
            done += chunk
        if inserting is not None:
            await inserting
    finally:
        if inserting is not None and not inserting.done():
            # Making a chunk failed while one was in flight: let it finish before the
            # transaction is aborted (its error, if any, is the caller's error's context).
            with contextlib.suppress(Exception):
                await inserting
    await counters.move(db, collection, [], done, session)
    return done


# Event loop turns that a started insert needs to reach the socket (pool checkout, send).
_SEND_STEPS = 4


async def update_one(
    db: Database,
    collection: Collection,
    query: Document,
    update: Document,
    session: AsyncClientSession,
) -> bool:
    """Apply `update` to the one record `query` finds (a guarded write: the query names the state
    the caller expects), the counters moving with it; whether a record matched."""
    if not counters.counted(collection):
        return (await db[collection].update_one(query, update, session=session)).matched_count == 1
    before = await db[collection].find_one(query, session=session)
    if before is None:
        return False
    after = await db[collection].find_one_and_update(
        {"_id": before["_id"]}, update, return_document=ReturnDocument.AFTER, session=session
    )
    assert after is not None  # found by its _id in this transaction
    await counters.move(db, collection, [before], [after], session)
    return True


async def put(
    db: Database,
    kind: Kind,
    principal: Principal,
    action: str,
    doc: Document,
    session: AsyncClientSession,
    *,
    unchanged: Callable[[Document], bool],
) -> tuple[Document, bool]:
    """Store `doc` as record `doc["_id"]`: inserted, or replacing the stored one (revision-checked),
    both audited. When `unchanged(stored)` says the stored one already says the same, nothing is
    written (so a retried report is harmless). Returns what is stored and whether it changed."""
    before = await db[kind.collection].find_one({"_id": doc["_id"]}, session=session)
    if before is not None and unchanged(before):
        return before, False
    if before is None:
        return await insert(db, kind, principal, action, doc, session), True
    return await save(db, kind, principal, action, before, doc, session), True


async def record(
    db: Database,
    kind: Kind,
    principal: Principal,
    action: str,
    before: Document | None,
    after: Document | None,
    session: AsyncClientSession,
) -> None:
    """The audit entry of one change to a record of `kind`, and its public change when the kind
    has a public view that the change altered."""
    key = (after or before or {})[kind.entity_key]
    entry = await audit.append(
        db,
        actor=principal,
        action=f"{kind.audit_prefix}.{action}",
        entity=f"{kind.entity}:{key}",
        before=before,
        after=after,
        session=session,
    )
    if kind.public is not None:
        await changes.record(
            db,
            seq=entry.seq,
            entity=kind.entity,
            key=str(key),
            action=action,
            at=entry.at,
            view=kind.public,
            before=before,
            after=after,
            session=session,
        )


async def apply_transition(
    db: Database,
    kind: Kind,
    table: TransitionTable[A, S],
    principal: Principal,
    key: str,
    action: A,
    *,
    at: dt.datetime,
    reason: str | None = None,
    authorize: Authorize | None = None,
    changes: Changes | None = None,
    precheck: Precheck | None = None,
    then: Then | None = None,
) -> Document:
    """Move record `key` by `action` in one transaction; see the module docstring."""

    async def work(session: AsyncClientSession) -> Document:
        doc = await load(db, kind, key, session)
        if authorize is not None:
            authorize(doc)
        move: Transition[A, S] = table[action]
        replayed = (
            precheck(doc)
            if precheck is not None
            else is_replay(doc, action, move.target, principal)
        )
        if replayed:
            return doc
        table.check(action, type(move.target)(doc["status"]), field=kind.transition_field)
        updates = await changes(doc, session) if changes is not None else {}
        new = {
            **doc,
            **updates,
            "status": move.target.value,
            "history": [
                *doc.get("history", []),
                history_entry(action, doc["status"], move.target.value, principal, at, reason),
            ],
        }
        saved = await save(db, kind, principal, action, doc, new, session)
        if then is not None:
            await then(session)
        return saved

    return await in_transaction(db, work)
