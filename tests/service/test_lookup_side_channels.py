"""What a look-up reveals (issue 14, item 6): an unknown number and a known number asked with the
wrong name answer the same status, headers and body; no timing header on a response that
resolved a personal field; the look-up cache's counters only for operators (`/metrics`)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from registry.settings import Settings
from registry.storage.db import Database
from tests.client import METRICS_TOKEN
from tests.conftest import serving_with
from tests.registry.certificates.test_cache import fresh_number, published

LOOKUP = "query ($n: String!, $h: String!) { certificate(number: $n, holderName: $h) { number } }"
# Differ between any two responses whatever they answer.
UNIQUE = {"date", "x-request-id"}


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(db: Database, settings: Settings) -> AsyncIterator[str]:
    async with serving_with(
        db, settings, trust_forwarded_for=True, metrics_token=METRICS_TOKEN
    ) as url:
        yield url


async def _look_up(http: httpx.AsyncClient, client: str, number: str) -> httpx.Response:
    # Each look-up from a fresh client address, so both start from the same rate-limit window.
    return await http.post(
        "/graphql",
        json={"query": LOOKUP, "variables": {"n": number, "h": "李四"}},
        headers={"x-forwarded-for": client},
    )


def _comparable(response: httpx.Response) -> tuple[int, dict[str, str], bytes]:
    headers = {k: v for k, v in response.headers.items() if k not in UNIQUE}
    return response.status_code, headers, response.content


async def test_unknown_number_and_wrong_name_answer_the_same(server: str, db: Database) -> None:
    known = fresh_number()
    await db.certificates.insert_one(published(known, name="张三"))
    async with httpx.AsyncClient(base_url=server) as http:
        for round_ in range(3):  # the second and third known look-ups are answered from memory
            unknown = await _look_up(http, f"10.0.{round_}.1", fresh_number())
            wrong_name = await _look_up(http, f"10.0.{round_}.2", known)
            assert _comparable(unknown) == _comparable(wrong_name)
            assert unknown.json() == {"data": {"certificate": None}}
            assert "server-timing" not in wrong_name.headers
            assert wrong_name.headers["cache-control"] == "no-store"
        # A public, non-personal answer keeps its timing header.
        public = await http.post("/graphql", json={"query": "{ levels { code } }"})
        assert public.headers["server-timing"].startswith("app;dur=")


async def test_metrics_are_for_operators_only(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        anonymous = await http.get("/metrics")
        assert anonymous.status_code == 404
        assert b"lookup_cache" not in anonymous.content
        wrong = await http.get("/metrics", headers={"authorization": "Bearer not-the-token"})
        assert wrong.status_code == 404
        operator = await http.get("/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"})
        assert operator.status_code == 200
        assert "registry_lookup_cache_entries" in operator.text
        assert operator.headers["cache-control"] == "no-store"


async def test_metrics_are_off_without_a_token(db: Database, settings: Settings) -> None:
    async with serving_with(db, settings) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            for headers in ({}, {"authorization": "Bearer"}, {"authorization": "Bearer None"}):
                assert (await http.get("/metrics", headers=headers)).status_code == 404
