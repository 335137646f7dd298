"""How publication writes a batch's certificates: nothing in `certificates` before it, then one
insert of complete published documents (no delete, no update) in the batch's transaction, made
from the numbered result rows; a number already taken or a failure while signing writes nothing,
a number of a withdrawn result is never published or handed out again, and publishing a
PUBLISHED batch again changes nothing. On the real embedded database."""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any

import bson
import pytest
from pymongo import monitoring

from credentials.transparency import NoteSigner
from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.certificates import numbers, publication, review, submission
from registry.certificates.submission import submit
from registry.certificates.validation import BatchInput, ResultInput
from registry.errors import Conflict
from registry.settings import Settings
from registry.storage.db import Database, Document, make_client
from registry.transparency import checkpoints, log
from tests.factories import listed_institution, make_id_number, make_uscc

USCC = make_uscc(610)
OFFICE = Principal(Role.OFFICE_ADMIN, "o", "writes-office")


@pytest.fixture(scope="module", autouse=True)
async def institution(db: Database) -> None:
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")


async def reviewed_batch(
    db: Database, settings: Settings, name: str, rows: int, *, failed: int = 0
) -> str:
    """A CETTIC_CHECKED batch of `rows` results, the first `failed` of them failing."""
    rng = random.Random(name)
    results = [
        ResultInput(
            f"考生{i}", make_id_number(rng), "2-02-38-01", 1 + i % 2, 40 if i < failed else 90, 85
        )
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


async def numbered(db: Database, bid: str) -> list[Document]:
    query = {"batch": bid, "current": True, "certificate": {"$ne": None}}
    return [r async for r in db.results.find(query).sort("certificate", 1)]


async def test_published_documents_are_complete_and_made_from_the_result_rows(
    db: Database, settings: Settings
) -> None:
    bid = await reviewed_batch(db, settings, "writes-batch-01", 12)
    assert await certificates(db, bid) == []  # nothing waits in `certificates`
    rows = await numbered(db, bid)
    assert len(rows) == 12
    done = await publish(db, settings, bid)
    assert done["status"] == "PUBLISHED" and done["published_at"]
    published = await certificates(db, bid)
    assert [c["_id"] for c in published] == [r["certificate"] for r in rows]
    for cert, row in zip(published, rows, strict=True):
        for name in ("name", "id_hash", "occupation", "field", "direction", "level", "binding"):
            assert cert[name] == row[name], name
        assert cert["exam_date"] == row["exam_date"] and cert["created_at"] == row["numbered_at"]
        assert cert["status"] == "PUBLISHED" and cert["credential"]["proof"]
        subject = cert["credential"]["credentialSubject"]
        assert cert["_id"] in json.dumps(subject)
        assert set(cert) >= {"published_at", "status_ref", "batch", "institution"}
        assert "id_enc" not in cert
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


async def test_a_number_already_taken_writes_nothing(db: Database, settings: Settings) -> None:
    bid = await reviewed_batch(db, settings, "writes-batch-03", 6)
    taken = (await numbered(db, bid))[2]["certificate"]
    await db.certificates.insert_one({"_id": taken, "status": "PUBLISHED", "batch": "elsewhere"})
    lists_before = [bson.encode(d) async for d in db.status_lists.find({}).sort("_id", 1)]
    with pytest.raises(Conflict) as caught:
        await publish(db, settings, bid)
    assert caught.value.code == "CERTIFICATE_NUMBER_TAKEN"
    # The insert was in the aborted transaction: no certificate, the batch and lists unchanged.
    assert await certificates(db, bid) == []
    assert (await db.batches.find_one({"_id": bid}) or {})["status"] == "CETTIC_CHECKED"
    assert [bson.encode(d) async for d in db.status_lists.find({}).sort("_id", 1)] == lists_before
    await db.certificates.delete_one({"_id": taken})
    assert (await publish(db, settings, bid))["status"] == "PUBLISHED"


# Failing in the first chunk signed, and after chunks were sent (publication inserts each
# chunk while it signs the next).
@pytest.mark.parametrize(("rows", "fail_at"), [(40, 35), (130, 120)])
async def test_a_failure_while_signing_writes_nothing(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch, rows: int, fail_at: int
) -> None:
    bid = await reviewed_batch(db, settings, f"writes-batch-05-{rows}", rows)
    original = publication.Issuer.certificate
    signed = 0

    def fail_late(self: publication.Issuer, row: Document, ref: Any, index: int) -> Document:
        nonlocal signed
        signed += 1
        if signed == fail_at:
            raise RuntimeError("signing failed")
        return original(self, row, ref, index)

    monkeypatch.setattr(publication.Issuer, "certificate", fail_late)
    with pytest.raises(RuntimeError, match="signing failed"):
        await publish(db, settings, bid)
    monkeypatch.setattr(publication.Issuer, "certificate", original)
    assert await certificates(db, bid) == []
    assert (await db.batches.find_one({"_id": bid}) or {})["status"] == "CETTIC_CHECKED"
    # The batch still publishes completely afterwards.
    assert (await publish(db, settings, bid))["status"] == "PUBLISHED"
    assert [c["status"] for c in await certificates(db, bid)] == ["PUBLISHED"] * rows


async def test_change_streams_show_one_insert_per_certificate_and_nothing_else(
    db: Database, settings: Settings
) -> None:
    bid = await reviewed_batch(db, settings, "writes-batch-06", 3)
    ids = {r["certificate"] for r in await numbered(db, bid)}
    seen: dict[str, list[str]] = {i: [] for i in ids}
    async with await db.certificates.watch() as stream:
        await publish(db, settings, bid)
        marker = await db.certificates.insert_one({"_id": f"marker-{bid}"})
        while True:
            event = await stream.try_next()
            if event is None:
                continue
            key = event["documentKey"]["_id"]
            if key == marker.inserted_id:
                break
            if key in ids:
                seen[key].append(event["operationType"])
    await db.certificates.delete_one({"_id": marker.inserted_id})
    assert all(ops == ["insert"] for ops in seen.values()), seen


async def test_a_withdrawn_number_is_neither_published_nor_handed_out_again(
    db: Database, settings: Settings
) -> None:
    me = Principal(Role.EVALUATION_INSTITUTION, "t", "writes-inst", institution=USCC)
    personal = PersonalData(settings.master_key())
    rng = random.Random("withdrawn")
    results = [
        ResultInput(f"撤回{i}", make_id_number(rng), "2-02-38-01", 1, 90, 85) for i in range(3)
    ]
    exam = clock.today() - dt.timedelta(days=3)
    first = await submit(db, me, BatchInput("withdrawn-0001", exam, results), personal)
    bid = first.batch["_id"]
    withdrawn = {r["name"]: r["certificate"] for r in await numbered(db, bid)}["撤回1"]
    prov = Principal(Role.PROVINCIAL_REVIEWER, "p", "wp", province="35")
    await review.return_batch(db, prov, bid, "第2行有误")
    corrected = BatchInput("withdrawn-0002", exam, [results[0], results[2]])
    await submission.resubmit(db, me, bid, corrected, personal)
    await review.approve_province(db, prov, bid)
    await review.check_cettic(db, Principal(Role.CETTIC_REVIEWER, "c", "wc"), bid)
    await publish(db, settings, bid)
    published = {c["_id"] for c in await certificates(db, bid)}
    assert len(published) == 2 and withdrawn not in published
    later = await submit(db, me, BatchInput("withdrawn-0003", exam, results[1:2]), personal)
    fresh = [r["certificate"] for r in await numbered(db, later.batch["_id"])]
    assert len(fresh) == 1 and fresh[0] != withdrawn
    assert numbers.parse(fresh[0]).serial > numbers.parse(withdrawn).serial


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


class ResultFinds(monitoring.CommandListener):
    """The `find` commands sent to `results`, and the `getMore`s of their cursors."""

    def __init__(self) -> None:
        self.finds = 0
        self.more = 0

    def started(self, event: monitoring.CommandStartedEvent) -> None:
        if event.command_name == "find" and event.command.get("find") == "results":
            self.finds += 1
        if event.command_name == "getMore" and event.command.get("collection") == "results":
            self.more += 1

    def succeeded(self, event: monitoring.CommandSucceededEvent) -> None:
        pass

    def failed(self, event: monitoring.CommandFailedEvent) -> None:
        pass


async def test_publication_reads_the_batchs_results_once(
    db: Database, settings: Settings, mongodb_uri: str
) -> None:
    """The statistics count the batch from the results publication read (every current one,
    failed ones too: the counters' recount tests hold what they count); one reply carries them
    all, past the 101 rows of a cursor's default first batch."""
    bid = await reviewed_batch(db, settings, "reads-once-1", 106, failed=2)
    listener = ResultFinds()
    client = make_client(mongodb_uri, event_listeners=[listener])
    try:
        done = await publish(client[db.name], settings, bid)
    finally:
        await client.close()
    assert done["status"] == "PUBLISHED"
    assert len(await certificates(db, bid)) == 104
    assert (listener.finds, listener.more) == (1, 0)


async def test_the_checkpoint_commits_with_the_publication(
    db: Database, settings: Settings
) -> None:
    """The checkpoint that covers a batch's certificates is signed in the publication's own
    transaction, with the audit chain pinned at the publication's entry: it exists as soon as
    the batch is PUBLISHED, and a failure while signing it publishes nothing."""
    bid = await reviewed_batch(db, settings, "writes-batch-07", 5)
    assert (await publish(db, settings, bid))["status"] == "PUBLISHED"
    head = await log.read_head(db)
    latest = await checkpoints.latest(db)
    assert latest is not None and latest.size == head.size
    chain = await db.audit_head.find_one({})
    entry = await db.audit_log.find_one({"entity": f"batch:{bid}", "action": "batch.publish"})
    assert chain is not None and entry is not None
    assert head.audit_seq == chain["seq"] == entry["seq"]


async def test_a_failure_while_signing_the_checkpoint_publishes_nothing(
    db: Database, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    bid = await reviewed_batch(db, settings, "writes-batch-08", 5)
    size = (await log.read_head(db)).size

    def refuse(self: NoteSigner, text: str) -> str:
        raise RuntimeError("the log key is unavailable")

    monkeypatch.setattr(NoteSigner, "sign", refuse)
    with pytest.raises(RuntimeError, match="log key"):
        await publish(db, settings, bid)
    monkeypatch.undo()
    assert await certificates(db, bid) == []
    assert (await db.batches.find_one({"_id": bid}) or {})["status"] == "CETTIC_CHECKED"
    assert (await log.read_head(db)).size == size
    assert (await publish(db, settings, bid))["status"] == "PUBLISHED"
    latest = await checkpoints.latest(db)
    assert latest is not None and latest.size == (await log.read_head(db)).size
