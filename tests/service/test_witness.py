"""A witness against the real app over HTTP: it co-signs a checkpoint consistent with the last
one it saw, the service keeps a registered witness's cosignature and serves it with the
checkpoint, and a forked or shrunk log is refused with nothing co-signed."""

from __future__ import annotations

import datetime as dt
import hashlib

import httpx
import pytest
from pymongo.asynchronous.client_session import AsyncClientSession

from credentials import SigningKey
from credentials.transparency import (
    COSIGNATURE_V1,
    Checkpoint,
    NoteSigner,
    TransparencyError,
    cosign,
    parse_checkpoint,
    verify_cosignature,
)
from registry.access.auth import SYSTEM
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.storage.transactions import in_transaction
from registry.transparency import checkpoints, log, witnesses
from registry.trust import keystore
from service.witness import witness_round

NOW = dt.datetime(2026, 12, 5, tzinfo=dt.UTC)


async def grow(db: Database, settings: Settings, count: int) -> None:
    async def work(session: AsyncClientSession) -> int:
        leaves = [log.Leaf(f'{{"kind":"test","n":{i}}}'.encode()) for i in range(count)]
        return await log.append(db, session, leaves)

    await in_transaction(db, work)
    await checkpoints.sign(db, settings.master_key(), settings.base_url)


async def test_a_witness_cosigns_consistent_checkpoints_and_the_service_serves_them(
    live_server: str, db: Database, settings: Settings
) -> None:
    log_key = await checkpoints.note_key(db, settings.master_key(), settings.base_url)
    signer = NoteSigner("witness.example.org", SigningKey.generate(), COSIGNATURE_V1)
    await grow(db, settings, 300)
    # Not registered yet: the service refuses to keep its cosignature.
    with pytest.raises(httpx.HTTPStatusError) as refused:
        await witness_round(live_server, log_key, signer, None, now=NOW)
    assert refused.value.response.json()["error"]["code"] == "COSIGNATURE_MISSING"
    await witnesses.add(db, signer.key.vkey, by=SYSTEM)
    first = await witness_round(live_server, log_key, signer, None, now=NOW)
    await grow(db, settings, 5)
    second = await witness_round(live_server, log_key, signer, first.note, now=NOW)
    assert second.previous == first.checkpoint.size < second.checkpoint.size
    async with httpx.AsyncClient(base_url=live_server) as http:
        served = (await http.get("/log/checkpoint")).text
    assert parse_checkpoint(served, [log_key]).size == second.checkpoint.size
    assert verify_cosignature(served, signer.key).timestamp == int(NOW.timestamp())


async def test_a_forked_log_is_refused_and_nothing_is_cosigned(
    live_server: str, db: Database, settings: Settings
) -> None:
    log_key = await checkpoints.note_key(db, settings.master_key(), settings.base_url)
    signer = NoteSigner("witness2.example.org", SigningKey.generate(), COSIGNATURE_V1)
    await witnesses.add(db, signer.key.vkey, by=SYSTEM)
    seen = (await witness_round(live_server, log_key, signer, None, now=NOW)).note
    await grow(db, settings, 2)
    # The log's key signs a tree that does not extend the one the witness saw (a fork).
    latest = await checkpoints.latest(db)
    assert latest is not None
    signing = NoteSigner(log_key.name, await keystore.log_key(db, settings.master_key()))
    fork = Checkpoint(log_key.name, latest.size, hashlib.sha256(b"another tree").digest())
    await db[Collection.LOG_CHECKPOINTS].update_one(
        {"_id": latest.size}, {"$set": {"note": signing.sign(fork.body())}}
    )
    try:
        with pytest.raises(TransparencyError) as caught:
            await witness_round(live_server, log_key, signer, seen, now=NOW)
        assert caught.value.code == "CONSISTENCY_PROOF_INVALID"
    finally:
        await db[Collection.LOG_CHECKPOINTS].update_one(
            {"_id": latest.size}, {"$set": {"note": latest.note}}
        )
    # A log that went back to a smaller tree than the witness saw is refused too.
    bigger = Checkpoint(log_key.name, latest.size + 100, latest.root_hash)
    with pytest.raises(TransparencyError) as shrunk:
        await witness_round(live_server, log_key, signer, signing.sign(bigger.body()), now=NOW)
    assert shrunk.value.code == "LOG_ROLLED_BACK"


async def test_the_service_keeps_only_cosignatures_of_checkpoints_it_signed(
    live_server: str, db: Database, settings: Settings
) -> None:
    signer = NoteSigner("witness3.example.org", SigningKey.generate(), COSIGNATURE_V1)
    await witnesses.add(db, signer.key.vkey, by=SYSTEM)
    latest = await checkpoints.latest(db)
    assert latest is not None
    text, _, signature = latest.note.partition("\n\n")
    other = text.replace(f"\n{latest.size}\n", f"\n{latest.size + 1000}\n") + "\n\n" + signature
    async with httpx.AsyncClient(base_url=live_server) as http:
        for note, status, code in (
            (cosign(other, signer, 1), 404, "CHECKPOINT_NOT_FOUND"),
            ("not a note", 400, "CHECKPOINT_MALFORMED"),
        ):
            answer = await http.post("/log/cosignature", content=note.encode())
            assert answer.status_code == status, answer.text
            assert answer.json()["error"]["code"] == code
