"""Variables the schema cannot coerce are the client's mistake: HTTP 400 with `BAD_USER_INPUT`
(GraphQL over HTTP), never an internal error, and the refused value is not echoed back (it may be
an ID number). Against the running service."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from tests.factories import GENERATED_ID_NUMBERS, make_id_number

GR = {"accept": "application/graphql-response+json"}

LISTED_ON = "query ($d: Date!) { institutions(first: 1, listedOn: $d) { totalCount } }"
FIRST = "query ($n: Int!) { occupations(first: $n) { edges { cursor } } }"
KIND = "query ($k: InstitutionKind) { institutions(first: 1, kind: $k) { totalCount } }"
NODE = "query ($id: ID!) { node(id: $id) { id } }"
YEAR = "query ($y: Int) { programmeProgress(year: $y) { year } }"
LEVEL = "query ($l: Level) { statistics(level: $l) { trainees } }"
HOLDER = (
    "query ($i: String!, $n: String!) "
    "{ certificatesByHolder(idNumber: $i, holderName: $n) { number } }"
)

CASES: list[tuple[str, dict[str, Any], str]] = [
    (LISTED_ON, {"d": "2024-13-45"}, "$d"),  # no such month
    (LISTED_ON, {"d": 20240105}, "$d"),  # a number for a date
    (FIRST, {"n": 2**40}, "$n"),  # past a 32-bit Int
    (FIRST, {"n": "ten"}, "$n"),
    (FIRST, {}, "$n"),  # a required variable left out
    (KIND, {"k": "NOPE"}, "$k"),  # not a value of the enum
    (NODE, {"id": {"a": 1}}, "$id"),  # an object for an ID
    (YEAR, {"y": 2024.5}, "$y"),
    (LEVEL, {"l": 2}, "$l"),  # an enum's digit, not its name
]


@pytest.mark.parametrize(("query", "variables", "name"), CASES)
async def test_a_variable_of_the_wrong_type_is_a_client_error(
    http: httpx.AsyncClient, query: str, variables: dict[str, Any], name: str
) -> None:
    strict = await http.post("/graphql", json={"query": query, "variables": variables}, headers=GR)
    assert strict.status_code == 400, strict.text
    error = strict.json()["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert name in error["message"]
    legacy = await http.post("/graphql", json={"query": query, "variables": variables})
    assert legacy.status_code == 200
    assert legacy.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_a_refused_value_is_not_repeated(http: httpx.AsyncClient) -> None:
    # An ID number sent as a JSON number: refused for its type, and not echoed in the message.
    number = make_id_number(random.Random(7))[:17] + "1"
    GENERATED_ID_NUMBERS.add(number)
    variables = {"i": int(number), "n": "张三"}
    response = await http.post(
        "/graphql", json={"query": HOLDER, "variables": variables}, headers=GR
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert number not in response.text
