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

Nothing here scans a collection: the figures are read from counters that every write moves in
its own transaction (`registry.reports.tally` says what each record counts for,
`registry.reports.counters` keeps them), remembered per process until the audit chain moves.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from registry.calendar import clock
from registry.reports import counters, snapshot
from registry.storage.db import Database, Document

TARGET_PER_YEAR = 80_000
FIRST_YEAR = 2021
LAST_YEAR = 2030  # the notice's period; later years are still counted, with the same target


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


_Raw = dict[str, Any]


def _group(doc: Document) -> _Raw:
    """A counters' group document as a group of `_merge`: its key under `_id`, its measures."""
    key = {name: doc[name] for name in ("year", "field", "occupation", "level", "province")}
    return {"_id": key, **doc["counts"]}


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
    """Every counted group, keyed by all five dimensions, unfiltered; and each year's people."""

    groups: list[_Raw]
    people: dict[int, int]


async def _cube(db: Database) -> _Cube:
    """Read from the counters (`registry.reports.counters`): no collection is scanned."""
    groups, people = await counters.read(db)
    # A group whose counts all went back to zero has no row, as one that never counted.
    return _Cube([_group(d) for d in groups if any(d["counts"].values())], people)


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
    cube = await snapshot.remembered(db, "counters", lambda: _cube(db))
    groups = [g for g in cube.groups if _admits(f, g["_id"])]
    rows = _merge(groups, list(dict.fromkeys(group_by)))
    if not group_by and not rows:
        rows = [Row()]
    return rows


async def progress(db: Database, year: int | None = None) -> list[YearProgress]:
    """Each year from 2021 (or only `year`) to this year: people reached against the target.
    Exact as of the audit chain's head."""
    this_year = clock.today().year
    years = [year] if year is not None else list(range(FIRST_YEAR, max(this_year, FIRST_YEAR) + 1))
    cube = await snapshot.remembered(db, "counters", lambda: _cube(db))
    by_year = {row.year: row.counts for row in _merge(cube.groups, [Dimension.YEAR])}
    zero = dict.fromkeys(MEASURES, 0)
    return [
        YearProgress(
            y,
            TARGET_PER_YEAR,
            cube.people.get(y, 0),
            by_year.get(y, zero)["trainees"],
            by_year.get(y, zero)["training_completions"],
            by_year.get(y, zero)["certificates_issued"],
        )
        for y in years
    ]
