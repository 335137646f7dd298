"""`totalCount` on every connection (schema/relay.py), against the running service: it counts
what the list shows the caller with the same filters and scope, whatever the page; a provincial
reviewer counts its province's batches and cohorts, the office counts all."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import httpx
import pytest

from registry.access.auth import Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database
from tests.client import gql
from tests.factories import listed_institution, make_id_number, make_tokens, make_uscc

EVAL35, EVAL11 = make_uscc(871), make_uscc(872, region="110108")
TRAIN35, TRAIN11 = make_uscc(873), make_uscc(874, region="110108")
TODAY = clock.today()
RNG = random.Random(871)


@pytest.fixture(scope="module")
async def t(db: Database) -> dict[str, str]:
    await catalogue.seed_reference(db)
    await listed_institution(db, EVAL35, filed="2025-01-06")
    await listed_institution(db, EVAL11, province="11", filed="2025-01-06")
    await listed_institution(db, TRAIN35, kind="TRAINING", filed="2025-01-06")
    await listed_institution(db, TRAIN11, kind="TRAINING", province="11", filed="2025-01-06")
    return await make_tokens(
        db,
        {
            "eval35": (Role.EVALUATION_INSTITUTION, EVAL35, None),
            "eval11": (Role.EVALUATION_INSTITUTION, EVAL11, None),
            "train35": (Role.TRAINING_INSTITUTION, TRAIN35, None),
            "train11": (Role.TRAINING_INSTITUTION, TRAIN11, None),
            "prov35": (Role.PROVINCIAL_REVIEWER, None, "35"),
            "prov11": (Role.PROVINCIAL_REVIEWER, None, "11"),
            "office": (Role.OFFICE_ADMIN, None, None),
        },
    )


def people(n: int) -> list[tuple[str, str]]:
    return [(f"计数{i}", make_id_number(RNG)) for i in range(n)]


def batch(key: str) -> dict[str, Any]:
    exam = (TODAY - dt.timedelta(days=5)).isoformat()
    rows = [
        {"name": name, "idNumber": idn, "occupation": "2-02-38-01", "level": "JUNIOR"}
        | {"theoryScore": 85, "skillScore": 70}
        for name, idn in people(2)
    ]
    return {"idempotencyKey": key, "examDate": exam, "results": rows}


def cohort(key: str) -> dict[str, Any]:
    end = TODAY - dt.timedelta(days=4)
    trainees = [
        {"name": name, "idNumber": idn, "hoursAttended": 96, "attendanceRate": 0.95}
        | {"assessmentPassed": True}
        for name, idn in people(2)
    ]
    return {
        "idempotencyKey": key,
        "startDate": (end - dt.timedelta(days=20)).isoformat(),
        "endDate": end.isoformat(),
        "occupation": "2-02-10-09",
        "level": "INTERMEDIATE",
        "requiredHours": 96,
        "trainees": trainees,
    }


def campaign(key: str) -> dict[str, Any]:
    return {
        "idempotencyKey": key,
        "title": "计数抽查",
        "year": TODAY.year,
        "seedSource": "公告次日的开奖号码",
        "seedNotBefore": (clock.now() + dt.timedelta(hours=1)).isoformat(),
        "rules": {
            "kinds": ["EVALUATION", "TRAINING"],
            "listedOn": (TODAY - dt.timedelta(days=1)).isoformat(),
            "sampleSize": 1,
            "inspectorsPerInstitution": 1,
        },
    }


SUBMITS = [
    ("submitAssessmentBatch", "AssessmentBatchInput", "batch", batch, "eval35"),
    ("submitAssessmentBatch", "AssessmentBatchInput", "batch", batch, "eval35"),
    ("submitAssessmentBatch", "AssessmentBatchInput", "batch", batch, "eval11"),
    ("submitTrainingCohort", "TrainingCohortInput", "cohort", cohort, "train35"),
    ("submitTrainingCohort", "TrainingCohortInput", "cohort", cohort, "train35"),
    ("submitTrainingCohort", "TrainingCohortInput", "cohort", cohort, "train11"),
    ("announceSupervisionCampaign", "SupervisionCampaignInput", "campaign", campaign, "office"),
    ("announceSupervisionCampaign", "SupervisionCampaignInput", "campaign", campaign, "office"),
    ("announceSupervisionCampaign", "SupervisionCampaignInput", "campaign", campaign, "office"),
]


ADD = """mutation ($p: String!, $b: String!) { addInspector(name: "检查员", province: $p,
  badge: $b) { userErrors { code } } }"""


@pytest.fixture(scope="module")
async def records(t: dict[str, str], live_server: str) -> None:
    """Three batches, three cohorts (two in province 35, one in 11) and three campaigns."""
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as http:
        for province in ("35", "11"):  # a campaign is announced only with inspectors to send
            added = await gql(http, t["office"], ADD, p=province, b=f"COUNT-{province}")
            assert added["addInspector"]["userErrors"] == []
        for n, (mutation, input_type, noun, build, who) in enumerate(SUBMITS):
            query = f"""mutation ($input: {input_type}!) {{ {mutation}(input: $input) {{
              {noun} {{ id }} userErrors {{ field code message }} }} }}"""
            made = (await gql(http, t[who], query, input=build(f"count-{n:04d}")))[mutation]
            assert made["userErrors"] == [] and made[noun]["id"]


# (the list with its arguments, who asks, how many it shows them)
LISTS = [
    ("assessmentBatches(first: $n, after: $after, status: SUBMITTED)", "office", 3),
    ("assessmentBatches(first: $n, after: $after)", "prov35", 2),
    ("assessmentBatches(first: $n, after: $after)", "prov11", 1),
    ("assessmentBatches(first: $n, after: $after)", "eval11", 1),
    ("assessmentBatches(first: $n, after: $after, status: PUBLISHED)", "office", 0),
    ("trainingCohorts(first: $n, after: $after)", "office", 3),
    ("trainingCohorts(first: $n, after: $after)", "prov35", 2),
    ("trainingCohorts(first: $n, after: $after)", "prov11", 1),
    ("trainingCohorts(first: $n, after: $after)", "train35", 2),
    ("supervisionCampaigns(first: $n, after: $after)", None, 3),
    (f"supervisionCampaigns(first: $n, after: $after, year: {TODAY.year - 1})", None, 0),
    ('occupations(first: $n, after: $after, search: "2-02-38")', None, 9),
    ('institutions(first: $n, after: $after, province: "11")', None, 2),
    ('occupations(first: $n, after: $after, field: "06")', None, None),
]


async def pages(
    http: httpx.AsyncClient, token: str | None, field: str, first: int
) -> list[tuple[int, list[str]]]:
    """Every page of the list, `first` at a time: (totalCount, the ids of its nodes)."""
    query = f"""query ($n: Int!, $after: String) {{ list: {field} {{
      totalCount nodes {{ id }} pageInfo {{ hasNextPage endCursor }} }} }}"""
    out: list[tuple[int, list[str]]] = []
    after = None
    while len(out) < 50:
        data = (await gql(http, token, query, n=first, after=after))["list"]
        out.append((data["totalCount"], [node["id"] for node in data["nodes"]]))
        if not data["pageInfo"]["hasNextPage"]:
            return out
        after = data["pageInfo"]["endCursor"]
    raise AssertionError(f"{field} did not end in 50 pages")


@pytest.mark.usefixtures("records")
@pytest.mark.parametrize(("field", "who", "expected"), LISTS)
async def test_total_count_is_what_the_list_shows_on_every_page(
    http: httpx.AsyncClient, t: dict[str, str], field: str, who: str | None, expected: int | None
) -> None:
    token = t[who] if who else None
    [(total, ids)] = await pages(http, token, field, 100)
    assert total == len(ids)
    if expected is not None:
        assert total == expected
    walked = await pages(http, token, field, 1)
    assert {count for count, _ in walked} == {total}
    assert [i for _, page in walked for i in page] == ids
