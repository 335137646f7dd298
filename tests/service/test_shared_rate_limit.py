"""Rate limits are one count for the whole registry, not one per process (issue 17, item 1):
two apps on one database (as two `registry serve` workers are) share every client's cost points
and personal look-ups."""

from __future__ import annotations

import httpx

from registry.settings import Settings
from registry.storage.db import Database
from tests.conftest import serving_with

COSTLY = "{ occupations(first: 10) { nodes { code } } }"  # 1 + 10 × 2 = 21 points
LOOK_UP = 'certificate(number: "Z350001261010000015", holderName: "张三") { number }'


async def _ask(url: str, client: str, query: str) -> httpx.Response:
    async with httpx.AsyncClient(base_url=url) as http:
        return await http.post(
            "/graphql", json={"query": query}, headers={"x-forwarded-for": client}
        )


async def test_points_spent_on_one_process_are_spent_on_the_other(
    db: Database, settings: Settings
) -> None:
    limits = {"rate_points": 50, "trust_forwarded_for": True}
    async with (
        serving_with(db, settings, **limits) as one,
        serving_with(db, settings, **limits) as two,
    ):
        assert (await _ask(one, "10.7.0.1", COSTLY)).status_code == 200
        second = await _ask(two, "10.7.0.1", COSTLY)
        assert second.status_code == 200
        assert second.headers["x-ratelimit-used"] == "42"
        over = await _ask(one, "10.7.0.1", COSTLY)  # 63 > 50, whichever process answers
        assert over.status_code == 429
        assert over.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
        also_over = await _ask(two, "10.7.0.1", COSTLY)
        assert also_over.status_code == 429
        assert also_over.headers["x-ratelimit-used"] == "42"
        # Another client is untouched by this one's spending.
        assert (await _ask(two, "10.7.0.2", COSTLY)).status_code == 200


async def test_personal_look_ups_are_one_allowance_across_processes(
    db: Database, settings: Settings
) -> None:
    limits = {"personal_lookups": 3, "trust_forwarded_for": True}
    async with (
        serving_with(db, settings, **limits) as one,
        serving_with(db, settings, **limits) as two,
    ):
        for url in (one, two, one):
            assert (await _ask(url, "10.7.1.1", "{ " + LOOK_UP + " }")).status_code == 200
        refused = await _ask(two, "10.7.1.1", "{ " + LOOK_UP + " }")
        assert refused.status_code == 429
        assert refused.json()["errors"][0]["extensions"]["code"] == "THROTTLED"
