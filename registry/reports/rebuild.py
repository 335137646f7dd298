"""Rebuilding the statistics' counters from the collections, and checking that they agree.

The rebuild sums what every counted record counts for (the same table the writes use,
`registry.reports.tally`) and replaces the counters with it, in one transaction with an audit
entry (which also tells every process's remembered statistics to read again). It runs as
`registry stats rebuild`, and at start-up when the counters are absent or follow an older
layout. `check` recounts without writing and names each counter that differs.

Limit: the rebuild reads every counted record inside one transaction, so it must finish within
the server's transaction lifetime (60 s by default on MongoDB); it is a repair and migration
tool, never on a request's path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import SYSTEM, Principal
from registry.reports import counters
from registry.reports.tally import COUNTED, Tally, tally
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.storage.transactions import in_transaction
from registry.trust import audit

CHUNK = 1000
# What the tally reads of each counted collection (never a credential or an encrypted number).
_READ: dict[Collection, Document] = {
    Collection.TRAINEES: {
        f: 1 for f in ("year", "field", "occupation", "level", "province", "completed", "id_hash")
    },
    Collection.BATCHES: {"status": 1, "province": 1},
    Collection.CERTIFICATES: {
        f: 1
        for f in (
            "status",
            "published_at",
            "revocation.at",
            "field",
            "occupation",
            "level",
            "id_hash",
        )
    },
}


@dataclass(frozen=True)
class Difference:
    """One counter whose stored value is not the recounted one."""

    counter: str
    stored: int
    recounted: int


async def _chunks(
    db: Database, collection: Collection, session: AsyncClientSession
) -> AsyncIterator[list[Document]]:
    chunk: list[Document] = []
    async for doc in db[collection].find({}, _READ.get(collection), session=session):
        chunk.append(doc)
        if len(chunk) == CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


async def recount(db: Database, session: AsyncClientSession) -> Tally:
    """What every counted record counts for, summed."""
    total = Tally()
    for collection in COUNTED:
        async for chunk in _chunks(db, collection, session):
            total.add(await tally(db, collection, chunk, session))
    return total.nonzero()


Flat = dict[Collection, dict[str, int]]


def _flat(statistics: list[Document], persons: list[Document]) -> Flat:
    """Every counter of the counters' documents, by name: `<statistics id>.<measure>`, and the
    `statistics_persons` ids."""
    flat: dict[str, int] = {}
    for d in statistics:
        for measure, n in (d.get("counts") or {}).items():
            flat[f"{d['_id']}.{measure}"] = int(n)
        if "people" in d:
            flat[f"{d['_id']}.people"] = int(d["people"])
    return {
        Collection.STATISTICS: flat,
        Collection.STATISTICS_PERSONS: {d["_id"]: int(d["n"]) for d in persons},
    }


async def _stored(db: Database, session: AsyncClientSession) -> Flat:
    statistics = [d async for d in db[Collection.STATISTICS].find({}, session=session)]
    persons = [d async for d in db[Collection.STATISTICS_PERSONS].find({}, session=session)]
    return _flat(statistics, persons)


def _differences(stored: Flat, expected: Flat) -> list[Difference]:
    out = []
    for collection, want in expected.items():
        have = stored[collection]
        for name in sorted(set(have) | set(want)):
            if have.get(name, 0) != want.get(name, 0):
                where = name if collection is Collection.STATISTICS else f"person {name[:5]}…"
                out.append(Difference(where, have.get(name, 0), want.get(name, 0)))
    return out


async def check(db: Database) -> list[Difference]:
    """The counters that differ from a recount (none when they agree), read at one snapshot."""

    async def work(session: AsyncClientSession) -> list[Difference]:
        expected = _flat(*_documents(await recount(db, session)))
        return _differences(await _stored(db, session), expected)

    return await in_transaction(db, work)


def _documents(total: Tally) -> tuple[list[Document], list[Document]]:
    """The counters' documents for `total`: groups and years, and persons."""
    groups: dict[str, Document] = {}
    for (key, measure), n in total.groups.items():
        doc = groups.setdefault(counters.group_id(key), {**counters.group_document(key)})
        doc.setdefault("counts", {})[measure] = n
    people: dict[int, int] = {}
    for (year, _), n in total.persons.items():
        people[year] = people.get(year, 0) + (n > 0)
    years = [{"_id": counters.people_id(y), "year": y, "people": n} for y, n in people.items()]
    persons = [{"_id": counters.person_id(k), "n": n} for k, n in total.persons.items()]
    return [*groups.values(), *years], persons


async def rebuild(db: Database, actor: Principal = SYSTEM) -> int:
    """Replace the counters by a recount, with the current layout and an audit entry; the
    number of counter documents written."""

    async def work(session: AsyncClientSession) -> int:
        groups, persons = _documents(await recount(db, session))
        layout = {
            "_id": counters.LAYOUT_ID,
            "version": counters.LAYOUT_VERSION,
            "rebuilt_at": audit.now(),
            "schema_version": SCHEMA_VERSION,
        }
        for collection, docs in (
            (Collection.STATISTICS, [*groups, layout]),
            (Collection.STATISTICS_PERSONS, persons),
        ):
            await db[collection].delete_many({}, session=session)
            if docs:
                await db[collection].insert_many(docs, session=session)
        await audit.append(
            db,
            actor=actor,
            action="statistics.rebuild",
            entity="statistics:counters",
            before=None,
            after={"layout": counters.LAYOUT_VERSION, "groups": len(groups)},
            session=session,
        )
        return len(groups) + len(persons)

    return await in_transaction(db, work)


async def ensure(db: Database) -> bool:
    """Rebuild the counters when they are absent or follow an older layout; whether it did."""
    layout = await db[Collection.STATISTICS].find_one({"_id": counters.LAYOUT_ID})
    if layout is not None and int(layout.get("version", 0)) >= counters.LAYOUT_VERSION:
        return False
    await rebuild(db)
    return True
