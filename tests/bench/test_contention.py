"""The submit-lookup benchmark's arithmetic (percentiles, one row per candidate, the verdict)
and its client of the large-batch path."""

from __future__ import annotations

import asyncio
import datetime as dt
import random

from registry.access.auth import Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.institutions.model import ScopeEntry
from registry.settings import Settings
from registry.storage.db import Database
from scripts.bench import config, contention
from scripts.bench.benches import _rows
from scripts.bench.contention import _result, _unique, percentile
from tests.conftest import serving_with
from tests.factories import listed_institution, make_id_number, make_tokens, make_uscc


def test_percentiles_of_the_latencies() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 51.0
    assert percentile(values, 0.99) == 100.0
    assert percentile([], 0.99) != percentile([], 0.99)  # NaN: nothing measured


def test_rows_are_one_per_candidate_occupation_and_level() -> None:
    scope = [ScopeEntry("2-02-38-01", None, 1)]
    rows = _rows(random.Random(1), "35", scope, 50, 1.0)
    rows.append(rows[0])
    kept = _unique(rows)
    assert len(kept) == len({(r.id_number, r.occupation, r.level) for r in rows})


def test_the_target_is_two_times_idle_and_a_failed_submission_fails_it() -> None:
    cfg = config.parse(["--only", "submit-lookup"], env={})
    ok = {"status": "SUBMITTED"}  # the batch went through its parts and the binder
    assert _result(cfg, [0.010] * 100, [0.019] * 100, 60.0, ok).met
    assert not _result(cfg, [0.010] * 100, [0.021] * 100, 60.0, ok).met
    for failed in ({"error": "BATCH_PART_CONFLICT"}, {"status": "EXPIRED"}):
        assert not _result(cfg, [0.010] * 100, [0.010] * 100, 60.0, failed).met


async def test_the_bench_submits_a_batch_in_parts_within_the_default_limits(
    db: Database, settings: Settings
) -> None:
    """The bench's own client, on a few rows (the bench sends 5,000; not run on the shared
    machine): open, parts of `PART_ROWS`, close, and the binder brings it to SUBMITTED."""
    await catalogue.seed_reference(db)
    uscc = make_uscc(850)
    await listed_institution(db, uscc, filed="2025-01-06")
    token = (await make_tokens(db, {"inst": (Role.EVALUATION_INSTITUTION, uscc, None)}))["inst"]
    rng = random.Random(85)
    rows = [
        {
            "name": f"考生{i}",
            "idNumber": make_id_number(rng),
            "occupation": "2-02-38-01",
            "level": "JUNIOR",
            "theoryScore": 90,
            "skillScore": 90,
        }
        for i in range(5)
    ]
    exam = (clock.today() - dt.timedelta(days=4)).isoformat()
    batch = {"idempotencyKey": "bench-parts-01", "examDate": exam, "results": rows}
    async with serving_with(db, settings) as url:
        status = await asyncio.to_thread(contention.submit_in_parts, url, token, batch)
    assert status == "SUBMITTED"
    assert await db.results.count_documents({"binding": {"$ne": None}}) == 5
