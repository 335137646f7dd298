"""Spreadsheet-safe submissions over GraphQL (issue 14, item 14): the same rows as an import, the
same rule: a text cell a spreadsheet would run as a formula is a `userError` naming its row and
field, and nothing is stored."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

import httpx
import pytest

from registry.access.auth import Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.storage.collections import Collection
from registry.storage.db import Database
from tests.client import gql
from tests.factories import listed_institution, make_id_number, make_tokens, make_uscc

EVALUATOR = make_uscc(1411)
TRAINER = make_uscc(1412)
DAY = clock.today() - dt.timedelta(days=4)
RNG = random.Random(1411)
PEOPLE = [(name, make_id_number(RNG)) for name in ("张三", '=HYPERLINK("http://x/","李四")')]

BATCH = """mutation ($input: AssessmentBatchInput!) { submitAssessmentBatch(input: $input) {
  batch { id } userErrors { field code message } } }"""
COHORT = """mutation ($input: TrainingCohortInput!) { submitTrainingCohort(input: $input) {
  cohort { id } userErrors { field code message } } }"""


@pytest.fixture(scope="module")
async def t(db: Database) -> dict[str, str]:
    await catalogue.seed_reference(db)
    await listed_institution(db, EVALUATOR, filed="2025-01-06")
    await listed_institution(db, TRAINER, kind="TRAINING", filed="2025-01-06")
    specs = {
        "evaluator": (Role.EVALUATION_INSTITUTION, EVALUATOR, None),
        "trainer": (Role.TRAINING_INSTITUTION, TRAINER, None),
    }
    return await make_tokens(db, specs)


def formula_errors(payload: dict[str, Any]) -> list[tuple[str, str]]:
    return [
        (e["field"], e["message"]) for e in payload["userErrors"] if e["code"] == "FORMULA_TEXT"
    ]


async def test_a_batch_with_a_formula_in_a_name_is_refused_with_its_row(
    http: httpx.AsyncClient, t: dict[str, str], db: Database
) -> None:
    results = [
        {"name": name, "idNumber": idn, "occupation": "2-02-10-09", "level": "JUNIOR"}
        | {"theoryScore": 85, "skillScore": 70}
        for name, idn in PEOPLE
    ]
    results[0]["direction"] = "-1"
    batch = {"idempotencyKey": "formula-api-01", "examDate": DAY.isoformat(), "results": results}
    payload = (await gql(http, t["evaluator"], BATCH, input=batch))["submitAssessmentBatch"]
    assert payload["batch"] is None
    found = formula_errors(payload)
    assert [f for f, _ in found] == ["results[0].direction", "results[1].name"]
    assert found[1][1].startswith("row 2: ") and "HYPERLINK" not in found[1][1]
    assert await db[Collection.BATCHES].count_documents({"institution": EVALUATOR}) == 0


async def test_a_cohort_with_a_formula_in_a_name_is_refused_with_its_row(
    http: httpx.AsyncClient, t: dict[str, str], db: Database
) -> None:
    trainees = [
        {"name": name, "idNumber": idn, "hoursAttended": 96, "attendanceRate": 0.95}
        | {"assessmentPassed": True}
        for name, idn in PEOPLE
    ]
    cohort = {
        "idempotencyKey": "formula-api-02",
        "startDate": (DAY - dt.timedelta(days=20)).isoformat(),
        "endDate": DAY.isoformat(),
        "occupation": "2-02-10-09",
        "level": "JUNIOR",
        "requiredHours": 96,
        "trainees": trainees,
    }
    payload = (await gql(http, t["trainer"], COHORT, input=cohort))["submitTrainingCohort"]
    assert payload["cohort"] is None
    assert [f for f, _ in formula_errors(payload)] == ["trainees[1].name"]
    assert await db[Collection.TRAINING_COHORTS].count_documents({"institution": TRAINER}) == 0
