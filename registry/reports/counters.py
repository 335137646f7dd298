"""The statistics' counters, kept in the writing transactions.

The audited store calls `move` for every record it writes, inside the writer's transaction: the
counters move by what the record counts for after the write less what it counted for before
(`registry.reports.tally`), with one `$inc` per group touched. So counters and data commit or
vanish together, and a new workflow that writes through the store cannot leave them behind.

Stored in two collections:
- `statistics`: one document per group (`g|year|field|occupation|level|province`, its measures
  under `counts`), one per year with its `people`, and the `layout` document the rebuild writes
  (its version says which layout the counters follow; absent means "never rebuilt");
- `statistics_persons`: per year and person (keyed hash), how many records name them; `people`
  moves when that number leaves or reaches zero.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import BulkWriteError

from registry.reports.tally import COUNTED, GroupKey, PersonKey, Tally, difference, tally
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.transactions import retry_transaction

# Bumped whenever what is counted, or how it is stored, changes: a start-up finding an older
# layout (or none) rebuilds the counters from the collections.
LAYOUT_VERSION = 1
LAYOUT_ID = "layout"


def group_id(key: GroupKey) -> str:
    return "g|" + "|".join(str(part) for part in key)


def people_id(year: int) -> str:
    return f"people|{year}"


def person_id(key: PersonKey) -> str:
    return f"{key[0]}|{key[1]}"


def group_document(key: GroupKey) -> Document:
    year, field, occupation, level, province = key
    return {
        "_id": group_id(key),
        "year": year,
        "field": field,
        "occupation": occupation,
        "level": level,
        "province": province,
    }


async def _people_moves(
    db: Database, persons: Counter[PersonKey], session: AsyncClientSession
) -> Counter[int]:
    """Move each person's record count; the change of `people` per year it makes."""
    ids = {person_id(key): key for key in persons}
    found = db[Collection.STATISTICS_PERSONS].find(
        {"_id": {"$in": list(ids)}}, {"n": 1}, session=session
    )
    before = {d["_id"]: int(d["n"]) async for d in found}
    # The persons seen before move by `$inc`; the new ones (most of a publication's) are
    # inserted, one `insert_many`: the embedded database plans and runs an upsert per document,
    # an eighth of publication's time before. A concurrent first writer of the same person
    # makes the insert collide: the transaction runs again and then finds the document.
    known = [UpdateOne({"_id": pid}, {"$inc": {"n": persons[ids[pid]]}}) for pid in before]
    new = [{"_id": pid, "n": persons[key]} for pid, key in ids.items() if pid not in before]
    collection = db[Collection.STATISTICS_PERSONS]
    if known:
        await collection.bulk_write(known, ordered=False, session=session)
    if new:
        try:
            await collection.insert_many(new, ordered=False, session=session)
        except BulkWriteError as error:
            if any(e.get("code") != 11000 for e in error.details.get("writeErrors", [])):
                raise
            raise retry_transaction("another writer counted one of these persons first") from None
    moves: Counter[int] = Counter()
    for pid, key in ids.items():
        was = before.get(pid, 0)
        now = was + persons[key]
        moves[key[0]] += (now > 0) - (was > 0)
    return moves


async def apply(db: Database, delta: Tally, session: AsyncClientSession) -> None:
    """Add `delta` to the counters, in the caller's transaction."""
    delta = delta.nonzero()
    incs: dict[str, Document] = {}
    inserts: dict[str, Document] = {}
    for (key, measure), n in delta.groups.items():
        gid = group_id(key)
        incs.setdefault(gid, {})[f"counts.{measure}"] = n
        inserts[gid] = {k: v for k, v in group_document(key).items() if k != "_id"}
    if delta.persons:
        for year, n in (await _people_moves(db, delta.persons, session)).items():
            if n:
                incs[people_id(year)] = {"people": n}
                inserts[people_id(year)] = {"year": year}
    if incs:
        await db[Collection.STATISTICS].bulk_write(
            [
                UpdateOne({"_id": gid}, {"$inc": inc, "$setOnInsert": inserts[gid]}, upsert=True)
                for gid, inc in incs.items()
            ],
            ordered=False,
            session=session,
        )


def counted(collection: Collection) -> bool:
    """Whether records of `collection` count for anything in the statistics."""
    return collection in COUNTED


async def move(
    db: Database,
    collection: Collection,
    before: Iterable[Document],
    after: Iterable[Document],
    session: AsyncClientSession,
) -> None:
    """Move the counters by what `after` counts for less what `before` counted for (records of
    `collection` written in the caller's transaction); nothing for an uncounted collection."""
    gone = await tally(db, collection, before, session)
    came = await tally(db, collection, after, session)
    delta = difference(came, gone)
    if delta.groups or delta.persons:
        await apply(db, delta, session)


async def read(db: Database) -> tuple[list[Document], dict[int, int]]:
    """Every group document (with its `counts`) and each year's `people`: a few documents, one
    per combination of the grouped dimensions that has counted anything."""
    groups: list[Document] = []
    people: dict[int, int] = {}
    async for d in db[Collection.STATISTICS].find({"_id": {"$ne": LAYOUT_ID}}):
        if "counts" in d:
            groups.append(d)
        elif "people" in d:
            people[int(d["year"])] = int(d["people"])
    return groups, people
