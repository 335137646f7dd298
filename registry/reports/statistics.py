"""Public statistics: aggregates by year, field, occupation, level and province, and progress
against the programme's target of about 80,000 people a year (notice 一, 2021-2030).

Each measure counts events of its own kind, in the year the event happened:

| measure                | counts                                                        | year of          |
| ---------------------- | ------------------------------------------------------------- | ---------------- |
| `trainees`             | trainee rows of reported training cohorts                     | the course's end |
| `training_completions` | of those, completed (a training certificate issued)           | the course's end |
| `candidates`           | current results of PUBLISHED assessment batches               | the exam         |
| `passes`               | of those, passed (both scores ≥ 60)                           | the exam         |
| `certificates_issued`  | certificates published (revoked ones included: they were issued) | publication   |
| `certificates_revoked` | certificates revoked                                          | the revocation   |

Province is the reporting institution's; field comes from the occupation. Years are China years.
`people` in the progress counts distinct persons (by keyed hash) with a training completion or a
certificate issued in the year: "培养培训 8 万人" counts people, not course places.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from registry.calendar import clock
from registry.certificates.model import BatchStatus, CertificateStatus
from registry.reports import snapshot
from registry.reports.metrics import year_range
from registry.storage.collections import Collection
from registry.storage.db import Database, Document

TARGET_PER_YEAR = 80_000
FIRST_YEAR = 2021
LAST_YEAR = 2030  # the notice's period; later years are still counted, with the same target
CHINA_OFFSET = "+08:00"


# A revoked certificate was issued too: it counts in the year it was published.
_ISSUED = [CertificateStatus.PUBLISHED, CertificateStatus.REVOKED]


class Dimension(StrEnum):
    YEAR = "YEAR"
    FIELD = "FIELD"
    OCCUPATION = "OCCUPATION"
    LEVEL = "LEVEL"
    PROVINCE = "PROVINCE"


MEASURES = (
    "trainees",
    "training_completions",
    "candidates",
    "passes",
    "certificates_issued",
    "certificates_revoked",
)
_KEY_ORDER = (
    Dimension.YEAR,
    Dimension.FIELD,
    Dimension.OCCUPATION,
    Dimension.LEVEL,
    Dimension.PROVINCE,
)


@dataclass(frozen=True)
class StatsFilter:
    year: int | None = None
    province: str | None = None
    field: str | None = None
    occupation: str | None = None  # primary code
    level: int | None = None


@dataclass
class Row:
    """One group: its key (only the grouped dimensions are set) and its measures."""

    year: int | None = None
    field: str | None = None
    occupation: str | None = None
    level: int | None = None
    province: str | None = None
    # `dataclasses.field` spelled out: the class has an attribute named `field`.
    counts: dict[str, int] = dataclasses.field(default_factory=lambda: dict.fromkeys(MEASURES, 0))

    @property
    def pass_rate(self) -> float | None:
        return (
            self.counts["passes"] / self.counts["candidates"] if self.counts["candidates"] else None
        )


@dataclass(frozen=True)
class YearProgress:
    year: int
    target: int
    people: int
    trainees: int
    training_completions: int
    certificates_issued: int

    @property
    def share(self) -> float:
        return self.people / self.target


# Where each dimension lives in the `_id` of the grouped documents below.
_Raw = dict[str, Any]


def _china_year(path: str) -> Document:
    return {"$year": {"date": path, "timezone": CHINA_OFFSET}}


def _china_year_range(year: int) -> Document:
    tz = dt.timezone(dt.timedelta(hours=8))
    return {
        "$gte": dt.datetime(year, 1, 1, tzinfo=tz),
        "$lt": dt.datetime(year + 1, 1, 1, tzinfo=tz),
    }


async def _occupation_fields(db: Database) -> dict[str, str]:
    return {d["_id"]: d["field"] async for d in db[Collection.OCCUPATIONS].find({}, {"field": 1})}


async def _trainee_groups(db: Database, f: StatsFilter) -> list[_Raw]:
    match: Document = {}
    for name in ("year", "province", "field", "occupation", "level"):
        if getattr(f, name) is not None:
            match[name] = getattr(f, name)
    pipeline = [
        {"$match": match},
        {
            "$group": {
                "_id": {
                    "year": "$year",
                    "field": "$field",
                    "occupation": "$occupation",
                    "level": "$level",
                    "province": "$province",
                },
                "trainees": {"$sum": 1},
                "training_completions": {"$sum": {"$cond": ["$completed", 1, 0]}},
            }
        },
    ]
    return [d async for d in await db[Collection.TRAINEES].aggregate(pipeline)]


async def _batch_provinces(db: Database, f: StatsFilter) -> dict[str, str]:
    """The published batches the filter admits, with their provinces."""
    batch_query: Document = {"status": BatchStatus.PUBLISHED}
    if f.province is not None:
        batch_query["province"] = f.province
    if f.year is not None:
        batch_query["exam_date"] = year_range(f.year)
    return {
        d["_id"]: d["province"]
        async for d in db[Collection.BATCHES].find(batch_query, {"province": 1})
    }


def _result_group(d: Document, fields: dict[str, str], provinces: dict[str, str]) -> _Raw:
    key = d["_id"]
    return {
        "_id": {
            "year": int(key["year"]),
            "field": fields.get(key["occupation"]),
            "occupation": key["occupation"],
            "level": key["level"],
            "province": provinces[key["batch"]],
        },
        "candidates": d["candidates"],
        "passes": d["passes"],
    }


async def _result_groups(db: Database, f: StatsFilter, fields: dict[str, str]) -> list[_Raw]:
    provinces = await _batch_provinces(db, f)
    if not provinces:
        return []
    match: Document = {"current": True, "batch": {"$in": list(provinces)}}
    if f.occupation is not None:
        match["occupation"] = f.occupation
    elif f.field is not None:
        match["occupation"] = {"$in": [o for o, fld in fields.items() if fld == f.field]}
    if f.level is not None:
        match["level"] = f.level
    pipeline = [
        {"$match": match},
        {
            "$group": {
                "_id": {
                    "batch": "$batch",
                    "year": {"$substrCP": ["$exam_date", 0, 4]},
                    "occupation": "$occupation",
                    "level": "$level",
                },
                "candidates": {"$sum": 1},
                "passes": {"$sum": {"$cond": ["$passed", 1, 0]}},
            }
        },
    ]
    return [
        _result_group(d, fields, provinces)
        async for d in await db[Collection.RESULTS].aggregate(pipeline)
    ]


async def _certificate_groups(db: Database, f: StatsFilter, *, revoked: bool) -> list[_Raw]:
    when = "$revocation.at" if revoked else "$published_at"
    match: Document = (
        {"status": CertificateStatus.REVOKED} if revoked else {"status": {"$in": _ISSUED}}
    )
    if f.year is not None:
        match["revocation.at" if revoked else "published_at"] = _china_year_range(f.year)
    if f.province is not None:
        match["_id"] = {"$regex": f"^Z{f.province}"}  # positions 2-3: the issuer's province
    for name in ("field", "occupation", "level"):
        if getattr(f, name) is not None:
            match[name] = getattr(f, name)
    measure = "certificates_revoked" if revoked else "certificates_issued"
    pipeline = [
        {"$match": match},
        {
            "$group": {
                "_id": {
                    "year": _china_year(when),
                    "field": "$field",
                    "occupation": "$occupation",
                    "level": "$level",
                    "province": {"$substrCP": ["$_id", 1, 2]},
                },
                measure: {"$sum": 1},
            }
        },
    ]
    return [d async for d in await db[Collection.CERTIFICATES].aggregate(pipeline)]


def _merge(groups: Iterable[_Raw], group_by: Sequence[Dimension]) -> list[Row]:
    rows: dict[tuple[Any, ...], Row] = {}
    wanted = set(group_by)
    for g in groups:
        key = g["_id"]
        parts = {d: key.get(d.value.lower()) if d in wanted else None for d in _KEY_ORDER}
        ident = tuple(parts[d] for d in _KEY_ORDER)
        row = rows.get(ident)
        if row is None:
            row = rows[ident] = Row(
                year=parts[Dimension.YEAR],
                field=parts[Dimension.FIELD],
                occupation=parts[Dimension.OCCUPATION],
                level=parts[Dimension.LEVEL],
                province=parts[Dimension.PROVINCE],
            )
        for measure in MEASURES:
            row.counts[measure] += int(g.get(measure, 0))
    return sorted(
        rows.values(),
        key=lambda r: (
            r.year or 0,
            r.field or "",
            r.occupation or "",
            r.level or 0,
            r.province or "",
        ),
    )


@dataclass(frozen=True)
class _Cube:
    """Every counted group, keyed by all five dimensions, unfiltered; and each occupation's field."""

    fields: dict[str, str]
    groups: list[_Raw]


async def _cube(db: Database) -> _Cube:
    everything = StatsFilter()
    fields = await _occupation_fields(db)
    groups = [
        *await _trainee_groups(db, everything),
        *await _result_groups(db, everything, fields),
        *await _certificate_groups(db, everything, revoked=False),
        *await _certificate_groups(db, everything, revoked=True),
    ]
    return _Cube(fields, groups)


def _admits(f: StatsFilter, key: _Raw) -> bool:
    """The filter on a group's key is the filter on the documents it counts: each dimension of
    the key is the very value the collection's own filter would compare."""
    return all(
        getattr(f, name) is None or key.get(name) == getattr(f, name)
        for name in ("year", "province", "field", "occupation", "level")
    )


async def aggregate(
    db: Database, group_by: Sequence[Dimension], f: StatsFilter | None = None
) -> list[Row]:
    """One row per combination of the grouped dimensions that has any count; no grouping gives
    one row of totals (always, zeros included). Exact as of the audit chain's head."""
    f = f or StatsFilter()
    cube = await snapshot.remembered(db, "statistics", lambda: _cube(db))
    groups = [g for g in cube.groups if _admits(f, g["_id"])]
    rows = _merge(groups, list(dict.fromkeys(group_by)))
    if not group_by and not rows:
        rows = [Row()]
    return rows


@dataclass
class _YearCounts:
    """What `progress` adds up, per year; `people` are id hashes."""

    people: dict[int, set[str]] = dataclasses.field(default_factory=lambda: defaultdict(set))
    trainees: dict[int, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    completions: dict[int, int] = dataclasses.field(default_factory=lambda: defaultdict(int))
    issued: dict[int, int] = dataclasses.field(default_factory=lambda: defaultdict(int))


async def _count_training(db: Database, counts: _YearCounts) -> None:
    async for d in await db[Collection.TRAINEES].aggregate(
        [
            {
                "$group": {
                    "_id": {"year": "$year", "id": "$id_hash", "done": "$completed"},
                    "n": {"$sum": 1},
                }
            },
        ]
    ):
        y = d["_id"]["year"]
        counts.trainees[y] += d["n"]
        if d["_id"]["done"]:
            counts.completions[y] += d["n"]
            counts.people[y].add(d["_id"]["id"])


async def _count_certificates(db: Database, counts: _YearCounts) -> None:
    cert_match: Document = {"status": {"$in": _ISSUED}}
    async for d in await db[Collection.CERTIFICATES].aggregate(
        [
            {"$match": cert_match},
            {
                "$group": {
                    "_id": {"year": _china_year("$published_at"), "id": "$id_hash"},
                    "n": {"$sum": 1},
                }
            },
        ]
    ):
        y = d["_id"]["year"]
        counts.issued[y] += d["n"]
        counts.people[y].add(d["_id"]["id"])


async def _year_counts(db: Database) -> _YearCounts:
    counts = _YearCounts()
    await _count_training(db, counts)
    await _count_certificates(db, counts)
    return counts


async def progress(db: Database, year: int | None = None) -> list[YearProgress]:
    """Each year from 2021 (or only `year`) to this year: people reached against the target.
    Exact as of the audit chain's head."""
    this_year = clock.today().year
    years = [year] if year is not None else list(range(FIRST_YEAR, max(this_year, FIRST_YEAR) + 1))
    c = await snapshot.remembered(db, "progress", lambda: _year_counts(db))
    return [
        YearProgress(
            y,
            TARGET_PER_YEAR,
            len(c.people.get(y, ())),
            c.trainees.get(y, 0),
            c.completions.get(y, 0),
            c.issued.get(y, 0),
        )
        for y in years
    ]
