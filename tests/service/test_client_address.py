"""Whom a request's spending is charged to cannot be chosen by the client: not by writing
`X-Forwarded-For` when no proxy is trusted (uvicorn would believe it from any loopback peer),
nor by writing hops to the left of the one a trusted proxy adds (the outside attack of
2026-12-05: forty look-ups through a 30-an-hour allowance)."""

from __future__ import annotations

import httpx

from registry.settings import Settings
from registry.storage.db import Database
from tests.conftest import serving_with

LOOK_UP = '{ certificate(number: "Z350001261010000015", holderName: "张三") { number } }'
ALLOWANCE = 3


async def _codes(url: str, headers: list[dict[str, str]]) -> list[int]:
    async with httpx.AsyncClient(base_url=url) as http:
        return [
            (await http.post("/graphql", json={"query": LOOK_UP}, headers=h)).status_code
            for h in headers
        ]


async def test_without_a_trusted_proxy_the_header_names_nobody(
    db: Database, settings: Settings
) -> None:
    async with serving_with(db, settings, personal_lookups=ALLOWANCE) as url:
        forged = [{"x-forwarded-for": f"10.0.0.{i}"} for i in range(ALLOWANCE + 2)]
        assert await _codes(url, forged) == [200] * ALLOWANCE + [429, 429]


async def test_behind_a_proxy_only_the_hop_it_adds_counts(db: Database, settings: Settings) -> None:
    async with serving_with(
        db, settings, personal_lookups=ALLOWANCE, trust_forwarded_for=True
    ) as url:
        # The proxy appends the address it saw (10.9.9.9); the client wrote the rest.
        forged = [{"x-forwarded-for": f"10.0.0.{i}, 10.9.9.9"} for i in range(ALLOWANCE + 1)]
        assert await _codes(url, forged) == [200] * ALLOWANCE + [429]
        # Another client behind the same proxy has its own allowance.
        assert await _codes(url, [{"x-forwarded-for": "10.0.0.1, 10.9.9.8"}]) == [200]
