"""The public statistics over GraphQL against counts computed directly from the database, with
independent queries (count_documents and plain Python), for every grouping and some filters."""

from __future__ import annotations

import datetime as dt
import itertools
from collections import Counter
from typing import Any

import httpx
import pytest

from registry.reports import statistics
from registry.settings import Settings
from registry.storage.db import Database
from tests.registry.reports.data import build
from tests.registry.reports.oracle import CHINA, direct, people

LEVELS = {"JUNIOR": 1, "INTERMEDIATE": 2, "SENIOR": 3}


@pytest.fixture(scope="module", autouse=True)
async def data(db: Database, settings: Settings) -> None:
    await build(db, settings, 700)


QUERY = """query ($g: [StatisticsDimension!], $y: Int, $p: String, $f: String, $o: String,
  $l: Level) { statistics(groupBy: $g, year: $y, province: $p, field: $f, occupation: $o,
  level: $l) { year fieldCode occupationCode level province trainees trainingCompletions
  candidates passes passRate certificatesIssued certificatesRevoked } }"""
GRAPHQL_MEASURES = {
    "trainees": "trainees",
    "trainingCompletions": "training_completions",
    "candidates": "candidates",
    "passes": "passes",
    "certificatesIssued": "certificates_issued",
    "certificatesRevoked": "certificates_revoked",
}
KEYS = {
    "YEAR": ("year", "year"),
    "FIELD": ("fieldCode", "field"),
    "OCCUPATION": ("occupationCode", "occupation"),
    "LEVEL": ("level", "level"),
    "PROVINCE": ("province", "province"),
}


async def ask(http: httpx.AsyncClient, **variables: Any) -> list[dict[str, Any]]:
    response = await http.post("/graphql", json={"query": QUERY, "variables": variables})
    body = response.json()
    assert "errors" not in body, body["errors"]
    rows: list[dict[str, Any]] = body["data"]["statistics"]
    return rows


def expected(
    events: list[dict[str, Any]], group: list[str], filters: dict[str, Any]
) -> dict[tuple[Any, ...], Counter[str]]:
    out: dict[tuple[Any, ...], Counter[str]] = {}
    for e in events:
        if any(e[k] != v for k, v in filters.items()):
            continue
        key = tuple(e[KEYS[d][1]] for d in group)
        out.setdefault(key, Counter())[e["measure"]] += 1
    return out


def got(rows: list[dict[str, Any]], group: list[str]) -> dict[tuple[Any, ...], Counter[str]]:
    out: dict[tuple[Any, ...], Counter[str]] = {}
    for row in rows:
        key = tuple(LEVELS[row["level"]] if d == "LEVEL" else row[KEYS[d][0]] for d in group)
        assert key not in out, key
        out[key] = Counter({name: row[gql] for gql, name in GRAPHQL_MEASURES.items() if row[gql]})
    return out


@pytest.mark.parametrize(
    "group",
    [
        [],
        ["YEAR"],
        ["FIELD"],
        ["OCCUPATION"],
        ["LEVEL"],
        ["PROVINCE"],
        ["YEAR", "PROVINCE"],
        ["FIELD", "LEVEL", "PROVINCE"],
        ["YEAR", "FIELD", "OCCUPATION", "LEVEL", "PROVINCE"],
    ],
)
async def test_graphql_statistics_match_the_database(
    http: httpx.AsyncClient, db: Database, group: list[str]
) -> None:
    events = await direct(db)
    assert {e["measure"] for e in events} == set(GRAPHQL_MEASURES.values())
    rows = await ask(http, g=group)
    if not group:
        assert len(rows) == 1  # no grouping: one row of totals
    assert got(rows, group) == expected(events, group, {})


async def test_filters_match_the_database(http: httpx.AsyncClient, db: Database) -> None:
    events = await direct(db)
    years = sorted({e["year"] for e in events})
    cases: list[tuple[dict[str, Any], dict[str, Any]]] = []
    for year, province in itertools.product(years, ["35", "11"]):
        cases.append(({"y": year, "p": province}, {"year": year, "province": province}))
    cases += [
        ({"f": "01"}, {"field": "01"}),
        ({"o": "2-02-10-11"}, {"occupation": "2-02-10-11"}),
        ({"l": "INTERMEDIATE"}, {"level": 2}),
        ({"f": "03", "l": "SENIOR", "p": "35"}, {"field": "03", "level": 3, "province": "35"}),
        ({"f": "01", "o": "2-02-10-11"}, {"field": "01", "occupation": "2-02-10-11"}),
    ]
    for variables, filters in cases:
        rows = await ask(http, g=["LEVEL"], **variables)
        assert got(rows, ["LEVEL"]) == expected(events, ["LEVEL"], filters), variables
    # Direct counts of single measures, spelled out as count_documents.
    year = years[-1]
    start = dt.datetime(year, 1, 1, tzinfo=CHINA)
    end = dt.datetime(year + 1, 1, 1, tzinfo=CHINA)
    issued = await db.certificates.count_documents(
        {"status": {"$in": ["PUBLISHED", "REVOKED"]}, "published_at": {"$gte": start, "$lt": end}}
    )
    revoked = await db.certificates.count_documents(
        {"status": "REVOKED", "revocation.at": {"$gte": start, "$lt": end}}
    )
    published = [b["_id"] async for b in db.batches.find({"status": "PUBLISHED"})]
    candidates = await db.results.count_documents(
        {"current": True, "batch": {"$in": published}, "exam_date": {"$regex": f"^{year}-"}}
    )
    trainees = await db.trainees.count_documents({"year": year})
    [total] = await ask(http, y=year)
    assert (total["certificatesIssued"], total["certificatesRevoked"]) == (issued, revoked)
    assert (total["candidates"], total["trainees"]) == (candidates, trainees)
    assert candidates < await db.results.count_documents(
        {"current": True, "exam_date": {"$regex": f"^{year}-"}}
    )  # the unpublished batch is not counted


async def test_progress_counts_distinct_people_against_the_target(
    http: httpx.AsyncClient, db: Database
) -> None:
    query = "{ programmeProgress { year target people share trainees trainingCompletions certificatesIssued } }"
    response = await http.post("/graphql", json={"query": query})
    rows = response.json()["data"]["programmeProgress"]
    assert rows[0]["year"] == statistics.FIRST_YEAR
    for row in rows:
        year = row["year"]
        reached = await people(db, year)
        assert row["people"] == reached, year
        assert row["target"] == 80_000 and row["share"] == pytest.approx(reached / 80_000)
        assert row["trainees"] == await db.trainees.count_documents({"year": year})
    assert any(row["people"] for row in rows)
    one = await http.post("/graphql", json={"query": "{ programmeProgress(year: 2020) { year } }"})
    assert one.json()["errors"][0]["extensions"]["code"] == "INVALID_YEAR"


async def test_bad_arguments_have_codes(http: httpx.AsyncClient) -> None:
    for variables, code in (
        ({"p": "99"}, "UNKNOWN_PROVINCE"),
        ({"o": "9-99-99-99"}, "UNKNOWN_OCCUPATION"),
        ({"f": "junk"}, "UNKNOWN_FIELD"),  # answered zeros before: as if nothing was counted
        ({"f": "11"}, "UNKNOWN_FIELD"),
        ({"y": 1999}, "INVALID_YEAR"),
    ):
        response = await http.post("/graphql", json={"query": QUERY, "variables": variables})
        assert response.json()["errors"][0]["extensions"]["code"] == code
