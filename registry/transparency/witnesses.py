"""Witnesses: third parties that co-sign the log's checkpoints (C2SP tlog-cosignature) after
checking each is consistent with the last one they saw (`registry log witness`).

The office registers a witness's cosigner key (`registry log witnesses add VKEY`; audited; the
next trust bundle lists it under `witnesses`). A witness posts its cosigned checkpoint to
`/log/cosignature`: it is kept only when the checkpoint is one the log signed (same text) and
the cosignature verifies under a registered key; the checkpoint is then served with it, one
line per witness (a newer cosignature by the same witness replaces the older).
"""

from __future__ import annotations

import base64
from typing import Final

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from credentials.transparency import (
    COSIGNATURE_V1,
    NoteKey,
    TransparencyError,
    parse_vkey,
    verify_cosignatures,
)
from credentials.transparency import checkpoint_from_text as checkpoint_text
from registry.access.auth import Principal
from registry.calendar import clock
from registry.errors import InvalidInput, NotFound
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database
from registry.storage.transactions import in_transaction
from registry.trust import audit

_DASH: Final = "\u2014 "


async def add(db: Database, vkey: str, *, by: Principal) -> NoteKey:
    """Register a witness's cosigner key (type 0x04); registering it again changes nothing."""
    try:
        key = parse_vkey(vkey.strip())
    except TransparencyError as error:
        raise InvalidInput(error.message, code=error.code, field="vkey") from None
    if key.signature_type != COSIGNATURE_V1:
        raise InvalidInput(
            "a witness key is a cosignature/v1 key (type 0x04)",
            code="WITNESS_KEY_TYPE",
            field="vkey",
        )
    doc = {"_id": key.vkey, "name": key.name, "added_at": clock.now()}

    async def work(session: AsyncClientSession) -> None:
        try:
            await db[Collection.LOG_WITNESSES].insert_one(
                {**doc, "schema_version": SCHEMA_VERSION}, session=session
            )
        except DuplicateKeyError:
            return
        await audit.append(
            db,
            actor=by,
            action="log_witness.add",
            entity=f"log_witness:{key.name}",
            before=None,
            after=doc,
            session=session,
        )

    await in_transaction(db, work)
    return key


async def keys(db: Database) -> list[NoteKey]:
    """Every registered witness key, in the order they were added."""
    cursor = db[Collection.LOG_WITNESSES].find({}).sort("added_at", 1)
    return [parse_vkey(doc["_id"]) async for doc in cursor]


def _line_of(note: str, key: NoteKey) -> str:
    """The signature line of `note` made by `key` (its name and key id)."""
    for line in note[note.rfind("\n\n") + 2 :].splitlines():
        name, _, sig = line.removeprefix(_DASH).partition(" ")
        if line.startswith(_DASH) and name == key.name:
            if base64.b64decode(sig)[:4] == key.key_id:
                return line + "\n"
    raise TransparencyError("COSIGNATURE_MISSING", f"no cosignature by {key.name}")


async def accept(db: Database, note: str) -> list[str]:
    """Keep the registered witnesses' cosignatures on `note`, a checkpoint the log signed;
    returns the names of the witnesses whose cosignatures were kept."""
    text = note[: note.rfind("\n\n") + 1]
    point = checkpoint_text(text)
    stored = await db[Collection.LOG_CHECKPOINTS].find_one({"_id": point.size})
    if stored is None or not str(stored["note"]).startswith(text + "\n"):
        raise NotFound(
            "the log signed no such checkpoint", code="CHECKPOINT_NOT_FOUND", field="checkpoint"
        )
    found = verify_cosignatures(note, await keys(db))
    lines = {f"cosignatures.{c.key.key_id.hex()}": _line_of(note, c.key) for c in found}
    if lines:
        await db[Collection.LOG_CHECKPOINTS].update_one({"_id": point.size}, {"$set": lines})
    return [c.key.name for c in found]
