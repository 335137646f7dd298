"""The submit-lookup benchmark's arithmetic: percentiles, one row per candidate, the verdict."""

from __future__ import annotations

import random

from registry.institutions.model import ScopeEntry
from scripts.bench import config
from scripts.bench.benches import _rows
from scripts.bench.contention import _result, _unique, percentile


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
    ok = {"data": {"submitAssessmentBatch": {"batch": {"batchId": "b"}, "userErrors": []}}}
    assert _result(cfg, [0.010] * 100, [0.019] * 100, 60.0, ok).met
    assert not _result(cfg, [0.010] * 100, [0.021] * 100, 60.0, ok).met
    refused = {"data": {"submitAssessmentBatch": {"batch": None, "userErrors": [{"code": "X"}]}}}
    assert not _result(cfg, [0.010] * 100, [0.010] * 100, 60.0, refused).met
