"""The log fed by the real workflows (publication, revocation, key rotation, directory moves,
bundles), its checkpoints, and the checks anyone can run: the log against itself and the
database, the monitor, and the audit chain against an earlier checkpoint (the attacks first)."""

from __future__ import annotations

import asyncio
import datetime as dt
import json

import pytest
from pymongo.asynchronous.client_session import AsyncClientSession

from credentials import Verdict, load_bundle, sign_proof, verify_credential
from credentials.transparency import (
    NoteKey,
    certificate_leaf,
    leaf_hash,
    parse_checkpoint,
    verify_inclusion,
)
from registry.access.auth import SYSTEM
from registry.catalogue import reference_data as catalogue
from registry.certificates import revocation
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.storage.transactions import in_transaction
from registry.transparency import checkpoints, checks, inclusion, leaves, log, reads, replay
from registry.trust import audit, keystore
from registry.trust import bundles as trust
from tests.factories import OFFICE, listed_institution, make_uscc, published_batch

USCC = make_uscc(615)
ISSUER = "urn:uscc:" + USCC


async def publish_batch(db: Database, settings: Settings, name: str, rows: int) -> None:
    await published_batch(db, settings, USCC, name, rows)


@pytest.fixture(scope="module", autouse=True)
async def history(db: Database, settings: Settings) -> None:
    await catalogue.seed_reference(db)
    await listed_institution(db, USCC, filed="2025-01-06")
    await publish_batch(db, settings, "log-batch-1", 5)
    first = await db[Collection.CERTIFICATES].find_one({}, sort=[("_id", 1)])
    assert first is not None
    await revocation.revoke(db, OFFICE, first["_id"], "录入错误")
    await asyncio.sleep(1.1)  # a key lives at least a second before it may be rotated
    await keystore.rotate_institution_key(db, settings.master_key(), USCC, by=SYSTEM)
    await publish_batch(db, settings, "log-batch-2", 3)
    await trust.build_bundle(db, settings.master_key(), settings.base_url)


async def key(db: Database, settings: Settings) -> NoteKey:
    return await checkpoints.note_key(db, settings.master_key(), settings.base_url)


async def records(db: Database) -> list[dict[str, object]]:
    return [e.record async for e in replay.entries(db)]


async def test_every_event_is_logged_in_order_and_without_personal_data(db: Database) -> None:
    kinds = [r["kind"] for r in await records(db)]
    published = [k for k in kinds if k == "certificate.published"]
    assert len(published) == 8
    for kind in ("certificate.revoked", "key.created", "key.retired", "directory.changed"):
        assert kind in kinds
    assert kinds.count("bundle.published") >= 1 and "audit.head" in kinds
    # The first key comes with the first publication, before its certificates.
    assert kinds.index("key.created") < kinds.index("certificate.published")
    names = [doc["name"] async for doc in db[Collection.CERTIFICATES].find({}, {"name": 1})]
    text = json.dumps(await records(db), ensure_ascii=False)
    assert not any(name in text for name in names)


async def test_a_certificate_leaf_is_what_a_verifier_recomputes(db: Database) -> None:
    doc = await db[Collection.CERTIFICATES].find_one({}, sort=[("_id", -1)])
    assert doc is not None
    stored = [e async for e in replay.entries(db)]
    index = next(e.index for e in stored if e.record.get("number") == doc["_id"])
    assert stored[index].data == certificate_leaf(doc["credential"])


async def test_a_publication_logs_the_leaves_its_certificates_give_when_read_back(
    db: Database,
) -> None:
    # Publication hands its certificates to the log in memory; the log holds exactly the
    # leaves (bytes, order, index keys) that reading them back from the database derives.
    logged = [e async for e in replay.entries(db)]
    batches = sorted(await db[Collection.CERTIFICATES].distinct("batch"))
    assert len(batches) == 2
    for batch in batches:

        async def read_back(session: AsyncClientSession, batch: str = batch) -> list[log.Leaf]:
            event = leaves.Event("batch.publish", f"batch:{batch}", dt.datetime.now(dt.UTC), {}, {})
            return await leaves.derive(db, session, event)

        derived = await in_transaction(db, read_back)
        assert derived
        first = next(e.index for e in logged if e.data == derived[0].data)
        assert [e.data for e in logged[first : first + len(derived)]] == [x.data for x in derived]
        numbers = [
            d["_id"]
            async for d in db[Collection.CERTIFICATES].find({"batch": batch}).sort("_id", 1)
        ]
        for offset, (leaf, number) in enumerate(zip(derived, numbers, strict=True)):
            # Publication stored each leaf's index on its certificate, where it landed.
            assert leaf.at == first + offset
            assert await reads.certificate_leaf_index(db, number) == first + offset


async def test_the_latest_checkpoint_covers_the_log_and_gives_inclusion_proofs(
    db: Database, settings: Settings
) -> None:
    signed = await checkpoints.current(db, settings.master_key(), settings.base_url)
    assert signed.size == (await log.read_head(db)).size
    point = parse_checkpoint(signed.note, [await key(db, settings)])
    assert point.origin == checkpoints.origin(settings.base_url)
    doc = await db[Collection.CERTIFICATES].find_one({}, sort=[("_id", -1)])
    assert doc is not None
    found = await inclusion.of_certificate(db, settings.master_key(), settings.base_url, doc["_id"])
    assert found is not None
    leaf = leaf_hash(certificate_leaf(doc["credential"]))
    checkpoint = parse_checkpoint(found.checkpoint, [await key(db, settings)])
    verify_inclusion(leaf, found.leaf_index, found.tree_size, found.proof, checkpoint.root_hash)
    file = inclusion.envelope(doc["credential"], found)
    assert file["envelope"] == "dte-registry/credential-file/v1"
    assert file["credential"] == doc["credential"]
    assert file["inclusion"]["treeSize"] == checkpoint.size


async def test_log_verify_passes_and_names_a_certificate_missing_from_the_log(
    db: Database, settings: Settings
) -> None:
    report = await checks.verify_log(db, await key(db, settings))
    assert report.ok, report.problems
    assert report.certificates == 8 and report.checkpoints >= 2
    # A certificate written around the workflows has no leaf: found.
    forged = await db[Collection.CERTIFICATES].find_one({}, sort=[("_id", -1)])
    assert forged is not None
    forged["_id"] = forged["_id"][:-4] + "9999"
    await db[Collection.CERTIFICATES].insert_one(forged)
    try:
        report = await checks.verify_log(db, await key(db, settings))
        assert f"certificate {forged['_id']} is not in the log" in report.problems
        # The copy kept its template's leaf index: that index is not its leaf either.
        stale = f"certificate {forged['_id']} names leaf {forged['log_index']}, but it has none"
        assert stale in report.problems
    finally:
        await db[Collection.CERTIFICATES].delete_one({"_id": forged["_id"]})


async def test_a_certificate_indexed_by_a_row_still_gets_its_inclusion_proof(
    db: Database, settings: Settings
) -> None:
    # Certificates published before the index was kept on the certificate (and backfilled
    # ones) are found through the `log_index` rows: the same proof, and log verify agrees.
    doc = await db[Collection.CERTIFICATES].find_one({}, sort=[("_id", 1)])
    assert doc is not None
    number, index = doc["_id"], doc["log_index"]
    master, base = settings.master_key(), settings.base_url
    on_document = await inclusion.of_certificate(db, master, base, number)
    await db[Collection.CERTIFICATES].update_one({"_id": number}, {"$unset": {"log_index": ""}})
    try:
        assert await inclusion.of_certificate(db, master, base, number) is None
        await db[Collection.LOG_INDEX].insert_one({"_id": f"certificate:{number}", "i": index})
        by_row = await inclusion.of_certificate(db, master, base, number)
        assert by_row is not None and on_document is not None
        assert (by_row.leaf_index, by_row.proof) == (index, on_document.proof)
        assert (await checks.verify_log(db, await key(db, settings))).ok
    finally:
        await db[Collection.LOG_INDEX].delete_one({"_id": f"certificate:{number}"})
        await db[Collection.CERTIFICATES].update_one(
            {"_id": number}, {"$set": {"log_index": index}}
        )


async def test_log_verify_names_a_certificate_whose_stored_leaf_index_is_wrong(
    db: Database, settings: Settings
) -> None:
    # Inclusion proofs are computed for the index stored on the certificate: one that points
    # at another leaf is a disagreement between the database and the log.
    doc = await db[Collection.CERTIFICATES].find_one({}, sort=[("_id", 1)])
    assert doc is not None and "log_index" in doc
    right = doc["log_index"]
    await db[Collection.CERTIFICATES].update_one({"_id": doc["_id"]}, {"$inc": {"log_index": 1}})
    try:
        report = await checks.verify_log(db, await key(db, settings))
        assert report.problems == [
            f"certificate {doc['_id']} names leaf {right + 1}, but its leaf is {right}"
        ]
    finally:
        await db[Collection.CERTIFICATES].update_one(
            {"_id": doc["_id"]}, {"$set": {"log_index": right}}
        )
    assert (await checks.verify_log(db, await key(db, settings))).ok


async def test_the_monitor_lists_what_was_logged_in_the_institutions_name(
    db: Database, settings: Settings
) -> None:
    latest, found = await checks.monitor(db, await key(db, settings), ISSUER, None)
    kinds = [f.record["kind"] for f in found]
    assert kinds.count("certificate.published") == 8
    assert {"certificate.revoked", "key.created", "key.retired", "directory.changed"} <= set(kinds)
    since = (await checkpoints.latest(db)).note  # type: ignore[union-attr]
    await publish_batch(db, settings, "log-batch-3", 2)
    latest, found = await checks.monitor(db, await key(db, settings), ISSUER, since)
    assert [f.record["kind"] for f in found] == ["certificate.published"] * 2
    assert latest.size > parse_checkpoint(since, [await key(db, settings)]).size


async def rewrite_entry(db: Database, seq: int) -> None:
    """The attack: change entry `seq` and recompute every later hash and the head."""
    prev = await db[Collection.AUDIT_LOG].find_one({"seq": seq - 1})
    prev_hash = prev["hash"] if prev else audit.GENESIS_HASH
    async for doc in db[Collection.AUDIT_LOG].find({"seq": {"$gte": seq}}).sort("seq", 1):
        if doc["seq"] == seq:
            doc["actor"] = "someone else"
        doc["prev_hash"] = prev_hash
        doc["hash"] = audit.entry_hash(doc)
        await db[Collection.AUDIT_LOG].replace_one({"_id": doc["_id"]}, doc)
        prev_hash = doc["hash"]
    await db[Collection.AUDIT_HEAD].update_one(
        {"_id": audit.HEAD_ID}, {"$set": {"hash": prev_hash}}
    )


async def test_a_rewritten_audit_chain_passes_alone_but_not_against_an_earlier_checkpoint(
    db: Database, settings: Settings
) -> None:
    note = (await checkpoints.sign(db, settings.master_key(), settings.base_url)).note
    saved = [d async for d in db[Collection.AUDIT_LOG].find({})]
    head = await db[Collection.AUDIT_HEAD].find_one({"_id": audit.HEAD_ID})
    try:
        assert (await checks.verify_audit(db, note, await key(db, settings))).ok
        await rewrite_entry(db, 3)
        assert (await audit.verify_chain(db)).ok  # the weakness: the chain alone cannot tell
        report = await checks.verify_audit(db, note, await key(db, settings))
        assert not report.ok
        assert any("is not the one the checkpoint pinned" in p for p in report.problems)
    finally:
        await db[Collection.AUDIT_LOG].delete_many({})
        await db[Collection.AUDIT_LOG].insert_many(saved)
        await db[Collection.AUDIT_HEAD].replace_one({"_id": audit.HEAD_ID}, head)


async def test_a_truncated_audit_chain_is_detected_against_an_earlier_checkpoint(
    db: Database, settings: Settings
) -> None:
    note = (await checkpoints.sign(db, settings.master_key(), settings.base_url)).note
    head = await db[Collection.AUDIT_HEAD].find_one({"_id": audit.HEAD_ID})
    assert head is not None
    cut = int(head["seq"]) - 3
    removed = [d async for d in db[Collection.AUDIT_LOG].find({"seq": {"$gt": cut}})]
    kept = await db[Collection.AUDIT_LOG].find_one({"seq": cut})
    assert kept is not None
    await db[Collection.AUDIT_LOG].delete_many({"seq": {"$gt": cut}})
    await db[Collection.AUDIT_HEAD].update_one(
        {"_id": audit.HEAD_ID}, {"$set": {"seq": cut, "hash": kept["hash"]}}
    )
    try:
        assert (await audit.verify_chain(db)).ok  # the weakness: the chain alone cannot tell
        report = await checks.verify_audit(db, note, await key(db, settings))
        assert any("pinned by the checkpoint, is gone" in p for p in report.problems)
    finally:
        await db[Collection.AUDIT_LOG].insert_many(removed)
        await db[Collection.AUDIT_HEAD].replace_one({"_id": audit.HEAD_ID}, head)
    assert (await checks.verify_audit(db, note, await key(db, settings))).ok


async def test_a_rewritten_log_does_not_match_the_earlier_checkpoint(
    db: Database, settings: Settings
) -> None:
    note = (await checkpoints.sign(db, settings.master_key(), settings.base_url)).note
    bundle = await db[Collection.LOG_ENTRIES].find_one({"_id": 0})
    assert bundle is not None
    forged = [*bundle["h"]]
    forged[1] = b'{"kind":"audit.head","seq":1,"hash":"00"}'
    await db[Collection.LOG_ENTRIES].update_one({"_id": 0}, {"$set": {"h": forged}})
    try:
        report = await checks.verify_audit(db, note, await key(db, settings))
        assert any("not the ones the checkpoint signed" in p for p in report.problems)
        log_report = await checks.verify_log(db, await key(db, settings))
        assert "leaf 1 does not hash to its tile" in log_report.problems
    finally:
        await db[Collection.LOG_ENTRIES].update_one({"_id": 0}, {"$set": {"h": bundle["h"]}})


async def test_a_back_dated_credential_signed_with_the_retired_key_is_never_valid(
    db: Database, settings: Settings
) -> None:
    """The issue's forgery: the retired key's thief signs a credential dated inside its window
    (another holder's name). Without a proof it cannot be confirmed (the QR case); with the
    genuine certificate's proof attached it is INVALID; the genuine file stays VALID."""
    master = settings.master_key()
    bundle = load_bundle(
        await trust.build_bundle(db, master, settings.base_url),
        [await keystore.root_public_key(db, master)],
    )
    retired = await db[Collection.SIGNING_KEYS].find_one({"institution": USCC, "current": False})
    assert retired is not None
    thief = keystore._unseal(keystore._box(master), retired)  # the stolen retired key
    genuine = await db[Collection.CERTIFICATES].find_one(
        {"status": "PUBLISHED", "credential.proof.verificationMethod": {"$regex": retired["_id"]}},
        sort=[("_id", 1)],
    )
    assert genuine is not None
    found = await inclusion.of_certificate(db, master, settings.base_url, genuine["_id"])
    file = inclusion.envelope(genuine["credential"], found)
    assert verify_credential(file, bundle=bundle).verdict is Verdict.VALID
    assert verify_credential(genuine["credential"], bundle=bundle).verdict is Verdict.UNCONFIRMED

    unsigned = {k: v for k, v in genuine["credential"].items() if k != "proof"}
    unsigned["credentialSubject"] = {**unsigned["credentialSubject"], "name": "冒名者"}
    created = genuine["credential"]["proof"]["created"]
    forged = sign_proof(unsigned, thief, created=created)
    assert verify_credential(forged, bundle=bundle).verdict is Verdict.UNCONFIRMED
    report = verify_credential(inclusion.envelope(forged, found), bundle=bundle)
    assert report.verdict is Verdict.INVALID
    assert report.check("in_log").code == "LOG_LEAF_MISMATCH"
