"""The personal allowance is charged per use of a `@personal` field (issue 14, item 5): thirty
aliased look-ups in one request are thirty look-ups, and so are look-ups hidden in fragments."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest_asyncio

from registry.settings import Settings
from registry.storage.db import Database
from tests.conftest import serving_with

ALLOWANCE = 4
LOOK_UP = 'certificate(number: "Z350001261010000015", holderName: "张三") { number }'
TRAINING = 'trainingCertificate(number: "P350001261010000015", holderName: "张三") { number }'


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(db: Database, settings: Settings) -> AsyncIterator[str]:
    async with serving_with(
        db, settings, trust_forwarded_for=True, personal_lookups=ALLOWANCE
    ) as url:
        yield url


async def _ask(http: httpx.AsyncClient, client: str, query: str) -> httpx.Response:
    return await http.post("/graphql", json={"query": query}, headers={"x-forwarded-for": client})


def aliased(n: int, field: str = LOOK_UP) -> str:
    return "{ " + " ".join(f"a{k}: {field}" for k in range(n)) + " }"


async def test_aliases_are_charged_one_look_up_each(server: str) -> None:
    async with httpx.AsyncClient(base_url=server) as http:
        over = await _ask(http, "10.1.0.1", aliased(ALLOWANCE + 1))
        assert over.status_code == 429
        assert over.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
        # Within the allowance it runs, and spends it all: the next look-up is refused.
        fits = await _ask(http, "10.1.0.2", aliased(ALLOWANCE))
        assert fits.status_code == 200 and "errors" not in fits.json()
        after = await _ask(http, "10.1.0.2", aliased(1))
        assert after.status_code == 429
        assert after.json()["errors"][0]["extensions"]["code"] == "THROTTLED"


async def test_fragments_and_every_personal_field_count(server: str) -> None:
    hidden = (
        "{ ...A ... on Query { b: " + TRAINING + " } c: " + TRAINING + " } "
        "fragment A on Query { a: " + LOOK_UP + " }"
    )
    async with httpx.AsyncClient(base_url=server) as http:
        first = await _ask(http, "10.1.1.1", hidden)  # three look-ups, one of them hidden twice
        assert first.status_code == 200
        assert first.headers["cache-control"] == "no-store"
        second = await _ask(http, "10.1.1.1", hidden)
        assert second.status_code == 429  # 3 + 3 > 4
        assert second.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
        one_more = await _ask(http, "10.1.1.1", "{ " + TRAINING + " }")
        assert one_more.status_code == 200  # the refused request spent nothing
