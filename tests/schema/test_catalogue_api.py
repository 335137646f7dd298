"""The reference queries over real HTTP against the real app and database."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database


async def gql(http: httpx.AsyncClient, query: str, **variables: Any) -> dict[str, Any]:
    response = await http.post("/graphql", json={"query": query, "variables": variables})
    body: dict[str, Any] = response.json()
    # GraphQL over HTTP (2026 draft): 200 without errors, 294 with data and errors, 422 a
    # request error (no data).
    expected = 200 if "errors" not in body else 294 if "data" in body else 422
    assert response.status_code == expected, response.text
    return body


@pytest.fixture(autouse=True)
async def seeded(db: Database) -> None:
    await catalogue.seed_reference(db)


@pytest.mark.parametrize("code", ["2-02-38-01", "2-02-10-09"])
async def test_occupation_by_either_edition(http: httpx.AsyncClient, code: str) -> None:
    query = "query ($code: String!) { occupation(code: $code) { name code field { code name } } }"
    body = await gql(http, query, code=code)
    assert body == {
        "data": {
            "occupation": {
                "name": "人工智能工程技术人员",
                "code": "2-02-10-09",
                "field": {"code": "01", "name": "人工智能"},
            }
        }
    }


async def test_unknown_occupation_is_null_and_malformed_code_is_an_error(
    http: httpx.AsyncClient,
) -> None:
    assert (await gql(http, '{ occupation(code: "9-99-99-99") { name } }'))["data"] == {
        "occupation": None
    }
    body = await gql(http, '{ occupation(code: "AI") { name } }')
    assert body["errors"][0]["extensions"]["code"] == "INVALID_OCCUPATION_CODE"
    assert "2-02-38-01" in body["errors"][0]["message"]


PAGE = """
query Page($first: Int!, $after: String, $field: String, $search: String) {
  occupations(first: $first, after: $after, field: $field, search: $search) {
    edges { cursor node { code codes { edition code confirmed } } }
    nodes { name }
    pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
  }
}
"""


async def test_connection_walks_every_occupation_once(http: httpx.AsyncClient) -> None:
    codes: list[str] = []
    after = None
    pages = 0
    while True:
        conn = (await gql(http, PAGE, first=4, after=after))["data"]["occupations"]
        pages += 1
        codes += [edge["node"]["code"] for edge in conn["edges"]]
        info = conn["pageInfo"]
        assert info["startCursor"] == conn["edges"][0]["cursor"]
        assert info["endCursor"] == conn["edges"][-1]["cursor"]
        assert info["hasPreviousPage"] == (after is not None)
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert pages == 3
    assert len(codes) == len(set(codes)) == 10


async def test_cursors_are_opaque_and_checked(http: httpx.AsyncClient) -> None:
    conn = (await gql(http, PAGE, first=1))["data"]["occupations"]
    cursor = conn["pageInfo"]["endCursor"]
    assert "2-02" not in cursor  # not the raw key
    for bad in ["nonsense", "YWJj", cursor[:-2] + "zz"]:
        body = await gql(http, PAGE, first=1, after=bad)
        assert body["errors"][0]["extensions"]["code"] == "INVALID_CURSOR"


@pytest.mark.parametrize("first", [101, -1])
async def test_first_is_limited(http: httpx.AsyncClient, first: int) -> None:
    body = await gql(http, PAGE, first=first)
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {
        "code": "PAGINATION_LIMIT",
        "argument": "first",
        "limit": 100,
    }


async def test_filters(http: httpx.AsyncClient) -> None:
    conn = (await gql(http, PAGE, first=100, field="09"))["data"]["occupations"]
    assert [n["name"] for n in conn["nodes"]] == ["区块链工程技术人员"]
    conn = (await gql(http, PAGE, first=100, search="工业互联网"))["data"]["occupations"]
    assert conn["edges"][0]["node"]["codes"] == [
        {"edition": "2015", "code": "2-02-10-13", "confirmed": True},
        {"edition": "2022", "code": "2-02-38-06", "confirmed": False},
    ]


async def test_fields_levels_standards_provinces(http: httpx.AsyncClient) -> None:
    body = await gql(
        http,
        """{ fields { code name } levels { level code name }
             standards(occupation: "2-02-38-04") { title issuedBy confirmed }
             provinces { code name } }""",
    )
    data = body["data"]
    assert [f["code"] for f in data["fields"]] == [f"{i:02d}" for i in range(1, 11)]
    assert data["fields"][4]["name"] == "数字化管理"
    assert data["levels"] == [
        {"level": "JUNIOR", "code": 1, "name": "初级"},
        {"level": "INTERMEDIATE", "code": 2, "name": "中级"},
        {"level": "SENIOR", "code": 3, "name": "高级"},
    ]
    assert data["standards"] == [
        {
            "title": "云计算工程技术人员国家职业技术技能标准",
            "issuedBy": "人社厅发〔2021〕70号",
            "confirmed": False,
        }
    ]
    assert len(data["provinces"]) == 34


async def test_query_over_get(http: httpx.AsyncClient) -> None:
    response = await http.get(
        "/graphql", params={"query": '{ occupation(code: "2-02-38-08") { name } }'}
    )
    assert response.status_code == 200
    assert response.json()["data"]["occupation"]["name"] == "区块链工程技术人员"


async def test_errors_carry_codes(http: httpx.AsyncClient) -> None:
    syntax = await http.post("/graphql", json={"query": "{ occupation("})
    assert syntax.json()["errors"][0]["extensions"]["code"] == "GRAPHQL_PARSE_FAILED"
    invalid = await gql(http, "{ noSuchField }")
    assert invalid["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    deep = "{ occupations(first: 1) { edges { node { field { code } } } } }"
    assert "errors" not in await gql(http, deep)


async def test_graphiql_is_served_to_browsers(http: httpx.AsyncClient) -> None:
    response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()
