"""An ID number typed where it does not belong never comes back (promise 7): the outside attack
of 2026-12-05 sent one as an occupation code, a direction and a holder's name, and got it back
in error messages, in `userErrors` and in the look-up form. Every message leaving the error
table has what may be an ID number withheld (`schema/errors.py`); an uploaded cell other than
the ID number's that holds one is refused (`registry/intake/rows.py`); the look-up form writes
back nothing that may be one. Against the running service."""

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
from tests.client import gql, post
from tests.factories import listed_institution, make_id_number, make_tokens, make_uscc

USCC = make_uscc(517)
ID = make_id_number(random.Random(517))
OTHER_ID = make_id_number(random.Random(518))
SUBMIT = """mutation ($input: AssessmentBatchInput!) { submitAssessmentBatch(input: $input) {
  batch { id } userErrors { field code message } } }"""


@pytest.fixture(scope="module")
async def token(db: Database) -> str:
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")
    return (await make_tokens(db, {"inst": (Role.EVALUATION_INSTITUTION, USCC, None)}))["inst"]


@pytest.mark.parametrize(
    "query",
    [
        "query ($c: String!) { occupation(code: $c) { name } }",
        "query ($c: String!) { institutions(first: 1, occupation: $c) { totalCount } }",
        "query ($c: String!) { statistics(occupation: $c) { trainees } }",
    ],
)
async def test_a_top_level_error_withholds_it(http: httpx.AsyncClient, query: str) -> None:
    body = await post(http, None, query, c=ID)
    error = body["errors"][0]
    assert error["extensions"]["code"] != "INTERNAL_SERVER_ERROR"
    assert ID not in str(body) and "[withheld]" in error["message"]


def _row(**changes: Any) -> dict[str, Any]:
    row = {
        "name": "李明",
        "idNumber": OTHER_ID,
        "occupation": "2-02-38-01",
        "level": "JUNIOR",
        "theoryScore": 85,
        "skillScore": 70,
    }
    return {**row, **changes}


async def test_user_errors_withhold_it_and_it_is_refused_out_of_its_cell(
    http: httpx.AsyncClient, token: str
) -> None:
    batch = {
        "idempotencyKey": "withheld-0001",
        "examDate": (clock.today() - dt.timedelta(days=5)).isoformat(),
        "results": [_row(occupation=ID), _row(direction=ID), _row(name=ID)],
    }
    answer = (await gql(http, token, SUBMIT, input=batch))["submitAssessmentBatch"]
    assert answer["batch"] is None
    problems = answer["userErrors"]
    assert ID not in str(problems)
    out_of_place = {p["field"] for p in problems if p["code"] == "ID_NUMBER_OUT_OF_PLACE"}
    assert out_of_place == {"results[0].occupation", "results[1].direction", "results[2].name"}
    # The other problems of those cells (an unknown occupation or direction) name the value,
    # which is withheld.
    assert sum("[withheld]" in p["message"] for p in problems) >= 2, problems


async def test_the_look_up_form_does_not_write_it_back(http: httpx.AsyncClient) -> None:
    page = await http.post("/lookup/number", data={"number": ID, "name": "李明"})
    assert page.status_code == 400
    assert ID not in page.text
    # A certificate number that is merely wrong is written back for the user to correct.
    typo = await http.post("/lookup/number", data={"number": "Z11000126101000001", "name": "李明"})
    assert "Z11000126101000001" in typo.text


async def test_an_identifier_of_digits_is_not_taken_for_one(
    http: httpx.AsyncClient, token: str
) -> None:
    """An idempotency key is never shown, and a client's may be a 19-digit snowflake id: it is
    not searched (the review found it refused, and a retry with it refused instead of replayed)."""
    batch = {
        "idempotencyKey": "1733385600123456789",
        "examDate": (clock.today() - dt.timedelta(days=5)).isoformat(),
        "results": [_row(idNumber=make_id_number(random.Random(519)))],
    }
    first = (await gql(http, token, SUBMIT, input=batch))["submitAssessmentBatch"]
    assert first["userErrors"] == [] and first["batch"] is not None
    again = (await gql(http, token, SUBMIT, input=batch))["submitAssessmentBatch"]
    assert again["userErrors"] == [] and again["batch"]["id"] == first["batch"]["id"]
