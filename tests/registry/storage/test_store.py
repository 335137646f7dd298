"""The audited store and idempotent creation, against the real embedded database."""

from __future__ import annotations

import asyncio
import datetime as dt
from enum import StrEnum

import pytest
from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal, Role
from registry.errors import Conflict, NotFound
from registry.problems import Rejected
from registry.storage import idempotency, store
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.storage.transactions import in_transaction
from registry.storage.transitions import TransitionTable, transition

AT = dt.datetime(2026, 12, 1, 8, 0, tzinfo=dt.UTC)
OFFICE = Principal(Role.OFFICE_ADMIN, "office", token_id="t1")
OTHER = Principal(Role.OFFICE_ADMIN, "office 2", token_id="t2")
KIND = store.Kind(Collection.SUPERVISION_CAMPAIGNS, "thing", "things", "THING_NOT_FOUND", "thingId")


class State(StrEnum):
    OPEN = "OPEN"
    CLOSED = "CLOSED"


class Act(StrEnum):
    CLOSE = "close"
    REOPEN = "reopen"


TABLE = TransitionTable(
    "thing",
    [
        transition(Act.CLOSE, {State.OPEN}, State.CLOSED, {Role.OFFICE_ADMIN}, "closes"),
        transition(Act.REOPEN, {State.CLOSED}, State.OPEN, {Role.OFFICE_ADMIN}, "reopens"),
    ],
)


async def _new(db: Database, key: str) -> None:
    await db[KIND.collection].insert_one(
        {"_id": key, "status": "OPEN", "history": [], "revision": 1}
    )


async def _audit(db: Database, key: str) -> list[str]:
    cursor = db[Collection.AUDIT_LOG].find({"entity": f"thing:{key}"}).sort("seq", 1)
    return [e["action"] async for e in cursor]


async def test_a_transition_writes_record_history_and_audit_together(db: Database) -> None:
    await _new(db, "a")
    doc = await store.apply_transition(
        db, KIND, TABLE, OFFICE, "a", Act.CLOSE, at=AT, reason="done"
    )
    assert doc["status"] == "CLOSED" and doc["revision"] == 2
    stored = await db[KIND.collection].find_one({"_id": "a"})
    assert stored is not None and stored["status"] == "CLOSED" and stored["revision"] == 2
    assert stored["history"] == [
        {
            "at": AT,
            "action": "close",
            "from": "OPEN",
            "to": "CLOSED",
            "actor": OFFICE.actor,
            "reason": "done",
        }
    ]
    assert await _audit(db, "a") == ["things.close"]


async def test_a_retry_by_the_same_caller_changes_nothing(db: Database) -> None:
    await _new(db, "b")
    first = await store.apply_transition(db, KIND, TABLE, OFFICE, "b", Act.CLOSE, at=AT)
    again = await store.apply_transition(db, KIND, TABLE, OFFICE, "b", Act.CLOSE, at=AT)
    assert again["revision"] == first["revision"] == 2
    assert await _audit(db, "b") == ["things.close"]
    # Another caller asking for the same move is not a retry: the state forbids it.
    with pytest.raises(Rejected) as refused:
        await store.apply_transition(db, KIND, TABLE, OTHER, "b", Act.CLOSE, at=AT)
    assert refused.value.code == "ILLEGAL_TRANSITION" and refused.value.field == "status"
    assert "needs OPEN" in refused.value.message


async def test_the_policy_sees_the_record_and_can_refuse_before_anything_is_written(
    db: Database,
) -> None:
    await _new(db, "c")

    def refuse(doc: dict[str, object]) -> None:
        assert doc["_id"] == "c"
        raise Conflict("refused by policy")

    with pytest.raises(Conflict):
        await store.apply_transition(
            db, KIND, TABLE, OFFICE, "c", Act.CLOSE, at=AT, authorize=refuse
        )
    stored = await db[KIND.collection].find_one({"_id": "c"})
    assert stored is not None and stored["status"] == "OPEN" and stored["revision"] == 1
    assert await _audit(db, "c") == []


async def test_missing_record_is_not_found_with_the_kinds_code(db: Database) -> None:
    with pytest.raises(NotFound) as missing:
        await store.apply_transition(db, KIND, TABLE, OFFICE, "nope", Act.CLOSE, at=AT)
    assert missing.value.code == "THING_NOT_FOUND" and missing.value.field == "thingId"


async def test_a_stale_revision_is_a_conflict_and_writes_nothing(db: Database) -> None:
    await _new(db, "d")
    before = await db[KIND.collection].find_one({"_id": "d"})
    assert before is not None
    await store.apply_transition(db, KIND, TABLE, OFFICE, "d", Act.CLOSE, at=AT)
    client = db.client
    async with client.start_session() as session:
        with pytest.raises(Conflict) as stale:
            await session.with_transaction(
                lambda s: store.save(db, KIND, OFFICE, "edit", before, {**before, "x": 1}, s)
            )
    assert stale.value.code == "CONFLICT"
    stored = await db[KIND.collection].find_one({"_id": "d"})
    assert stored is not None and "x" not in stored and stored["revision"] == 2


async def test_changes_are_computed_inside_and_stored_with_the_move(db: Database) -> None:
    await _new(db, "e")

    async def closing(doc: dict[str, object], session: object) -> dict[str, object]:
        return {"closed_on": "2026-12-01"}

    doc = await store.apply_transition(
        db, KIND, TABLE, OFFICE, "e", Act.CLOSE, at=AT, changes=closing
    )
    assert doc["closed_on"] == "2026-12-01"


def test_a_table_refuses_an_action_declared_twice() -> None:
    move = transition(Act.CLOSE, {State.OPEN}, State.CLOSED, {Role.OFFICE_ADMIN}, "x")
    with pytest.raises(ValueError, match="declared twice"):
        TransitionTable("thing", [move, move])
    assert TABLE.actions_from(State.OPEN) == [Act.CLOSE]
    assert TABLE.actions_from(State.CLOSED) == [Act.REOPEN]


def _builder(record_id: str, digest: str, calls: list[int]) -> idempotency.Build:
    async def build(session: object) -> dict[str, object]:
        calls.append(1)
        return {"_id": record_id, "digest": digest, "status": "OPEN", "history": []}

    return build


async def test_create_once_answers_a_retry_with_the_first_record(db: Database) -> None:
    rid = idempotency.key_id("thg_", "scope", "key-00001")
    calls: list[int] = []
    first = await idempotency.create_once(
        db, KIND, OFFICE, rid, "d1", _builder(rid, "d1", calls), action="create"
    )
    again = await idempotency.create_once(
        db, KIND, OFFICE, rid, "d1", _builder(rid, "d1", calls), action="create"
    )
    assert (first.replayed, again.replayed) == (False, True)
    assert again.document == first.document and first.document["revision"] == 1
    assert calls == [1]  # the retry built nothing
    assert await _audit(db, rid) == ["things.create"]
    with pytest.raises(Rejected) as reused:
        await idempotency.create_once(
            db, KIND, OFFICE, rid, "d2", _builder(rid, "d2", calls), action="create"
        )
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED" and reused.value.field == "idempotencyKey"


async def test_concurrent_creates_with_one_key_make_one_record(db: Database) -> None:
    rid = idempotency.key_id("thg_", "scope", "key-racing")
    calls: list[int] = []
    outcomes = await asyncio.gather(
        *(
            idempotency.create_once(
                db, KIND, OFFICE, rid, "d", _builder(rid, "d", calls), action="create"
            )
            for _ in range(8)
        )
    )
    assert sum(not o.replayed for o in outcomes) == 1
    assert await db[KIND.collection].count_documents({"_id": rid}) == 1
    assert await _audit(db, rid) == ["things.create"]


def test_keys_are_scoped_and_checked() -> None:
    assert idempotency.key_id("p_", "A", "key-1234") != idempotency.key_id("p_", "B", "key-1234")
    assert idempotency.key_id("p_", "A", " key-1234 ") == idempotency.key_id("p_", "A", "key-1234")
    assert idempotency.clean_key("  12345678 ") == "12345678"
    for bad in ("", "1234567", "x" * 101, None):
        with pytest.raises(Rejected) as refused:
            idempotency.clean_key(bad)
        assert refused.value.code == "INVALID_IDEMPOTENCY_KEY"


async def test_a_record_written_without_revision_is_saved_once_then_revision_checked(
    db: Database,
) -> None:
    # Records inserted in bulk (published certificates) carry no revision until their first save.
    await db[KIND.collection].insert_one({"_id": "bulk", "status": "OPEN"})
    stale = await store.load(db, KIND, "bulk")
    doc = await store.apply_transition(db, KIND, TABLE, OFFICE, "bulk", Act.CLOSE, at=AT)
    assert doc["status"] == "CLOSED" and doc["revision"] == 1
    # `stale` was read before that save: replacing it now would undo the transition.

    async def late(session: AsyncClientSession) -> None:
        await store.save(db, KIND, OTHER, "close", stale, {**stale, "x": 1}, session)

    with pytest.raises(Conflict):
        await in_transaction(db, late)
    assert (await store.load(db, KIND, "bulk"))["status"] == "CLOSED"


async def test_earlier_answers_a_retry_before_any_work(db: Database) -> None:
    rid = idempotency.key_id("thg_", "scope", "key-earlier")
    assert await idempotency.earlier(db, KIND, rid, "d1") is None
    first = await idempotency.create_once(
        db, KIND, OFFICE, rid, "d1", _builder(rid, "d1", []), action="create"
    )
    retry = await idempotency.earlier(db, KIND, rid, "d1")
    assert retry is not None and retry.replayed and retry.document == first.document
    with pytest.raises(Rejected) as reused:
        await idempotency.earlier(db, KIND, rid, "d2")
    assert reused.value.code == "IDEMPOTENCY_KEY_REUSED"
