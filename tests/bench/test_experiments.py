"""The floor experiment (`scripts.bench.experiments writes`): batches shaped like real ones, and
every rung doing its whole work on every document, the counters moved as the store moves them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from registry.reports import counters
from registry.storage.collections import Collection
from registry.storage.db import Database
from scripts.bench import experiments, seed
from tests.bench.test_seed import NUMBER, _template

OTHER = "Z440011261060000018"  # another institution's number (Guangdong)


def _certificate(number: str) -> dict[str, Any]:
    return {
        **_template(),
        "_id": number,
        "institution": "91440101DTE0002X" if number == OTHER else "91110108DTE000110X",
        "field": "06",
        "occupation": "2-02-10-09",
        "published_at": dt.datetime(2026, 11, 26, tzinfo=dt.UTC),
    }


def _cloner() -> seed.Cloner:
    return seed.Cloner([_certificate(NUMBER), _certificate(OTHER)])


def test_each_batch_comes_from_one_template_and_every_number_is_new() -> None:
    docs = experiments._batches(_cloner(), 1000, 200)
    assert len(docs) == 1000 and len({d["_id"] for d in docs}) == 1000
    batches: dict[str, set[str]] = {}
    for d in docs:
        batches.setdefault(d["batch"], set()).add(d["institution"])
    assert len(batches) == 5
    assert all(len(institutions) == 1 for institutions in batches.values())
    # Consecutive batches come from the templates in turn.
    assert [next(iter(batches[b])) for b in sorted(batches)][:2] == [
        "91110108DTE000110X",
        "91440101DTE0002X",
    ]


def test_a_result_row_is_the_certificates_own() -> None:
    doc = experiments._batches(_cloner(), 3, 3)[2]
    row = experiments._result_row({"passed": True, "level": 1}, doc, 2)
    assert row["_id"] == f"{doc['batch']}:1:2" and row["row"] == 2 and row["current"] is True
    assert (row["certificate"], row["name"], row["id_hash"]) == (
        doc["_id"],
        doc["name"],
        doc["id_hash"],
    )


@pytest.mark.parametrize("batch", [4, 12])
async def test_a_round_runs_every_rung_over_every_document(db: Database, batch: int) -> None:
    docs = experiments._batches(_cloner(), 12, batch)
    template = {"passed": True, "level": 1, "exam_date": "2026-10-01", "occupation": "2-02-10-09"}
    await db[Collection.RESULTS].delete_many({})
    await db[Collection.RESULTS].insert_many(
        [experiments._result_row(template, d, i % batch) for i, d in enumerate(docs)]
    )
    rungs = {"baseline insert_many": experiments._baseline}
    rungs.update({n: experiments._transactions(s) for n, s in experiments.LADDER.items()})

    spent = await experiments._round(db, rungs, docs, batch)

    assert set(spent) == set(rungs) and all(s > 0 for s in spent.values())
    for k in range(len(rungs)):  # `_round` checked the counts; the documents are the same
        stored = await db[f"exp_{k}_certificates"].distinct("_id")
        assert sorted(stored) == sorted(d["_id"] for d in docs)
    # Only the last rung counts, once per certificate: every holder is one new person.
    groups, people = await counters.read(db)
    issued = sum(g["counts"].get("certificates_issued", 0) for g in groups)
    assert issued == 12 and people == {2026: 12}
