"""Every version of an occupation or a standard, public: who changed what, when, and the entry as
it then stood.

A version is written in the transaction of the edit that makes it (`record`). An entry that was
never edited has no stored version: it is as shipped (version 1). Its first edit also stores the
version it replaces, marked `shipped` where it came from the seed, so that the history starts at
the beginning. What a certificate shows is the version in force when it was issued (`at`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document

# The moment a shipped version is in force from: before any certificate.
SHIPPED_AT = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
# Bookkeeping of the stored entry, not part of what a version says.
_BOOKKEEPING = frozenset({"revision", "schema_version", "version", "source", "edited"})


@dataclass(frozen=True)
class Version:
    kind: str
    key: str
    version: int
    at: dt.datetime | None  # None: as shipped (the seed), in force from the beginning
    by: str | None
    changed: tuple[str, ...]
    snapshot: Document


def content(doc: Document) -> Document:
    """What a version of `doc` says: the entry without its bookkeeping."""
    return {k: v for k, v in doc.items() if k not in _BOOKKEEPING}


def changed_fields(before: Document | None, after: Document) -> tuple[str, ...]:
    """The fields whose value differs between two stored entries (all of `after`'s when new)."""
    old, new = content(before or {}), content(after)
    return tuple(sorted(k for k in new.keys() | old.keys() if old.get(k) != new.get(k)))


def _snapshot(doc: Document, version: int) -> Document:
    """What version `version` of the entry says, with its number (as the entry itself has)."""
    return {**content(doc), "version": version}


def _document(kind: str, version: int, at: dt.datetime, by: str | None, **rest: Any) -> Document:
    key = str(rest["snapshot"]["_id"])
    return {
        "_id": f"{kind}:{key}:{version}",
        "kind": kind,
        "key": key,
        "version": version,
        "at": at,
        "by": by,
        "schema_version": SCHEMA_VERSION,
        **rest,
    }


async def record(
    db: Database,
    kind: str,
    before: Document | None,
    after: Document,
    principal: Principal,
    at: dt.datetime,
    session: AsyncClientSession,
) -> None:
    """Store the version `after` makes, and the one `before` was if it has none stored yet."""
    docs = []
    if before is not None and before.get("version", 1) == 1:
        # The entry as shipped (or as first added, already stored: the insert is skipped below).
        docs.append(
            _document(
                kind, 1, SHIPPED_AT, None, shipped=True, changed=[], snapshot=_snapshot(before, 1)
            )
        )
    docs.append(
        _document(
            kind,
            after["version"],
            at,
            principal.actor,
            shipped=False,
            changed=list(changed_fields(before, after)),
            snapshot=_snapshot(after, after["version"]),
        )
    )
    for doc in docs:
        await db[Collection.CATALOGUE_VERSIONS].update_one(
            {"_id": doc["_id"]}, {"$setOnInsert": doc}, upsert=True, session=session
        )


def _version(doc: Document) -> Version:
    return Version(
        kind=doc["kind"],
        key=doc["key"],
        version=doc["version"],
        at=None if doc.get("shipped") else doc["at"],
        by=doc.get("by"),
        changed=tuple(doc.get("changed", [])),
        snapshot=doc["snapshot"],
    )


async def history(db: Database, kind: str, key: str) -> list[Version]:
    """Every stored version of the entry, oldest first (empty: never edited, as shipped)."""
    cursor = db[Collection.CATALOGUE_VERSIONS].find({"kind": kind, "key": key})
    return [_version(d) async for d in cursor.sort("version", 1)]


async def of_entries(db: Database, kind: str, keys: list[str]) -> dict[str, list[Document]]:
    """The stored versions of each entry among `keys`, oldest first, in one round trip."""
    out: dict[str, list[Document]] = {}
    cursor = db[Collection.CATALOGUE_VERSIONS].find({"kind": kind, "key": {"$in": keys}})
    async for doc in cursor.sort([("at", 1), ("version", 1)]):
        out.setdefault(doc["key"], []).append(doc)
    return out


def in_force(stored: list[Document], moment: dt.datetime) -> Document | None:
    """The snapshot of the last of `stored` (oldest first) made at or before `moment`; None when
    there is none (never edited: the current entry is the one in force)."""
    found = None
    for doc in stored:
        if doc["at"] <= moment:
            found = doc["snapshot"]
    return found
