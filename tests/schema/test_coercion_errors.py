"""Values the schema cannot take are the client's mistake, and never repeated back.

A variable the schema cannot coerce (missing, wrong type, invalid `Date`) is a request error:
HTTP 422 with `BAD_USER_INPUT` for every client (GraphQL over HTTP, 2026 draft), no `data`, a
message that names the variable and its type but not the value, and the request id. A literal of
the wrong type is a validation error (422) whose message names the type, never the value: an ID
number sent as an `Int`, a list, an object or a malformed date is not echoed, wherever it was
written (variable, inline argument, default value, or a token the parser refused).
Against the running service."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from tests.factories import make_id_number

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
    (FIRST, {"n": None}, "$n"),  # null for a non-null variable
    (KIND, {"k": "NOPE"}, "$k"),  # not a value of the enum
    (NODE, {"id": {"a": 1}}, "$id"),  # an object for an ID
    (YEAR, {"y": 2024.5}, "$y"),
    (LEVEL, {"l": 2}, "$l"),  # an enum's digit, not its name
]


@pytest.mark.parametrize(("query", "variables", "name"), CASES)
@pytest.mark.parametrize("accept", ["application/graphql-response+json", "application/json", None])
async def test_a_variable_of_the_wrong_type_is_a_client_error(
    http: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    name: str,
    accept: str | None,
) -> None:
    headers = {"accept": accept} if accept else {}
    response = await http.post(
        "/graphql", json={"query": query, "variables": variables}, headers=headers
    )
    assert response.status_code == 422, response.text
    # A 4xx is declared a GraphQL response for every client (the draft: only 2xx answers to a
    # legacy client are relabelled application/json).
    assert response.headers["content-type"].startswith("application/graphql-response+json")
    body = response.json()
    assert "data" not in body  # the error came before execution
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]
    assert name in error["message"]
    for value in variables.values():
        assert str(value) not in error["message"]


def _id_number(seed: int) -> str:
    """An ID number whose check character is a digit, so that it can be written as a number."""
    rng = random.Random(seed)
    while True:
        number = make_id_number(rng)
        if number[-1].isdigit():
            return number


def _inline(value: str) -> str:
    return f'{{ certificatesByHolder(idNumber: {value}, holderName: "张三") {{ number }} }}'


BATCH = "mutation ($b: AssessmentBatchInput!) { submitAssessmentBatch(input: $b) { replayed } }"


def _batch(id_number: Any) -> dict[str, Any]:
    """A batch whose one result carries `id_number` (a value, or an inline literal's text)."""
    row = {"name": "张三", "idNumber": id_number, "occupation": "2-02-38-08", "level": "JUNIOR"}
    row |= {"theoryScore": 80, "skillScore": 80}
    return {"idempotencyKey": "k" * 8, "examDate": "2024-01-05", "results": [row]}


def _inline_batch(literal: str) -> str:
    row = (
        f'{{name: "张三", idNumber: {literal}, occupation: "2-02-38-08", level: JUNIOR, '
        "theoryScore: 80, skillScore: 80}"
    )
    return (
        'mutation { submitAssessmentBatch(input: {idempotencyKey: "kkkkkkkk", '
        f'examDate: "2024-01-05", results: [{row}]}}) {{ replayed }} }}'
    )


def _attacks(number: str) -> dict[str, dict[str, Any]]:
    """Every way an ID number can reach the API as a value of the wrong type or form."""
    holder = {"n": "张三"}
    return {
        "variable Int inside an input object": {
            "query": BATCH,
            "variables": {"b": _batch(int(number))},
        },
        "inline Int inside an input object": {"query": _inline_batch(number)},
        "inline list inside an input object": {"query": _inline_batch(f"[{number}]")},
        "variable Int": {"query": HOLDER, "variables": {"i": int(number), **holder}},
        "variable Float": {"query": HOLDER, "variables": {"i": int(number) / 10, **holder}},
        "variable list": {"query": HOLDER, "variables": {"i": [number], **holder}},
        "variable object": {"query": HOLDER, "variables": {"i": {"id": number}, **holder}},
        "variable Int in a list": {"query": HOLDER, "variables": {"i": [int(number)], **holder}},
        "variable as a Date": {"query": LISTED_ON, "variables": {"d": number}},
        "variable as an enum": {"query": KIND, "variables": {"k": number}},
        "variable as an Int": {"query": FIRST, "variables": {"n": number}},
        "variable as an ID": {"query": NODE, "variables": {"id": [int(number)]}},
        "inline Int": {"query": _inline(number)},
        "inline Float": {"query": _inline(number + ".5")},
        "inline list": {"query": _inline(f'["{number}"]')},
        "inline object": {"query": _inline(f'{{id: "{number}"}}')},
        "inline enum value": {"query": _inline("N" + number)},
        "inline as a Date": {
            "query": f'{{ institutions(first: 1, listedOn: "{number}") {{ totalCount }} }}'
        },
        "inline as an Int": {"query": f"{{ occupations(first: {number}) {{ totalCount }} }}"},
        "default value": {
            "query": f"query ($i: String! = {number}) "
            '{ certificatesByHolder(idNumber: $i, holderName: "张三") { number } }'
        },
        "a token the parser refuses (Int)": {"query": f"{{ {number} }}"},
        "a token the parser refuses (String)": {"query": f'{{ "{number}" }}'},
        "a token the parser refuses (Float)": {"query": f"{{ {number}.5e1 }}"},
        "an unterminated string": {"query": f'{{ a(b: "{number}'},
    }


@pytest.mark.parametrize("attack", sorted(_attacks("110101199003077777")))
async def test_an_id_number_of_the_wrong_type_is_never_echoed(
    http: httpx.AsyncClient, attack: str
) -> None:
    number = _id_number(len(attack))
    for accept in ("application/graphql-response+json", "application/json"):
        response = await http.post(
            "/graphql", json=_attacks(number)[attack], headers={"accept": accept}
        )
        assert response.status_code in (400, 422), response.text
        codes = {e["extensions"]["code"] for e in response.json()["errors"]}
        assert codes <= {"BAD_USER_INPUT", "GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED"}
        # Neither the number nor a run of its digits (as a float's digits, or cut short).
        assert number[:12] not in response.text, response.text


async def test_an_integer_literal_of_5000_digits_is_a_client_error(http: httpx.AsyncClient) -> None:
    """Found by the outside attack: the cost walk read it with int() and failed (a 500)."""
    query = "{ occupations(first: " + "9" * 5000 + ") { totalCount } }"
    response = await http.post("/graphql", json={"query": query}, headers=GR)
    assert response.status_code in (400, 422), response.text[:300]
    assert response.json()["errors"][0]["extensions"]["code"] != "INTERNAL_SERVER_ERROR"
    assert "9" * 20 not in response.text  # the literal is not repeated
