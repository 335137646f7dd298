"""What each counted record counts for in the public statistics: one table, read both by the
writes (a change moves the counters by what the record counts for after it, less what it
counted for before) and by the rebuild (the counters are the sum over every record).

| collection     | a record counts                                                            | in the year of   |
| -------------- | -------------------------------------------------------------------------- | ---------------- |
| `trainees`     | `trainees` 1; `training_completions` 1 when completed                      | the course's end |
| `batches`      | once PUBLISHED, per current result: `candidates` 1, `passes` 1 when passed | the exam         |
|                | (the field is the result's occupation's, as at publication)                |                  |
| `certificates` | `certificates_issued` 1 once published (revoked ones were issued too)      | publication      |
|                | `certificates_revoked` 1 when revoked                                      | the revocation   |

Each count is keyed by year, field, occupation, level and province (the reporting
institution's: a batch's, a trainee's, a certificate number's digits 2-3). A person (keyed hash)
with a training completion or a certificate issued in a year is counted once in that year's
`people`, whatever the number of records naming them.

A batch counts through its results, read when it is written: the results of a published batch
are never written again (no move leaves PUBLISHED), so the batch's write is the only moment its
results change what it counts. Every other collection counts for nothing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Awaitable, Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Final

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.calendar import clock
from registry.certificates.model import BatchStatus, CertificateStatus
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.handover import Handover

# (year, field, occupation, level, province): the dimensions the statistics group by.
GroupKey = tuple[int, str, str, int, str]
# (year, keyed hash of the ID number).
PersonKey = tuple[int, str]

_ISSUED = (CertificateStatus.PUBLISHED, CertificateStatus.REVOKED)


@dataclass
class Tally:
    """Counts keyed by group and measure, and how many records name each person in a year.
    Negative entries are kept: a difference of two tallies is a tally."""

    groups: Counter[tuple[GroupKey, str]] = field(default_factory=Counter)
    persons: Counter[PersonKey] = field(default_factory=Counter)

    def add(self, other: Tally, sign: int = 1) -> None:
        for key, n in other.groups.items():
            self.groups[key] += sign * n
        for person, n in other.persons.items():
            self.persons[person] += sign * n

    def nonzero(self) -> Tally:
        return Tally(
            Counter({k: n for k, n in self.groups.items() if n}),
            Counter({k: n for k, n in self.persons.items() if n}),
        )


def difference(after: Tally, before: Tally) -> Tally:
    """What moves the counters from `before` to `after` (zero entries left out)."""
    out = Tally()
    out.add(after)
    out.add(before, -1)
    return out.nonzero()


def _china_year(moment: dt.datetime) -> int:
    # A naive datetime read by a client without tz_aware is UTC, as MongoDB stores it.
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return clock.china_date(moment).year


def _key(year: int, doc: Document, province: str) -> GroupKey:
    return (year, doc["field"], doc["occupation"], int(doc["level"]), province)


def _trainee(doc: Document, out: Tally) -> None:
    key = _key(int(doc["year"]), doc, doc["province"])
    out.groups[(key, "trainees")] += 1
    if doc["completed"]:
        out.groups[(key, "training_completions")] += 1
        out.persons[(key[0], doc["id_hash"])] += 1


def _certificate(doc: Document, out: Tally) -> None:
    if doc.get("status") not in _ISSUED:
        return
    province = doc["_id"][1:3]  # Z, then the issuer's province (docs/identifiers.md)
    issued = _key(_china_year(doc["published_at"]), doc, province)
    out.groups[(issued, "certificates_issued")] += 1
    out.persons[(issued[0], doc["id_hash"])] += 1
    if doc["status"] == CertificateStatus.REVOKED:
        revoked = _key(_china_year(doc["revocation"]["at"]), doc, province)
        out.groups[(revoked, "certificates_revoked")] += 1


def _result(doc: Document, province: str, field: str, out: Tally) -> None:
    key = _key(int(doc["exam_date"][:4]), {**doc, "field": field}, province)
    out.groups[(key, "candidates")] += 1
    if doc["passed"]:
        out.groups[(key, "passes")] += 1


# What `tally` reads of a batch's results.
RESULT_FIELDS = {"batch": 1, "exam_date": 1, "occupation": 1, "level": 1, "passed": 1}


# The current results of a batch that its writer read in a transaction, by session: (batch,
# results).
_READ: Final[Handover[Document]] = Handover()


def results_read(session: AsyncClientSession, batch: str, results: Sequence[Document]) -> None:
    """A batch's writer (publication) hands over the batch's current results it read in
    `session`'s transaction (every one, with `RESULT_FIELDS`), so that counting the batch need
    not read them again. Called again by a retried transaction, it replaces them."""
    _READ.give(session, batch, results)


async def _current_results(
    db: Database, batches: list[str], session: AsyncClientSession | None
) -> list[Document]:
    """The current results of `batches`: those handed over for this session, the rest read."""
    told = _READ.take(session)
    if told is not None and told[0] in batches:
        handed, rest = list(told[1]), [b for b in batches if b != told[0]]
    else:
        handed, rest = [], batches
    if rest:
        cursor = db[Collection.RESULTS].find(
            {"batch": {"$in": rest}, "current": True}, RESULT_FIELDS, session=session
        )
        handed += [r async for r in cursor]
    return handed


async def _batches(
    db: Database, docs: Iterable[Document], session: AsyncClientSession | None
) -> Tally:
    out = Tally()
    provinces = {d["_id"]: d["province"] for d in docs if d["status"] == BatchStatus.PUBLISHED}
    if not provinces:
        return out
    results = await _current_results(db, list(provinces), session)
    # A result names its occupation; the field is the occupation's, as at publication.
    occupations = db[Collection.OCCUPATIONS].find(
        {"_id": {"$in": sorted({r["occupation"] for r in results})}}, {"field": 1}, session=session
    )
    fields = {d["_id"]: d["field"] async for d in occupations}
    for r in results:
        _result(r, provinces[r["batch"]], fields[r["occupation"]], out)
    return out


def _each(count: Callable[[Document, Tally], None]) -> Counting:
    async def counting(
        db: Database, docs: Iterable[Document], session: AsyncClientSession | None
    ) -> Tally:
        out = Tally()
        for doc in docs:
            count(doc, out)
        return out

    return counting


Counting = Callable[[Database, Iterable[Document], AsyncClientSession | None], Awaitable[Tally]]

# The table: every counted collection and what its records count for.
COUNTED: dict[Collection, Counting] = {
    Collection.TRAINEES: _each(_trainee),
    Collection.BATCHES: _batches,
    Collection.CERTIFICATES: _each(_certificate),
}


async def tally(
    db: Database,
    collection: Collection,
    docs: Iterable[Document],
    session: AsyncClientSession | None = None,
) -> Tally:
    """What `docs` of `collection` count for, together (nothing for an uncounted collection)."""
    counting = COUNTED.get(collection)
    return await counting(db, docs, session) if counting is not None else Tally()
