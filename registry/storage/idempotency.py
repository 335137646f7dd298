"""Idempotent creation: the same idempotency key sent again answers with what the first request
created, never a second record.

A record created this way has `_id` derived from the caller's scope and key (`key_id`), and
stores `digest`, a hash of what the request asked for. Three cases, one rule each:
- no record yet: build it and insert it with its audit entry in one transaction;
- a record with the same digest: the request is a retry; answer with the record (`replayed`);
- a record with another digest: the key was reused for something else: `IDEMPOTENCY_KEY_REUSED`.
Two requests racing with the same key meet at the unique `_id`: the loser answers as a replay.
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from registry.access.auth import Principal
from registry.problems import Rejected, reject
from registry.storage import store
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction

MIN_KEY, MAX_KEY = 8, 100

# Builds the new record (with `_id` and `digest`) inside the transaction; may write more
# (results, certificates, ...) through the session.
Build = Callable[[AsyncClientSession], Awaitable[Document]]


@dataclass(frozen=True)
class Created:
    document: Document
    replayed: bool


def clean_key(raw: str | None, *, field: str = "idempotencyKey") -> str:
    """The key stripped, or `INVALID_IDEMPOTENCY_KEY` when it is not 8-100 characters."""
    key = (raw or "").strip()
    if not MIN_KEY <= len(key) <= MAX_KEY:
        raise reject(
            field, "INVALID_IDEMPOTENCY_KEY", f"{field} must have {MIN_KEY}-{MAX_KEY} characters"
        )
    return key


def key_id(prefix: str, scope: str, key: str, *, length: int = 20) -> str:
    """A record id that only this scope (institution, province, office) and key can produce
    (`length` hex digits of the hash; records created before the store keep their length)."""
    digest = hashlib.sha256(f"{scope}\n{key.strip()}".encode()).hexdigest()
    return prefix + digest[:length]


def reused(what: str) -> Rejected:
    return reject(
        "idempotencyKey",
        "IDEMPOTENCY_KEY_REUSED",
        f"this idempotency key was used for a different {what}; use a new key for new data",
    )


def replay(
    kind: store.Kind, existing: Document, digest: str, conflict: Rejected | None = None
) -> Created:
    """`existing` as the answer to a retry, or `conflict` (default `IDEMPOTENCY_KEY_REUSED`)."""
    if existing.get("digest") != digest:
        raise conflict or reused(kind.entity)
    return Created(existing, replayed=True)


async def find(db: Database, kind: store.Kind, record_id: str) -> Document | None:
    return await db[kind.collection].find_one({"_id": record_id})


async def earlier(db: Database, kind: store.Kind, record_id: str, digest: str) -> Created | None:
    """The answer to a retry when `record_id` exists already (`IDEMPOTENCY_KEY_REUSED` for other
    content), else None: lets a caller skip the costly work before `create_once`."""
    existing = await find(db, kind, record_id)
    return None if existing is None else replay(kind, existing, digest)


async def create_once(
    db: Database,
    kind: store.Kind,
    principal: Principal,
    record_id: str,
    digest: str,
    build: Build,
    *,
    action: str,
    conflict: Rejected | None = None,
) -> Created:
    """Create record `record_id` once; see the module docstring. Callers check `find` first
    when they can answer a replay without the costly work that precedes `build`. `conflict` is
    the refusal of the same key with other content, when the key is the record's own identity
    (a finding per campaign and institution) rather than the caller's idempotency key."""

    async def work(session: AsyncClientSession) -> Document | None:
        if await db[kind.collection].find_one({"_id": record_id}, {"_id": 1}, session=session):
            return None
        doc = await build(session)
        assert doc["_id"] == record_id and doc["digest"] == digest
        return await store.insert(db, kind, principal, action, doc, session)

    try:
        stored = await in_transaction(db, work)
    except DuplicateKeyError:
        stored = None  # a concurrent request with the same key won the race
    if stored is not None:
        return Created(stored, replayed=False)
    existing = await find(db, kind, record_id)
    if existing is None:
        # Only reachable if the winner's record was removed in between: nothing to replay.
        raise reject("idempotencyKey", "IDEMPOTENCY_RACE", "retry the request")
    return replay(kind, existing, digest, conflict)
