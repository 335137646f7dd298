"""The worst requests of issue 14 (item 8), run against the server: each is refused with
QUERY_TOO_COSTLY before anything runs, or fits under the cost cap at the cost the model computes;
and issue 15's long list, refused with LIST_TOO_LONG.
Their server times are measured by scripts/bench (docs/benchmarks.md), not asserted here."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import pytest_asyncio
from graphql import get_introspection_query

from registry.catalogue import reference_data as catalogue
from registry.settings import Settings
from registry.storage.db import Database
from schema.limits import MAX_COST
from service.api_config import ApiConfig
from tests.conftest import serving_with

GR = {"accept": "application/graphql-response+json"}
OF_TYPE = "type { name kind ofType { name kind ofType { name kind ofType { name } } } }"
DEEP_SCHEMA = (
    f"__schema {{ types {{ name kind fields {{ name args {{ name {OF_TYPE} }} {OF_TYPE} }} }} }}"
)


def aliased(n: int, selection: str) -> str:
    return " ".join(f"a{k}: {selection}" for k in range(n))


def worst() -> dict[str, tuple[str, dict[str, Any]]]:
    ids = [f"id{k}" for k in range(100)]
    return {
        "29 × nodes(ids: 100 ids)": (
            "query ($i: [ID!]!) { " + aliased(29, "nodes(ids: $i) { id }") + " }",
            {"i": ids},
        ),
        "2 × nodes(ids: 100 ids)": (
            "query ($i: [ID!]!) { " + aliased(2, "nodes(ids: $i) { id }") + " }",
            {"i": ids},
        ),
        "a default of 100": (
            "query ($n: Int! = 100) { "
            + aliased(30, "occupations(first: $n) { nodes { code name } edges { cursor } }")
            + " }",
            {},
        ),
        "3 × deep __schema": ("{ " + aliased(3, DEEP_SCHEMA) + " }", {}),
        "3 × statistics": ("{ " + aliased(3, "statistics { trainees }") + " }", {}),
        "11 × trustBundle": ("{ " + aliased(11, "trustBundle") + " }", {}),
        # 3,000 directory rows took about 305 ms on the quiet demo before rows had a weight.
        "30 × institutions(first: 100)": (
            "{ " + aliased(30, "institutions(first: 100) { nodes { uscc name } }") + " }",
            {},
        ),
    }


def fitting() -> dict[str, tuple[str, int]]:
    """The heaviest of each kind that still fits, with what it is charged (0: a count over the
    schema, which changes with the schema). Their costs are in tests/schema/test_cost.py."""
    return {
        "nodes(ids: 100 ids)": ("query ($i: [ID!]!) { nodes(ids: $i) { id } }", 100 + 100),
        "GraphiQL's introspection query": (get_introspection_query(), 0),
        "30 × __schema { types { name } }": (
            "{ " + aliased(30, "__schema { types { name } }") + " }",
            0,
        ),
        "2 × statistics": ("{ " + aliased(2, "statistics { trainees }") + " }", 2 * 2),
    }


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(db: Database, settings: Settings) -> AsyncIterator[str]:
    # A ceiling above the cap, so that only the cost cap can refuse.
    await catalogue.seed_reference(db)
    async with serving_with(db, settings, rate_points=10**9, trust_forwarded_for=True) as url:
        yield url


@pytest.mark.parametrize("name", sorted(worst()))
async def test_the_worst_requests_are_refused_before_they_run(server: str, name: str) -> None:
    query, variables = worst()[name]
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        answer = await http.post(
            "/graphql", json={"query": query, "variables": variables}, headers=GR
        )
    assert answer.status_code == 422, answer.text[:300]
    error = answer.json()["errors"][0]
    assert (error["extensions"]["code"], error["extensions"]["limit"]) == (
        "QUERY_TOO_COSTLY",
        MAX_COST,
    )


@pytest.mark.parametrize("name", sorted(fitting()))
async def test_the_heaviest_that_fit_run_at_their_cost(server: str, name: str) -> None:
    query, expected = fitting()[name]
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        found = await http.post(
            "/graphql", json={"query": '{ occupation(code: "2-02-38-01") { id } }'}
        )
        variables = {"i": [found.json()["data"]["occupation"]["id"]] * 100}
        # Each from its own client address: `x-ratelimit-used` is then this request's cost.
        answer = await http.post(
            "/graphql",
            json={"query": query, "variables": variables if "$i" in query else {}},
            headers={**GR, "x-forwarded-for": f"10.2.0.{sorted(fitting()).index(name)}"},
        )
    assert answer.status_code == 200, answer.text[:300]
    used = int(answer.headers["x-ratelimit-used"])
    assert used < ApiConfig().rate_points  # each fits a client's default hourly allowance
    if expected:
        assert used == expected


async def test_a_long_list_argument_is_refused_before_it_runs(server: str) -> None:
    # Issue 15: 95,000 `groupBy` values (893 KB, under the body limit) took 400-465 ms of server
    # time and were charged 2 points.
    query = "query ($g: [StatisticsDimension!]) { statistics(groupBy: $g) { trainees } }"
    async with httpx.AsyncClient(base_url=server, timeout=60) as http:
        # The same text with a short list first: its analysis must not be remembered by text.
        short = await http.post(
            "/graphql", json={"query": query, "variables": {"g": ["PROVINCE"]}}, headers=GR
        )
        assert short.status_code == 200, short.text[:300]
        answer = await http.post(
            "/graphql",
            json={"query": query, "variables": {"g": ["PROVINCE", "LEVEL"] * 47_500}},
            headers=GR,
        )
    assert answer.status_code == 422, answer.text[:300]
    extensions = answer.json()["errors"][0]["extensions"]
    assert extensions["code"] == "LIST_TOO_LONG"
    assert (extensions["argument"], extensions["limit"]) == ("Query.statistics(groupBy:)", 100)
