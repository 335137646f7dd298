"""The store's hooks for workflows with their own retry rule, records older than the store,
audit entities named by another field, and keys that are a record's identity."""

from __future__ import annotations

import pytest

from registry.errors import Conflict
from registry.problems import Rejected, reject
from registry.storage import idempotency, store
from registry.storage.collections import Collection
from registry.storage.db import Database
from tests.registry.storage.test_store import AT, KIND, OFFICE, OTHER, TABLE, Act, _audit, _new

REPORTS = store.Kind(
    Collection.SUPERVISION_CAMPAIGNS, "owner", "owned", "X", "x", entity_key="owner"
)


async def test_a_precheck_answers_a_retry_by_the_workflows_own_rule(db: Database) -> None:
    await _new(db, "p1")
    await store.apply_transition(db, KIND, TABLE, OFFICE, "p1", Act.CLOSE, at=AT)
    # Another caller: not a retry by default, a retry by a rule that ignores the caller.
    again = await store.apply_transition(
        db, KIND, TABLE, OTHER, "p1", Act.CLOSE, at=AT, precheck=lambda d: d["status"] == "CLOSED"
    )
    assert again["revision"] == 2
    assert await _audit(db, "p1") == ["things.close"]


async def test_a_precheck_raises_the_workflows_own_refusal(db: Database) -> None:
    await _new(db, "p2")

    def refuse(doc: dict[str, object]) -> bool:
        raise reject("seed", "ALREADY_DONE", "done already")

    with pytest.raises(Rejected) as refused:
        await store.apply_transition(
            db, KIND, TABLE, OFFICE, "p2", Act.CLOSE, at=AT, precheck=refuse
        )
    assert refused.value.code == "ALREADY_DONE"
    stored = await db[KIND.collection].find_one({"_id": "p2"})
    assert stored is not None and stored["revision"] == 1 and stored["status"] == "OPEN"


async def test_a_record_without_revision_is_saved_once_as_revision_one(db: Database) -> None:
    await db[KIND.collection].insert_one({"_id": "legacy", "status": "OPEN", "history": []})
    before = await db[KIND.collection].find_one({"_id": "legacy"})
    assert before is not None

    async def edit(session: object) -> dict[str, object]:
        return await store.save(db, KIND, OFFICE, "edit", before, {**before, "x": 1}, session)  # type: ignore[arg-type]

    async with db.client.start_session() as session:
        saved = await session.with_transaction(edit)
    assert saved["revision"] == 1
    async with db.client.start_session() as session:
        with pytest.raises(Conflict):
            await session.with_transaction(edit)  # `before` is stale now


async def test_the_audit_entity_can_be_named_by_another_field(db: Database) -> None:
    async def add(session: object) -> dict[str, object]:
        doc = {"_id": "r:2026", "owner": "ORG1"}
        return await store.insert(db, REPORTS, OFFICE, "plan", doc, session)  # type: ignore[arg-type]

    async with db.client.start_session() as session:
        await session.with_transaction(add)
    entry = await db[Collection.AUDIT_LOG].find_one({"action": "owned.plan"})
    assert entry is not None and entry["entity"] == "owner:ORG1"


async def test_a_key_that_is_the_records_identity_refuses_other_content_by_its_own_code(
    db: Database,
) -> None:
    rid = "finding:1"

    def build(digest: str) -> idempotency.Build:
        async def make(session: object) -> dict[str, object]:
            return {"_id": rid, "digest": digest}

        return make

    await idempotency.create_once(db, KIND, OFFICE, rid, "a", build("a"), action="create")
    exists = reject("institution", "FINDING_EXISTS", "final")
    with pytest.raises(Rejected) as refused:
        await idempotency.create_once(
            db, KIND, OFFICE, rid, "b", build("b"), action="create", conflict=exists
        )
    assert refused.value.code == "FINDING_EXISTS"
    with pytest.raises(Rejected) as default:
        await idempotency.create_once(db, KIND, OFFICE, rid, "b", build("b"), action="create")
    assert default.value.code == "IDEMPOTENCY_KEY_REUSED"


def test_a_key_id_keeps_the_length_it_was_made_with() -> None:
    short = idempotency.key_id("cmp_", "office", "key-1234", length=16)
    assert len(short) == 4 + 16
    assert idempotency.key_id("cmp_", "office", "key-1234").startswith(short)
