"""The long-list benchmark's client (scripts/bench/long_lists.py), run once against the test
server: the short request answers, the attack is refused before it runs. Its times are figures for
a quiet machine (docs/benchmarks.md), not asserted here."""

from __future__ import annotations

import asyncio

from registry.catalogue import reference_data as catalogue
from registry.settings import Settings
from registry.storage.db import Database
from scripts.bench.long_lists import measure
from tests.conftest import serving_with


async def test_the_bench_sends_the_attack_and_a_short_list(
    db: Database, settings: Settings
) -> None:
    await catalogue.seed_reference(db)
    async with serving_with(db, settings, rate_points=10**9) as url:
        timings = await asyncio.to_thread(measure, url, 1)
    assert (timings["short"].status, timings["short"].code) == (200, None)
    assert (timings["attack"].status, timings["attack"].code) == (422, "LIST_TOO_LONG")
    assert all(t.times and t.median >= 0 for t in timings.values())
