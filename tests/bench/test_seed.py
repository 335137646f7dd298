"""Seeding for the lookup benchmarks: clones keep the real shape, and a bulk load with the
indexes built afterwards leaves exactly the service's indexes behind."""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import bson
import pytest

from registry.certificates import numbers
from registry.storage.db import Database
from registry.storage.indexes import INDEXES
from scripts.bench import seed

NUMBER = "Z110011261060000011"
PROOF = "zVPu39YXLhJyaY2MDeTiZV2pYQyHkeoiPk6M2aErABpekdU5LoBN347mZUShmY9Uzk8kEVtTtqk6p1heDU1JqTPJ"


def _template() -> dict[str, Any]:
    binding = {
        "type": "Argon2idCommitment",
        "algorithm": "argon2id",
        "salt": "UqP7qE0z1WKna7cDHZuG1w",
        "digest": "QzxF8ZIXO2FSm3zMiacI89S97iE3oAd3bPdEPpxr-Rc",
    }
    status_list = "http://127.0.0.1:8000/status/1"
    return {
        "_id": NUMBER,
        "batch": "bat_6cf52010040caf2df59c",
        "institution": "91110108DTE000110X",
        "name": "马宇",
        "id_hash": "30" * 32,
        "level": 1,
        "binding": binding,
        "status": "PUBLISHED",
        "published_at": dt.datetime(2026, 11, 26, tzinfo=dt.UTC),
        "credential": {
            "id": "urn:dte:certificate:" + NUMBER,
            "credentialSubject": {
                "name": "马宇",
                "holderBinding": binding,
                "certificate": {"number": NUMBER, "field": "06"},
            },
            "credentialStatus": {
                "id": status_list + "#74707",
                "statusListIndex": "74707",
                "statusListCredential": status_list,
            },
            "proof": {"type": "DataIntegrityProof", "proofValue": PROOF},
        },
        "status_ref": {"list_id": "1", "index": 74707},
    }


def test_clones_keep_the_shape_and_size_of_their_template() -> None:
    cloner = seed.Cloner([_template()])
    # A clone is not in the transparency log: it keeps no leaf index of its template's.
    assert "log_index" not in seed.Cloner([{**_template(), "log_index": 7}]).make(0)
    size = len(bson.encode(_template()))
    seen = set()
    for i in (0, 1, 2, 899_999, 900_000, 12_345_678):
        doc = cloner.make(i)
        assert numbers.parse(doc["_id"]) is not None  # a valid number, check character included
        assert (
            doc["_id"]
            == cloner.number(i)
            == doc["credential"]["credentialSubject"]["certificate"]["number"]
        )
        assert doc["name"] == cloner.name(i)
        proof = doc["credential"]["proof"]["proofValue"]
        assert re.fullmatch(r"z[1-9A-HJ-NP-Za-km-z]{87}", proof)
        assert len(doc["id_hash"]) == 64
        # Only the name's length (one or two given names) may change the size.
        assert abs(len(bson.encode(doc)) - size) <= 12
        seen.add(doc["_id"])
    assert len(seen) == 6


async def _clean(db: Database) -> None:
    await db.certificates.delete_many({})
    await db.certificates.create_indexes(INDEXES["certificates"])


async def test_indexes_built_after_the_load_are_the_services(db: Database) -> None:
    await _clean(db)
    cloner = seed.Cloner([_template()])
    report = await seed.seed_clones(db, cloner, 0, 250, chunk=100, indexes_after=True)
    assert (report.start, report.reached) == (0, 250)
    assert report.indexed_docs == 250 and report.index_s > 0
    assert await db.certificates.count_documents({}) == 250
    expected = {m.document["name"]: m.document["key"] for m in INDEXES["certificates"]}
    info = await db.certificates.index_information()
    assert {name: dict(v["key"]) for name, v in info.items() if name != "_id_"} == {
        name: dict(key) for name, key in expected.items()
    }
    # The secondary indexes hold every document.
    doc = cloner.make(123)
    found = await db.certificates.find_one({"id_hash": doc["id_hash"]}, hint="id_hash")
    assert found is not None and found["_id"] == doc["_id"]
    assert (
        await db.certificates.count_documents({"status": "PUBLISHED"}, hint="status_published")
        == 250
    )

    more = await seed.seed_clones(db, cloner, 250, 400, chunk=100, indexes_after=False)
    assert (more.reached, more.index_s) == (400, 0.0)
    assert await seed.secondary_indexes(db) == sorted(seed.CERTIFICATE_INDEXES)


async def test_a_deadline_leaves_room_for_the_index_build(db: Database) -> None:
    await _clean(db)
    cloner = seed.Cloner([_template()])
    # The build of what is there would not end in time: nothing is inserted, indexes are back.
    report = await seed.seed_clones(
        db, cloner, 0, 1000, chunk=100, deadline=time.monotonic() + 1.0, index_docs_per_s=50.0
    )
    assert report.reached == 0
    assert await seed.secondary_indexes(db) == sorted(seed.CERTIFICATE_INDEXES)
    # Room for a few hundred: it stops early, at a chunk boundary.
    report = await seed.seed_clones(
        db, cloner, 0, 100_000, chunk=100, deadline=time.monotonic() + 5.0, index_docs_per_s=200.0
    )
    assert 0 < report.reached < 100_000 and report.reached % 100 == 0
    assert await db.certificates.count_documents({}) == report.reached
    assert await seed.secondary_indexes(db) == sorted(seed.CERTIFICATE_INDEXES)


def test_seeding_settings() -> None:
    from scripts.bench import config

    cfg = config.parse([], env={})
    assert (cfg.seed_indexes, cfg.seed_in_flight) == ("after", 2)
    assert config.parse(["--seed-indexes", "before"], env={}).seed_indexes == "before"
    assert config.parse([], env={"BENCH_SEED_INDEX_RATE": "900"}).seed_index_rate == 900.0
    with pytest.raises(SystemExit):
        config.parse(["--seed-indexes", "never"], env={})
