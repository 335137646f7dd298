"""Appending to the log, inside the transaction of the event the leaves record.

The head document (`log_head`: size, frontier, the audit sequence the last `audit.head` leaf
pinned) is read and then moved only if its size is still the one read, so two appenders cannot
both take leaf index n: the loser's transaction is retried by `with_transaction` (as for the
audit chain's head, which every caller of this module also moves in the same transaction).
Tile hashes are pushed onto their tile documents with the slot they must start at as a filter:
a tile that is not exactly as long as the head says stops the append (`LogCorrupt`) instead of
growing out of order. An append writes the head, one or two level-0 tiles, rarely a higher one,
one or two entry bundles and, for leaves that name something (a backfilled certificate), one
index row; a leaf whose writer stored its index with the record (a published certificate) says
where it must land, and lands there or nothing is appended.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import groupby
from typing import Any, Final

from bson.binary import Binary
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from credentials.transparency import leaf_hash
from registry.errors import RegistryError
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.storage.transactions import retry_transaction
from registry.transparency import tree

HEAD_ID: Final = "head"
MAX_LEAF: Final = 0xFFFF  # an entry bundle prefixes each leaf with a uint16 length


class LogCorrupt(RegistryError):
    """The stored log does not continue where its head says: nothing more is appended."""

    code = "LOG_CORRUPT"


@dataclass(frozen=True)
class Leaf:
    """One leaf to append: its canonical bytes and either the name its index row is found by
    (`key`), or the index it must land at (`at`) when its writer stored that index with its
    record (publication, on each certificate), or neither."""

    data: bytes
    key: str | None = None
    at: int | None = None


@dataclass(frozen=True)
class Head:
    size: int
    frontier: tuple[tree.Subtree, ...]
    audit_seq: int

    @property
    def root(self) -> bytes:
        return tree.frontier_root(self.frontier)


EMPTY: Final = Head(0, (), 0)


def _head(doc: Document | None) -> Head:
    if doc is None:
        return EMPTY
    frontier = tuple(
        tree.Subtree(int(s["start"]), int(s["height"]), bytes(s["hash"])) for s in doc["frontier"]
    )
    return Head(int(doc["size"]), frontier, int(doc.get("audit_seq", 0)))


async def read_head(db: Database, session: AsyncClientSession | None = None) -> Head:
    """The log's size, frontier and last pinned audit sequence (the empty log if none)."""
    return _head(await db[Collection.LOG_HEAD].find_one({"_id": HEAD_ID}, session=session))


async def _move_head(db: Database, session: AsyncClientSession, old: Head, new: Head) -> None:
    fields: Document = {
        "size": new.size,
        "frontier": [
            {"start": s.start, "height": s.height, "hash": Binary(s.hash)} for s in new.frontier
        ],
        "audit_seq": new.audit_seq,
        "schema_version": SCHEMA_VERSION,
    }
    if old.size == 0:
        try:
            await db[Collection.LOG_HEAD].insert_one({"_id": HEAD_ID, **fields}, session=session)
        except DuplicateKeyError:
            raise retry_transaction("another first appender created the log head") from None
        return
    moved = await db[Collection.LOG_HEAD].update_one(
        {"_id": HEAD_ID, "size": old.size}, {"$set": fields}, session=session
    )
    if moved.matched_count != 1:
        raise retry_transaction("the log head moved during the append")


async def _push(
    db: Database,
    session: AsyncClientSession,
    collection: Collection,
    key: Any,
    first_slot: int,
    values: list[bytes],
) -> None:
    """Append `values` to the array of document `key`, which must hold exactly `first_slot`."""
    update = {"$push": {"h": {"$each": [Binary(v) for v in values]}}, "$inc": {"n": len(values)}}
    try:
        done = await db[collection].update_one(
            {"_id": key, "n": first_slot}, update, upsert=first_slot == 0, session=session
        )
    except DuplicateKeyError:
        done = None
    if done is None or (done.matched_count != 1 and done.upserted_id is None):
        raise LogCorrupt(f"{collection} {key} does not hold {first_slot} hashes as the head says")


async def _push_tiles(
    db: Database, session: AsyncClientSession, added: list[tree.TileHash]
) -> None:
    for (level, tile), group in groupby(added, key=lambda t: (t.level, t.tile)):
        hashes = sorted(group, key=lambda t: t.position)
        await _push(
            db,
            session,
            Collection.LOG_TILES,
            f"{level}/{tile}",
            hashes[0].slot,
            [t.hash for t in hashes],
        )


async def _push_entries(
    db: Database, session: AsyncClientSession, first: int, leaves: Sequence[Leaf]
) -> None:
    for bundle, group in groupby(enumerate(leaves, first), key=lambda p: p[0] // tree.WIDTH):
        items = list(group)
        await _push(
            db,
            session,
            Collection.LOG_ENTRIES,
            bundle,
            items[0][0] % tree.WIDTH,
            [leaf.data for _, leaf in items],
        )


async def append(
    db: Database,
    session: AsyncClientSession,
    leaves: Sequence[Leaf],
    *,
    audit_seq: int | None = None,
) -> int:
    """Append `leaves` in the caller's transaction; returns the index of the first one.
    `audit_seq`, when given, is the audit sequence these leaves pin (an `audit.head` leaf)."""
    old = await read_head(db, session)
    await extend(db, session, old, leaves, audit_seq=audit_seq)
    return old.size


async def extend(
    db: Database,
    session: AsyncClientSession,
    old: Head,
    leaves: Sequence[Leaf],
    *,
    audit_seq: int | None = None,
) -> Head:
    """`append` for a caller that read the head `old` in this transaction (no second read;
    the head moves only if it is still `old`); returns the head after the append."""
    if not session.in_transaction:
        raise RuntimeError("the log is appended to only inside the event's transaction")
    if any(len(leaf.data) > MAX_LEAF for leaf in leaves):
        raise ValueError("a leaf is longer than an entry bundle can hold")
    if not leaves:
        return old
    for index, leaf in enumerate(leaves, old.size):
        if leaf.at is not None and leaf.at != index:
            raise LogCorrupt(f"a leaf stored as index {leaf.at} would be appended at {index}")
    frontier, added = tree.append(old.frontier, old.size, (leaf_hash(x.data) for x in leaves))
    pinned = old.audit_seq if audit_seq is None else audit_seq
    new = Head(old.size + len(leaves), tuple(frontier), pinned)
    await _move_head(db, session, old, new)
    # Level 0 first, then the levels above, each in position order: the order `_push` checks.
    await _push_tiles(db, session, sorted(added, key=lambda t: (t.level, t.position)))
    await _push_entries(db, session, old.size, leaves)
    named = [
        {"_id": leaf.key, "i": old.size + n}
        for n, leaf in enumerate(leaves)
        if leaf.key is not None
    ]
    if named:
        await db[Collection.LOG_INDEX].insert_many(named, ordered=False, session=session)
    return new
