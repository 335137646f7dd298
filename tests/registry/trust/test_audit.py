"""The hash-chained audit log on the real embedded database."""

from __future__ import annotations

import asyncio
import hashlib
import itertools
import json

import pytest
from bson import json_util
from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import ANONYMOUS, SYSTEM, Principal, Role
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.storage.transactions import in_transaction
from registry.trust import audit

REVIEWER = Principal(
    Role.PROVINCIAL_REVIEWER, "Guangdong HR", token_id="tok_0000beef", province="44"
)


async def _append_n(db: Database, count: int) -> list[audit.AuditEntry]:
    return [
        await audit.append(
            db,
            actor=SYSTEM,
            action="thing.update",
            entity=f"thing:{i}",
            before={"v": i},
            after={"v": i + 1},
        )
        for i in range(count)
    ]


async def test_an_entry_records_who_what_and_digests(fresh_db: Database) -> None:
    before = {"name": "x", "when": "2025-01-01"}
    entry = await audit.append(
        fresh_db,
        actor=REVIEWER,
        action="institution.recommend",
        entity="institution:1",
        before=before,
        after=None,
    )
    assert entry.seq == 1
    assert entry.prev_hash == audit.GENESIS_HASH
    assert entry.actor == "PROVINCIAL_REVIEWER:tok_0000beef@44"
    assert entry.role == "PROVINCIAL_REVIEWER"
    assert entry.after_digest is None
    canonical = json.dumps(before, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert entry.before_digest == hashlib.sha256(canonical.encode()).hexdigest()
    anonymous = await audit.append(
        fresh_db,
        actor=ANONYMOUS,
        action="objection.lodge",
        entity="institution:1",
        before=None,
        after={},
    )
    assert (anonymous.seq, anonymous.prev_hash) == (2, entry.hash)
    assert (anonymous.actor, anonymous.role) == ("public", None)


def test_digest_ignores_key_order_and_hashes_datetimes() -> None:
    import datetime as dt

    at = dt.datetime(2025, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    assert audit.digest({"a": 1, "b": at}) == audit.digest({"b": at, "a": 1})
    assert audit.digest({"a": 1}) != audit.digest({"a": 2})
    assert audit.digest(None) is None


async def test_no_personal_data_lands_in_the_log(fresh_db: Database) -> None:
    person = {"name": "张三", "id_number": "11010519491231002X"}
    await audit.append(
        fresh_db,
        actor=SYSTEM,
        action="certificate.issue",
        entity="certificate:C1",
        before=None,
        after=person,
    )
    stored = json_util.dumps(
        [doc async for doc in fresh_db[Collection.AUDIT_LOG].find({})], ensure_ascii=False
    )
    assert "11010519491231002X" not in stored
    assert "张三" not in stored
    person_digest = audit.digest(person)
    assert person_digest is not None and person_digest in stored


async def test_concurrent_appenders_make_one_unbroken_chain(fresh_db: Database) -> None:
    entries = await asyncio.gather(
        *(
            audit.append(
                fresh_db,
                actor=SYSTEM,
                action="thing.create",
                entity=f"thing:{i}",
                before=None,
                after={"i": i},
            )
            for i in range(20)
        )
    )
    assert sorted(e.seq for e in entries) == list(range(1, 21))
    stored = [doc async for doc in fresh_db[Collection.AUDIT_LOG].find({}).sort("seq", 1)]
    assert [doc["seq"] for doc in stored] == list(range(1, 21))
    # No fork: each hash is the prev_hash of exactly the next entry.
    assert len({doc["prev_hash"] for doc in stored}) == 20
    for previous, current in itertools.pairwise(stored):
        assert current["prev_hash"] == previous["hash"]
    head = await fresh_db[Collection.AUDIT_HEAD].find_one({})
    assert head is not None and (head["seq"], head["hash"]) == (20, stored[-1]["hash"])
    assert await audit.verify_chain(fresh_db) == audit.ChainReport(True, 20, None, None)


async def test_the_entry_commits_or_aborts_with_the_callers_change(fresh_db: Database) -> None:
    async def change(session: AsyncClientSession, fail: bool) -> None:
        await fresh_db.things.insert_one({"_id": "fail" if fail else "ok"}, session=session)
        await audit.append(
            fresh_db,
            actor=SYSTEM,
            action="thing.create",
            entity="thing:x",
            before=None,
            after={},
            session=session,
        )
        if fail:
            raise RuntimeError("the change fails after the audit entry")

    await in_transaction(fresh_db, lambda s: change(s, fail=False))
    with pytest.raises(RuntimeError):
        await in_transaction(fresh_db, lambda s: change(s, fail=True))
    assert await fresh_db.things.find_one({"_id": "fail"}) is None
    assert await fresh_db[Collection.AUDIT_LOG].count_documents({}) == 1
    assert (await audit.verify_chain(fresh_db)).ok


async def test_empty_log_verifies(fresh_db: Database) -> None:
    assert await audit.verify_chain(fresh_db) == audit.ChainReport(True, 0, None, None)


async def test_altered_content_is_named(fresh_db: Database) -> None:
    await _append_n(fresh_db, 5)
    await fresh_db[Collection.AUDIT_LOG].update_one({"seq": 3}, {"$set": {"actor": "someone-else"}})
    report = await audit.verify_chain(fresh_db)
    assert (report.ok, report.first_broken_seq, report.entries) == (False, 3, 2)
    assert report.reason is not None and "altered" in report.reason


async def test_a_rehashed_alteration_breaks_the_next_link(fresh_db: Database) -> None:
    await _append_n(fresh_db, 5)
    doc = await fresh_db[Collection.AUDIT_LOG].find_one({"seq": 2})
    assert doc is not None
    doc["action"] = "thing.delete"
    await fresh_db[Collection.AUDIT_LOG].update_one(
        {"seq": 2}, {"$set": {"action": "thing.delete", "hash": audit.entry_hash(doc)}}
    )
    report = await audit.verify_chain(fresh_db)
    assert report.first_broken_seq == 3
    assert report.reason is not None and "prev_hash" in report.reason


async def test_a_deleted_entry_is_a_gap(fresh_db: Database) -> None:
    await _append_n(fresh_db, 5)
    await fresh_db[Collection.AUDIT_LOG].delete_one({"seq": 4})
    report = await audit.verify_chain(fresh_db)
    assert (report.ok, report.first_broken_seq) == (False, 4)
    assert report.reason is not None and "missing" in report.reason


async def test_a_truncated_log_disagrees_with_the_head(fresh_db: Database) -> None:
    await _append_n(fresh_db, 5)
    await fresh_db[Collection.AUDIT_LOG].delete_one({"seq": 5})
    report = await audit.verify_chain(fresh_db)
    assert (report.ok, report.first_broken_seq, report.entries) == (False, 5, 4)
    assert report.reason is not None and "head" in report.reason


async def test_an_altered_head_is_named(fresh_db: Database) -> None:
    await _append_n(fresh_db, 3)
    await fresh_db[Collection.AUDIT_HEAD].update_one({}, {"$set": {"hash": "f" * 64}})
    report = await audit.verify_chain(fresh_db)
    assert (report.ok, report.first_broken_seq) == (False, 3)


async def test_appending_refuses_a_log_whose_head_is_gone(fresh_db: Database) -> None:
    await _append_n(fresh_db, 2)
    await fresh_db[Collection.AUDIT_HEAD].delete_many({})
    with pytest.raises(audit.AuditChainBroken) as caught:
        await _append_n(fresh_db, 1)
    assert caught.value.code == "AUDIT_CHAIN_BROKEN"
    assert await fresh_db[Collection.AUDIT_LOG].count_documents({}) == 2


async def test_a_head_behind_the_log_is_named_and_refuses_appends(fresh_db: Database) -> None:
    entries = await _append_n(fresh_db, 5)
    await fresh_db[Collection.AUDIT_HEAD].update_one(
        {}, {"$set": {"seq": 3, "hash": entries[2].hash}}
    )
    report = await audit.verify_chain(fresh_db)
    assert (report.ok, report.first_broken_seq) == (False, 4)
    with pytest.raises(audit.AuditChainBroken, match="entry 4 already exists"):
        await _append_n(fresh_db, 1)


async def test_a_session_outside_a_transaction_is_refused(fresh_db: Database) -> None:
    async with fresh_db.client.start_session() as session:
        with pytest.raises(RuntimeError, match="inside a transaction"):
            await audit.append(
                fresh_db,
                actor=SYSTEM,
                action="a",
                entity="e",
                before=None,
                after={},
                session=session,
            )
    assert await fresh_db[Collection.AUDIT_LOG].count_documents({}) == 0


async def test_entries_for_an_entity_newest_first(fresh_db: Database) -> None:
    for step in ("apply", "recommend", "audit"):
        await audit.append(
            fresh_db, actor=SYSTEM, action=step, entity="institution:A", before=None, after={}
        )
        await audit.append(
            fresh_db, actor=SYSTEM, action=step, entity="institution:B", before=None, after={}
        )
    found = await audit.entries_for(fresh_db, "institution:A", limit=2)
    assert [(e.action, e.entity) for e in found] == [
        ("audit", "institution:A"),
        ("recommend", "institution:A"),
    ]
