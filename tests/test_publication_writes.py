"""How publication writes a batch's certificates (one delete of the PENDING documents, one
insert of the published ones, in the batch's transaction): the published documents are exactly
what the former per-certificate `$set` made, a certificate changed concurrently stops the
publication with Conflict and nothing written, a failure while signing writes nothing, and
publishing a PUBLISHED batch again changes nothing. On the real embedded database."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
from typing import Any

import bson
import pytest
from pymongo import UpdateOne
from pymongo.asynchronous.client_session import AsyncClientSession

from registry import catalogue, clock
from registry.auth import Principal, Role
from registry.certificates import publication, review
from registry.certificates.submission import submit
from registry.certificates.validation import BatchInput, ResultInput
from registry.db import Database, Document
from registry.errors import Conflict
from registry.personal import PersonalData
from registry.settings import Settings
from registry.transactions import in_transaction
from tests.factories import listed_institution, make_id_number, make_uscc

USCC = make_uscc(610)
OFFICE = Principal(Role.OFFICE_ADMIN, "o", "writes-office")
FIELDS = ("status", "published_at", "credential", "status_ref")


@pytest.fixture(scope="module", autouse=True)
async def institution(db: Database) -> None:
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")


async def reviewed_batch(db: Database, settings: Settings, name: str, rows: int) -> str:
    rng = random.Random(name)
    results = [
        ResultInput(f"考生{i}", make_id_number(rng), "2-02-38-01", 1 + i % 2, 90, 85)
        for i in range(rows)
    ]
    me = Principal(Role.EVALUATION_INSTITUTION, "t", "writes-inst", institution=USCC)
    exam = clock.today() - dt.timedelta(days=3)
    outcome = await submit(
        db, me, BatchInput(name, exam, results), PersonalData(settings.master_key())
    )
    bid: str = outcome.batch["_id"]
    await review.approve_province(
        db, Principal(Role.PROVINCIAL_REVIEWER, "p", "wp", province="35"), bid
    )
    await review.check_cettic(db, Principal(Role.CETTIC_REVIEWER, "c", "wc"), bid)
    return bid


async def certificates(db: Database, bid: str) -> list[Document]:
    return [c async for c in db.certificates.find({"batch": bid}).sort("_id", 1)]


async def publish(db: Database, settings: Settings, bid: str) -> Document:
    return await publication.publish(
        db, OFFICE, bid, master_key=settings.master_key(), base_url=settings.base_url
    )


async def test_published_documents_are_exactly_what_the_update_made(
    db: Database, settings: Settings
) -> None:
    bid = await reviewed_batch(db, settings, "writes-batch-01", 12)
    pending = await certificates(db, bid)
    assert len(pending) == 12 and {c["status"] for c in pending} == {"PENDING"}
    # A copy of the pending documents, to apply the former per-certificate update to.
    former = db["writes_former_update"]
    await former.insert_many(pending)

    done = await publish(db, settings, bid)
    assert done["status"] == "PUBLISHED"
    published = await certificates(db, bid)
    await former.bulk_write(
        [
            UpdateOne(
                {"_id": c["_id"], "status": "PENDING"},
                {"$set": {field: c[field] for field in FIELDS}},
            )
            for c in published
        ]
    )
    updated = [c async for c in former.find({}).sort("_id", 1)]
    assert [c["_id"] for c in updated] == [c["_id"] for c in published]
    for new, old in zip(published, updated, strict=True):
        # Byte for byte: the same fields, values and field order.
        assert bson.encode(new) == bson.encode(old), new["_id"]
        assert new["status"] == "PUBLISHED" and new["credential"]["proof"]
    refs = {(c["status_ref"]["list_id"], c["status_ref"]["index"]) for c in published}
    assert len(refs) == 12


async def test_publishing_a_published_batch_again_changes_nothing(
    db: Database, settings: Settings
) -> None:
    bid = await reviewed_batch(db, settings, "writes-batch-02", 4)
    assert (await publish(db, settings, bid))["status"] == "PUBLISHED"
    stored = await db.batches.find_one({"_id": bid})
    before = [bson.encode(c) for c in await certificates(db, bid)]
    audit = await db.audit_log.count_documents({})
    again = await publish(db, settings, bid)
    assert again == stored
    assert await db.batches.find_one({"_id": bid}) == stored
    assert [bson.encode(c) for c in await certificates(db, bid)] == before
    assert await db.audit_log.count_documents({}) == audit


async def test_a_certificate_changed_concurrently_is_a_conflict_and_nothing_is_written(
    db: Database, settings: Settings
) -> None:
    bid = await reviewed_batch(db, settings, "writes-batch-03", 6)
    pending = await certificates(db, bid)
    # Another writer changes one certificate after publication read the batch's pending ones.
    changed = await db.certificates.find_one_and_update(
        {"_id": pending[2]["_id"]}, {"$set": {"status": "WITHDRAWN"}}, return_document=True
    )
    before = [bson.encode(c) for c in await certificates(db, bid)]

    async def work(session: AsyncClientSession) -> None:
        await publication.replace_pending(
            db,
            bid,
            pending,
            lambda c: publication.published_document(
                c,
                published_at=clock.now(),
                credential={"proof": "x"},
                status_ref={"list_id": "1", "index": 0},
            ),
            session=session,
        )

    with pytest.raises(Conflict):
        await in_transaction(db, work)
    # The delete of the other five was in the aborted transaction: every document is as it was.
    after = await certificates(db, bid)
    assert [bson.encode(c) for c in after] == before
    assert [c["status"] for c in after].count("PENDING") == 5
    assert changed is not None and changed["status"] == "WITHDRAWN"


async def test_a_certificate_added_concurrently_is_a_conflict_and_nothing_is_written(
    db: Database, settings: Settings
) -> None:
    bid = await reviewed_batch(db, settings, "writes-batch-07", 6)
    everything = await certificates(db, bid)
    before = [bson.encode(c) for c in everything]

    async def work(session: AsyncClientSession) -> None:
        # Publication read five pending certificates; the batch holds six.
        await publication.replace_pending(
            db,
            bid,
            everything[:5],
            lambda c: publication.published_document(
                c, published_at=clock.now(), credential={}, status_ref={}
            ),
            session=session,
        )

    with pytest.raises(Conflict):
        await in_transaction(db, work)
    assert [bson.encode(c) for c in await certificates(db, bid)] == before


async def test_a_change_committed_during_publication_restarts_it_from_a_fresh_snapshot(
    db: Database, settings: Settings
) -> None:
    """Through `publish`: another client commits a change to one certificate after publication
    read the batch's pending ones (while it allocates the status list). The delete then meets
    a write conflict, the transaction is aborted with nothing written and retried from a fresh
    snapshot (as with the former per-certificate updates), which publishes the certificates
    still PENDING and leaves the changed one as the other client wrote it."""
    bid = await reviewed_batch(db, settings, "writes-batch-04", 5)
    victim = (await certificates(db, bid))[0]["_id"]
    original = publication.status_lists.allocate
    calls = 0

    async def allocate_then_interfere(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        refs = await original(*args, **kwargs)
        if calls == 1:  # another client, outside this transaction, commits a change
            await db.certificates.update_one({"_id": victim}, {"$set": {"status": "WITHDRAWN"}})
        return refs

    publication.status_lists.allocate = allocate_then_interfere  # type: ignore[assignment]
    try:
        done = await publish(db, settings, bid)
    finally:
        publication.status_lists.allocate = original  # type: ignore[assignment]
    assert calls == 2  # the first attempt was aborted and retried
    assert done["status"] == "PUBLISHED"
    after = {c["_id"]: c for c in await certificates(db, bid)}
    assert after[victim]["status"] == "WITHDRAWN"
    assert not set(FIELDS[1:]) & set(after[victim])
    assert sorted(c["status"] for c in after.values()) == ["PUBLISHED"] * 4 + ["WITHDRAWN"]
    audits = await db.audit_log.count_documents(
        {"entity": f"batch:{bid}", "action": "batch.publish"}
    )
    assert audits == 1


async def test_a_failure_while_signing_writes_nothing(db: Database, settings: Settings) -> None:
    bid = await reviewed_batch(db, settings, "writes-batch-05", 40)
    pending = await certificates(db, bid)
    before = [bson.encode(c) for c in pending]
    signed = 0

    def fail_late(cert: Document) -> Document:
        nonlocal signed
        signed += 1
        if signed == 35:  # after several turns of the loop: the delete has gone out
            raise RuntimeError("signing failed")
        return publication.published_document(
            cert, published_at=clock.now(), credential={}, status_ref={}
        )

    async def work(session: AsyncClientSession) -> None:
        await publication.replace_pending(db, bid, pending, fail_late, session=session)

    with pytest.raises(RuntimeError, match="signing failed"):
        await in_transaction(db, work)
    assert [bson.encode(c) for c in await certificates(db, bid)] == before
    # The batch still publishes completely afterwards.
    assert (await publish(db, settings, bid))["status"] == "PUBLISHED"
    assert {c["status"] for c in await certificates(db, bid)} == {"PUBLISHED"}


async def test_change_streams_show_a_delete_and_an_insert_per_certificate(
    db: Database, settings: Settings
) -> None:
    bid = await reviewed_batch(db, settings, "writes-batch-06", 3)
    ids = {c["_id"] for c in await certificates(db, bid)}
    seen: dict[str, list[str]] = {i: [] for i in ids}
    async with await db.certificates.watch() as stream:
        await publish(db, settings, bid)
        deadline = asyncio.get_running_loop().time() + 20
        while sum(map(len, seen.values())) < 2 * len(ids):
            assert asyncio.get_running_loop().time() < deadline, seen
            event = await stream.try_next()
            if event is not None and event["documentKey"]["_id"] in ids:
                seen[event["documentKey"]["_id"]].append(event["operationType"])
    assert all(ops == ["delete", "insert"] for ops in seen.values()), seen


async def test_every_certificate_is_inserted_once_whatever_the_signing_pace(
    db: Database, settings: Settings
) -> None:
    """Signing overlaps the delete and then the inserts: documents signed during one statement
    go into the next. However the two paces interleave, each certificate is written once, as
    `publish_one` made it."""
    bid = await reviewed_batch(db, settings, "writes-batch-08", 50)
    pending = await certificates(db, bid)
    made: dict[str, Document] = {}

    def slow(cert: Document) -> Document:
        # Busy for a moment, like signing: more turns of the loop, more statements.
        deadline = asyncio.get_running_loop().time() + 0.002
        while asyncio.get_running_loop().time() < deadline:
            pass
        made[cert["_id"]] = publication.published_document(
            cert,
            published_at=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC),
            credential={"n": cert["_id"]},
            status_ref={},
        )
        return made[cert["_id"]]

    async def work(session: AsyncClientSession) -> None:
        made.clear()
        await publication.replace_pending(db, bid, pending, slow, session=session)

    await in_transaction(db, work)
    after = await certificates(db, bid)
    assert len(after) == 50 and len(made) == 50
    assert {c["_id"]: bson.encode(c) for c in after} == {k: bson.encode(v) for k, v in made.items()}


async def test_occupations_are_named_however_many_the_catalogue_lists(
    db: Database, settings: Settings
) -> None:
    # Once only the first page of 100 occupations was read: a certificate of any occupation
    # listed after it could not be published.
    template = await db.occupations.find_one({"name": "人工智能工程技术人员"})
    assert template is not None
    await db.occupations.insert_many(
        [
            {
                **template,
                "_id": f"0-00-00-{i:03d}",
                "sort_key": f"00-{i:03d}",  # listed before every real occupation
                "name": f"职业{i}",
                "codes": [],
                "codes_all": [f"0-00-00-{i:03d}"],
            }
            for i in range(120)
        ]
    )
    try:
        bid = await reviewed_batch(db, settings, "many-occupations", 3)
        await publish(db, settings, bid)
        published = await certificates(db, bid)
        assert [c["status"] for c in published] == ["PUBLISHED"] * 3
        subject = published[0]["credential"]["credentialSubject"]
        assert "人工智能工程技术人员" in json.dumps(subject, ensure_ascii=False)
    finally:
        await db.occupations.delete_many({"_id": {"$regex": "^0-00-00-"}})
