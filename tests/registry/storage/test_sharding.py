"""Every collection and index the registry writes has a sharding decision that a sharded cluster
would accept (registry/storage/sharding.py), and docs/deployment.md prints what the code says.

The list of collections and indexes is the code's own (`Collection`, `INDEXES`): a new
collection, or a new unique index that a sharded collection could not enforce, fails here."""

from __future__ import annotations

import dataclasses
import re

import pytest
from pymongo import ASCENDING, IndexModel

from registry.storage.collections import Collection
from registry.storage.indexes import INDEXES
from registry.storage.sharding import HASHED, SHARDING, Sharded, Unsharded, violations
from scripts import deployment_tables


def test_every_collection_and_index_passes_the_sharded_limits() -> None:
    assert violations(SHARDING, INDEXES) == []


def test_a_collection_without_a_decision_fails() -> None:
    plan = {c: d for c, d in SHARDING.items() if c is not Collection.AUDIT_LOG}
    assert violations(plan, INDEXES) == ["audit_log: no sharding decision"]


def test_a_unique_index_on_a_collection_sharded_by_a_hashed_key_fails() -> None:
    # The audit chain's seq_unique could not hold if the chain were spread by hashed _id.
    plan = {**SHARDING, Collection.AUDIT_LOG: Sharded((("_id", HASHED),), "attack")}
    [problem] = violations(plan, INDEXES)
    assert problem.startswith("audit_log: unique index seq_unique on a collection sharded by")


def test_a_unique_index_not_prefixed_by_a_ranged_shard_key_fails() -> None:
    plan = {
        **SHARDING,
        Collection.OCCUPATIONS: Sharded((("field", ASCENDING),), "attack", id_unique="x"),
    }
    [problem] = violations(plan, INDEXES)
    assert "codes_all_unique does not start with the shard key field" in problem


def test_a_unique_index_prefixed_by_the_ranged_key_passes() -> None:
    plan = {**SHARDING, Collection.STATUS_LISTS: Sharded((("seq", ASCENDING),), "ranged", "seq")}
    assert violations(plan, INDEXES) == []


def test_a_new_unique_index_on_a_sharded_collection_fails() -> None:
    """The next feature adds a unique index to certificates: the record must change with it."""
    extra = IndexModel([("holder", ASCENDING)], unique=True, name="holder_unique")
    indexes = {**INDEXES, Collection.CERTIFICATES: [*INDEXES[Collection.CERTIFICATES], extra]}
    [problem] = violations(SHARDING, indexes)
    assert problem.startswith("certificates: unique index holder_unique")


def test_a_key_other_than_id_must_say_why_id_stays_unique() -> None:
    results = SHARDING[Collection.RESULTS]
    assert isinstance(results, Sharded)
    plan = {**SHARDING, Collection.RESULTS: dataclasses.replace(results, id_unique="")}
    [problem] = violations(plan, INDEXES)
    assert "does not say why equal _ids share a shard" in problem


def test_a_shard_key_no_index_starts_with_fails() -> None:
    plan = {**SHARDING, Collection.TRAINEES: Sharded((("cohrot", HASHED),), "typo", "x")}
    [problem] = violations(plan, INDEXES)
    assert "no index starts with the shard key's cohrot" in problem


def test_every_decision_gives_a_reason() -> None:
    assert all(d.why.strip() for d in SHARDING.values())
    assert all(isinstance(d, Sharded | Unsharded) for d in SHARDING.values())


def test_no_join_across_collections() -> None:
    """`$lookup` from a sharded collection has its own limits; the registry joins in Python.
    A new `$lookup` or `$graphLookup` must be recorded in docs/deployment.md first."""
    pattern = re.compile(r"\$(lookup|graphLookup)\b")
    found = [
        str(path.relative_to(deployment_tables.ROOT))
        for package in deployment_tables.SOURCES
        for path in (deployment_tables.ROOT / package).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert found == []


def test_the_change_streams_found_are_the_look_up_cache() -> None:
    assert deployment_tables.watched() == {Collection.CERTIFICATES}


def test_the_change_stream_scan_finds_a_new_watch() -> None:
    text = "async with await db[Collection.TRAINEES].watch([]) as stream:"
    assert deployment_tables._WATCH.findall(text) == ["TRAINEES"]


@pytest.mark.parametrize("name", sorted(deployment_tables.TABLES))
def test_docs_deployment_prints_the_code(name: str) -> None:
    page = deployment_tables.PAGE.read_text(encoding="utf-8")
    block = re.search(rf"<!-- generated: {name} -->\n(.*?)\n<!-- end: {name} -->", page, flags=re.S)
    assert block is not None, f"docs/deployment.md has no generated {name} table"
    assert block.group(1) == deployment_tables.TABLES[name](), (
        "run: .venv/bin/python -m scripts.deployment_tables --write"
    )


def test_every_index_is_in_the_page() -> None:
    page = deployment_tables.PAGE.read_text(encoding="utf-8")
    for collection, models in INDEXES.items():
        for model in models:
            assert f"| `{collection}` | `{model.document['name']}` |" in page
