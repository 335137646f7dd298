"""GraphQL over HTTP as the draft stands in 2026 ("Status Codes"): each kind of request, for a
client that accepts `application/graphql-response+json` and for a legacy `application/json`
client alike: the status, the code, whether `data` is there, and the Content-Type."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database

GR = "application/graphql-response+json"
JSON = "application/json"
OK = "{ __typename }"
FORBIDDEN = 'mutation { expireInstitution(uscc: "x") { userErrors { code } } }'

# name -> (body: JSON value or raw bytes, status, extensions.code or None, data present)
CASES: dict[str, tuple[Any, int, str | None, bool]] = {
    "a result": ({"query": OK}, 200, None, True),
    "not JSON": (b"NONSENSE", 400, "BAD_REQUEST", False),
    "cut-off JSON": (b'{"query":', 400, "BAD_REQUEST", False),
    "an empty body": (b"", 400, "BAD_REQUEST", False),
    "query missing": ({"qeury": OK}, 422, "BAD_REQUEST", False),
    "query 0": ({"query": 0}, 422, "BAD_REQUEST", False),
    "query false": ({"query": False}, 422, "BAD_REQUEST", False),
    "query an object": ({"query": {"obj": "ect"}}, 422, "BAD_REQUEST", False),
    "query a list": ({"query": ["array"]}, 422, "BAD_REQUEST", False),
    "variables 0": ({"query": OK, "variables": 0}, 422, "BAD_REQUEST", False),
    "variables false": ({"query": OK, "variables": False}, 422, "BAD_REQUEST", False),
    "variables a string": ({"query": OK, "variables": "x"}, 422, "BAD_REQUEST", False),
    "variables a list": ({"query": OK, "variables": [7]}, 422, "BAD_REQUEST", False),
    "extensions 0": ({"query": OK, "extensions": 0}, 422, "BAD_REQUEST", False),
    "extensions false": ({"query": OK, "extensions": False}, 422, "BAD_REQUEST", False),
    "operationName 0": ({"query": OK, "operationName": 0}, 422, "BAD_REQUEST", False),
    "operationName false": ({"query": OK, "operationName": False}, 422, "BAD_REQUEST", False),
    "a JSON number": (b"0", 422, "BAD_REQUEST", False),
    "a batch": ([{"query": OK}], 422, "BATCHING_NOT_SUPPORTED", False),
    "null parameters": (
        {"query": OK, "variables": None, "extensions": None, "operationName": None},
        200,
        None,
        True,
    ),
    "a document that does not parse": ({"query": "{"}, 400, "GRAPHQL_PARSE_FAILED", False),
    "a validation failure": ({"query": "{ nope }"}, 422, "GRAPHQL_VALIDATION_FAILED", False),
    "an unknown operation": (
        {"query": OK, "operationName": "Nope"},
        422,
        "OPERATION_RESOLUTION_FAILURE",
        False,
    ),
    "two operations, no name": (
        {"query": "query A { __typename } query B { __typename }"},
        422,
        "OPERATION_RESOLUTION_FAILURE",
        False,
    ),
    "a variable not coerced": (
        {"query": "query ($n: Int!) { occupations(first: $n) { totalCount } }"},
        422,
        "BAD_USER_INPUT",
        False,
    ),
    "a field error (data null)": ({"query": FORBIDDEN}, 294, "FORBIDDEN", True),
    "a field error (partial data)": (
        {"query": '{ fields { code } node(id: "bm90IGFuIGlk") { id } }'},
        294,
        "INVALID_ID",
        True,
    ),
}


@pytest.fixture(scope="module", autouse=True)
async def seeded(db: Database) -> None:
    await catalogue.seed_reference(db)


@pytest.mark.parametrize("name", sorted(CASES))
@pytest.mark.parametrize("accept", [GR, JSON, f"{GR}, {JSON};q=0.9", None])
async def test_each_request_gets_the_drafts_status(
    http: httpx.AsyncClient, name: str, accept: str | None
) -> None:
    body, status, code, has_data = CASES[name]
    content = body if isinstance(body, bytes) else httpx.Request("POST", "/", json=body).content
    headers = {"content-type": "application/json", **({"accept": accept} if accept else {})}
    response = await http.post("/graphql", content=content, headers=headers)
    assert response.status_code == status, response.text
    answer = response.json()
    assert ("data" in answer) is has_data
    if code is None:
        assert "errors" not in answer
    else:
        assert answer["errors"][0]["extensions"]["code"] == code
    wants_graphql = accept is not None and accept.startswith(GR)
    declared = GR if wants_graphql or not 200 <= status < 300 else JSON
    assert response.headers["content-type"] == f"{declared}; charset=utf-8"


async def test_request_errors_carry_the_request_id(http: httpx.AsyncClient) -> None:
    for body in ({"query": 0}, {"query": "{ nope }"}, {"query": OK, "operationName": "X"}):
        response = await http.post("/graphql", json=body, headers={"accept": GR})
        (error,) = response.json()["errors"]
        assert error["extensions"]["requestId"] == response.headers["x-request-id"]


@pytest.mark.parametrize(
    ("accept", "status", "declared"),
    [
        ("*/*", 200, JSON),
        ("application/*", 200, JSON),
        (f"{JSON}, {GR};q=0.5", 200, JSON),
        (f"{JSON};q=0.5, {GR}", 200, GR),
        (f"{GR};q=0, {JSON}", 200, JSON),
        ("text/html", 406, JSON),
        (f"{GR};q=0", 406, JSON),
    ],
)
async def test_the_accept_header_chooses_the_media_type(
    http: httpx.AsyncClient, accept: str, status: int, declared: str
) -> None:
    response = await http.post("/graphql", json={"query": OK}, headers={"accept": accept})
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == f"{declared}; charset=utf-8"
    if status == 406:
        assert response.json()["errors"][0]["extensions"]["code"] == "NOT_ACCEPTABLE"


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"query": OK, "variables": "{"}, 422, "BAD_REQUEST"),
        ({"query": OK, "variables": "[1]"}, 422, "BAD_REQUEST"),
        ({"query": OK, "extensions": "0"}, 422, "BAD_REQUEST"),
        ({"query": OK, "variables": "", "operationName": ""}, 200, None),
        ({"query": "{"}, 400, "GRAPHQL_PARSE_FAILED"),
    ],
)
async def test_get_parameters_are_held_to_the_same_rules(
    http: httpx.AsyncClient, params: dict[str, str], status: int, code: str | None
) -> None:
    response = await http.get("/graphql", params=params, headers={"accept": GR})
    assert response.status_code == status, response.text
    if code:
        assert response.json()["errors"][0]["extensions"]["code"] == code
