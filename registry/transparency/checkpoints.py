"""Signed checkpoints (C2SP tlog-checkpoint in a C2SP signed note, Ed25519, the log key).

Signing a checkpoint first pins the audit chain: when the chain's head moved since the last
`audit.head` leaf, a new one (seq, hash) is appended in the same transaction, so every
checkpoint covers the audit chain as it was when it was signed (`registry audit verify
--checkpoint` relies on it). Then the tree head (size, root from the log head's frontier) is
signed and stored under its size; a size already signed is answered with the stored checkpoint.

Checkpoints are signed in every batch's publication transaction (`sign_in`), after every
bundle's publication, hourly by the service, and whenever the latest one is asked for while the
log has grown past it, so the latest checkpoint covers every leaf a reader can see.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Final

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from credentials.transparency import Checkpoint, NoteKey, NoteSigner
from registry.calendar import clock
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.storage.transactions import in_transaction, retry_transaction
from registry.transparency import leaves, log
from registry.trust import audit, keystore

HOURLY: Final = dt.timedelta(hours=1)


def origin(base_url: str) -> str:
    """The log's origin line: its URL prefix (`<base URL>/log`) without the scheme."""
    return base_url.rstrip("/").split("://", 1)[-1] + "/log"


@dataclass(frozen=True)
class SignedCheckpoint:
    size: int
    root_hash: bytes
    note: str
    signed_at: dt.datetime


def _signed(doc: Document) -> SignedCheckpoint:
    """A stored checkpoint, its note with the witnesses' cosignature lines it has gathered."""
    at = doc["signed_at"]
    cosignatures = doc.get("cosignatures") or {}
    return SignedCheckpoint(
        int(doc["_id"]),
        bytes(doc["root"]),
        str(doc["note"]) + "".join(cosignatures[k] for k in sorted(cosignatures)),
        at.replace(tzinfo=dt.UTC) if at.tzinfo is None else at,
    )


async def latest(
    db: Database, session: AsyncClientSession | None = None
) -> SignedCheckpoint | None:
    """The latest stored checkpoint, if any."""
    doc = await db[Collection.LOG_CHECKPOINTS].find_one({}, sort=[("_id", -1)], session=session)
    return _signed(doc) if doc else None


async def at_size(db: Database, size: int) -> SignedCheckpoint | None:
    doc = await db[Collection.LOG_CHECKPOINTS].find_one({"_id": size})
    return _signed(doc) if doc else None


async def all_sizes(db: Database) -> list[SignedCheckpoint]:
    """Every checkpoint the log has signed, oldest first."""
    return [_signed(d) async for d in db[Collection.LOG_CHECKPOINTS].find({}).sort("_id", 1)]


async def note_key(db: Database, master_key: bytes, base_url: str) -> NoteKey:
    """The log's public note key (name = origin), as the bundle lists it."""
    return NoteSigner(origin(base_url), await keystore.log_key(db, master_key)).key


async def _pin_audit(db: Database, session: AsyncClientSession) -> log.Head:
    """Append an `audit.head` leaf when the chain moved since the last one; the log's head."""
    head = await log.read_head(db, session)
    chain = await db[Collection.AUDIT_HEAD].find_one({"_id": audit.HEAD_ID}, session=session)
    if chain is not None and int(chain["seq"]) > head.audit_seq:
        leaf = log.Leaf(leaves.audit_head(int(chain["seq"]), str(chain["hash"])))
        return await log.extend(db, session, head, [leaf], audit_seq=int(chain["seq"]))
    return head


async def signer(db: Database, master_key: bytes, base_url: str) -> NoteSigner:
    """The log's note signer (the log key opened once, before any transaction)."""
    return NoteSigner(origin(base_url), await keystore.log_key(db, master_key))


async def sign_in(
    db: Database,
    session: AsyncClientSession,
    note_signer: NoteSigner,
    *,
    now: dt.datetime | None = None,
) -> SignedCheckpoint:
    """Pin the audit chain and sign the log's current tree head in the caller's transaction
    (publication's own, so that the checkpoint commits with what it covers)."""
    head = await _pin_audit(db, session)
    stored = await db[Collection.LOG_CHECKPOINTS].find_one({"_id": head.size}, session=session)
    if stored is not None:
        return _signed(stored)
    body = Checkpoint(note_signer.key.name, head.size, head.root).body()
    doc: Document = {
        "_id": head.size,
        "root": head.root,
        "note": note_signer.sign(body),
        "signed_at": now or clock.now(),
        "schema_version": SCHEMA_VERSION,
    }
    try:
        await db[Collection.LOG_CHECKPOINTS].insert_one(doc, session=session)
    except DuplicateKeyError:
        raise retry_transaction("another signer stored this checkpoint") from None
    return _signed(doc)


async def sign(
    db: Database, master_key: bytes, base_url: str, *, now: dt.datetime | None = None
) -> SignedCheckpoint:
    """Pin the audit chain and sign the log's current tree head (see the module docstring), in
    a transaction of its own."""
    note_signer = await signer(db, master_key, base_url)
    return await in_transaction(db, lambda s: sign_in(db, s, note_signer, now=now))


async def current(
    db: Database, master_key: bytes, base_url: str, *, max_age: dt.timedelta = HOURLY
) -> SignedCheckpoint:
    """The latest checkpoint, signing a new one when the log grew past it, or when it is older
    than `max_age` and the audit chain moved since."""
    found = await latest(db)
    head = await log.read_head(db)
    if found is not None and found.size == head.size:
        chain = await db[Collection.AUDIT_HEAD].find_one({"_id": audit.HEAD_ID})
        moved = chain is not None and int(chain["seq"]) > head.audit_seq
        if not moved or clock.now() - found.signed_at < max_age:
            return found
    return await sign(db, master_key, base_url)
