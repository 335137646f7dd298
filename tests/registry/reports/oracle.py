"""The oracle of the statistics: every counted event read straight from the collections, in
plain Python, with none of the registry's counting code; and the comparison of the counters
with it for every filter and grouping the API offers."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from typing import Any

from registry.reports import rebuild, statistics
from registry.reports.statistics import Dimension, StatsFilter
from registry.storage.db import Database

CHINA = dt.timezone(dt.timedelta(hours=8))
ALL = list(Dimension)
MEASURE_OF = {d: d.value.lower() for d in Dimension}


def china_year(moment: dt.datetime) -> int:
    return moment.astimezone(CHINA).year


async def direct(db: Database) -> list[dict[str, Any]]:
    """Every counted event as a flat record, read straight from the collections."""
    fields = {d["_id"]: d["field"] async for d in db.occupations.find()}
    events: list[dict[str, Any]] = []
    async for t in db.trainees.find():
        base = {
            "year": t["year"],
            "field": t["field"],
            "occupation": t["occupation"],
            "level": t["level"],
            "province": t["province"],
        }
        events.append({**base, "measure": "trainees"})
        if t["completed"]:
            events.append({**base, "measure": "training_completions"})
    published = {b["_id"]: b["province"] async for b in db.batches.find({"status": "PUBLISHED"})}
    async for r in db.results.find({"current": True}):
        if r["batch"] not in published:
            continue
        base = {
            "year": int(r["exam_date"][:4]),
            "field": fields[r["occupation"]],
            "occupation": r["occupation"],
            "level": r["level"],
            "province": published[r["batch"]],
        }
        events.append({**base, "measure": "candidates"})
        if r["passed"]:
            events.append({**base, "measure": "passes"})
    async for c in db.certificates.find({"status": {"$in": ["PUBLISHED", "REVOKED"]}}):
        inst = await db.institutions.find_one({"_id": c["institution"]})
        assert inst is not None
        base = {
            "field": c["field"],
            "occupation": c["occupation"],
            "level": c["level"],
            "province": inst["province"],
        }
        events.append(
            {**base, "year": china_year(c["published_at"]), "measure": "certificates_issued"}
        )
        if c["status"] == "REVOKED":
            events.append(
                {
                    **base,
                    "year": china_year(c["revocation"]["at"]),
                    "measure": "certificates_revoked",
                }
            )
    return events


async def people(db: Database, year: int) -> int:
    """Distinct persons with a training completion or a certificate issued in `year`."""
    start = dt.datetime(year, 1, 1, tzinfo=CHINA)
    end = dt.datetime(year + 1, 1, 1, tzinfo=CHINA)
    found = {t["id_hash"] async for t in db.trainees.find({"year": year, "completed": True})}
    found |= {
        c["id_hash"]
        async for c in db.certificates.find(
            {
                "status": {"$in": ["PUBLISHED", "REVOKED"]},
                "published_at": {"$gte": start, "$lt": end},
            }
        )
    }
    return len(found)


def expected(
    events: list[dict[str, Any]], group: list[Dimension], filters: dict[str, Any]
) -> dict[tuple[Any, ...], Counter[str]]:
    out: dict[tuple[Any, ...], Counter[str]] = {}
    for e in events:
        if all(e[k] == v for k, v in filters.items()):
            key = tuple(e[MEASURE_OF[d]] for d in group)
            out.setdefault(key, Counter())[e["measure"]] += 1
    return out


def observed(
    rows: list[statistics.Row], group: list[Dimension]
) -> dict[tuple[Any, ...], Counter[str]]:
    out: dict[tuple[Any, ...], Counter[str]] = {}
    for row in rows:
        key = tuple(getattr(row, MEASURE_OF[d]) for d in group)
        assert key not in out, key
        counts = Counter({m: n for m, n in row.counts.items() if n})
        if counts or group:
            out[key] = counts
    return out


async def agrees(db: Database) -> None:
    """The counters answer what a recount answers, for every filter and grouping."""
    events = await direct(db)
    values = {d: sorted({e[MEASURE_OF[d]] for e in events}) for d in Dimension}
    # Every filter the API offers (each dimension absent or one of its values), fully grouped.
    for choice in itertools.product(*([None, *values[d]] for d in Dimension)):
        filters = {
            MEASURE_OF[d]: v for d, v in zip(Dimension, choice, strict=True) if v is not None
        }
        rows = await statistics.aggregate(db, ALL, StatsFilter(**filters))
        assert observed(rows, ALL) == expected(events, ALL, filters), filters
    # Every grouping, unfiltered.
    for size in range(len(ALL) + 1):
        for group in itertools.combinations(ALL, size):
            rows = await statistics.aggregate(db, list(group))
            assert observed(rows, list(group)) == expected(events, list(group), {}), group
    for p in await statistics.progress(db):
        assert p.people == await people(db, p.year), p.year
        by_measure = Counter(e["measure"] for e in events if e["year"] == p.year)
        assert (p.trainees, p.training_completions, p.certificates_issued) == (
            by_measure["trainees"],
            by_measure["training_completions"],
            by_measure["certificates_issued"],
        )
    assert await rebuild.check(db) == []
