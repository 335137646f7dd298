"""Signing keys held by the registry: the root key and each institution's Ed25519 keys.

The root key signs the status lists and the trust bundle; an institution's current key signs the
credentials it issues (谁评价、谁发证). Seeds are stored only sealed with `nacl.secret.SecretBox`
under a subkey of the master key; the public key is stored beside them in the clear and checked
after unsealing, so a sealed seed copied onto another record is refused rather than used.

Keys are never deleted. Rotation closes the current key's window (`valid_until`, exclusive) and
opens the next one at the same instant; retired public keys stay in the trust bundle so that
certificates signed before the rotation keep verifying. Windows are whole seconds because proofs
and the bundle state times to the second (see `_rotation_bounds` for a rotation mid-second).

One current key per institution is a partial unique index; concurrent first calls race on it
and the losers read (or, inside a transaction, retry and then read) the winner's key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

import nacl.exceptions
import nacl.secret
from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from credentials import PublicKey, SigningKey
from registry.access.auth import SYSTEM, Principal
from registry.access.subkeys import subkey
from registry.calendar import clock
from registry.errors import (
    KeyDecryptionFailed,
    KeyRecordMismatch,
    KeyRotationTooSoon,
    NotFound,
    RootKeyDestroyed,
)
from registry.institutions.policy import decide
from registry.institutions.rules import Action
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.storage.transactions import in_transaction, retry_transaction
from registry.transparency import log
from registry.trust import audit

__all__ = [
    "KeyDecryptionFailed",
    "KeyRecord",
    "KeyRecordMismatch",
    "KeyRotationTooSoon",
    "institution_key",
    "institution_keys",
    "log_key",
    "log_key_record",
    "root_key",
    "root_public_key",
    "rotate_institution_key",
]

ROOT_ID: Final = "root"
ROOT_ROLE: Final = "root"
LOG_ID: Final = "log"
LOG_ROLE: Final = "log"
INSTITUTION_ROLE: Final = "institution"
# Distinct from the personal-data subkeys: the ID-number key never opens a signing key.
_PERSONALISATION: Final = b"dte-signing-key"
_MIN_WINDOW: Final = dt.timedelta(seconds=1)

T = TypeVar("T")


@dataclass(frozen=True)
class KeyRecord:
    """The public side of an institution key and its validity window (`valid_until` exclusive,
    None while current)."""

    institution: str
    public_key_multibase: str
    verification_method: str
    valid_from: dt.datetime
    valid_until: dt.datetime | None
    # The log's size when the key was retired: every leaf logged with it has a smaller index.
    log_size_at_retirement: int | None = None
    # Marked compromised from this instant; the size of the last checkpoint signed before it.
    compromised_at: dt.datetime | None = None
    log_size_at_compromise: int | None = None

    @property
    def public_key(self) -> PublicKey:
        return PublicKey.from_multibase(self.public_key_multibase)

    @property
    def current(self) -> bool:
        return self.valid_until is None


# --- sealing ---------------------------------------------------------------------------------


def _box(master_key: bytes) -> nacl.secret.SecretBox:
    return nacl.secret.SecretBox(subkey(master_key, _PERSONALISATION))


def _seal(box: nacl.secret.SecretBox, key: SigningKey) -> bytes:
    return bytes(box.encrypt(key.seed))


def _unseal(box: nacl.secret.SecretBox, doc: Document) -> SigningKey:
    owner = (
        f"the registry {doc['role']} key"
        if doc.get("role") in (ROOT_ROLE, LOG_ROLE)
        else doc.get("institution")
    )
    try:
        seed = box.decrypt(bytes(doc["sealed_seed"]))
    except nacl.exceptions.CryptoError:
        raise KeyDecryptionFailed(
            f"the signing key of {owner} cannot be decrypted: REGISTRY_MASTER_KEY is not the "
            "master key it was stored under"
        ) from None
    key = SigningKey.from_seed(bytes(seed))
    if key.public_key.multibase != doc["public_key"]:
        raise KeyRecordMismatch(f"the stored signing key of {owner} does not match its public key")
    return key


def seal_box(master_key: bytes) -> nacl.secret.SecretBox:
    """The box every signing key's seed is sealed in (registry/trust/offline_root.py's too)."""
    return _box(master_key)


seal = _seal
unseal = _unseal


# --- documents -------------------------------------------------------------------------------


def whole_seconds(moment: dt.datetime) -> dt.datetime:
    """`moment` rounded down to the second (a proof's `created` is truncated the same way)."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("key validity times must be timezone-aware")
    return moment.astimezone(dt.UTC).replace(microsecond=0)


def _rotation_bounds(moment: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """(old key's valid_until, new key's valid_from) for a rotation at `moment`.

    Proofs state `created` in whole seconds, truncated. Rounding the old key's end up and the new
    key's start down makes both keys valid for the sub-second rest of the rotation's second, so a
    signature made just before the rotation (old key) or just after it (new key) is inside its
    key's window once truncated. At a whole second both bounds are `moment` itself.
    """
    start = whole_seconds(moment)
    end = start if start == moment.astimezone(dt.UTC) else start + dt.timedelta(seconds=1)
    return end, start


def utc(value: dt.datetime) -> dt.datetime:
    # A client without tz_aware=True reads naive datetimes, which MongoDB stores as UTC.
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value.astimezone(dt.UTC)


def _institution_doc(
    box: nacl.secret.SecretBox, key: SigningKey, uscc: str, valid_from: dt.datetime
) -> Document:
    return {
        "_id": key.public_key.multibase,
        "role": INSTITUTION_ROLE,
        "institution": uscc,
        "public_key": key.public_key.multibase,
        "sealed_seed": _seal(box, key),
        "valid_from": valid_from,
        "valid_until": None,
        "current": True,
        "uses": 0,
        "schema_version": SCHEMA_VERSION,
    }


def record(doc: Document) -> KeyRecord:
    public = PublicKey.from_multibase(doc["public_key"])
    until, compromised = doc.get("valid_until"), doc.get("compromised_at")
    return KeyRecord(
        institution=doc["institution"],
        public_key_multibase=public.multibase,
        verification_method=public.verification_method,
        valid_from=utc(doc["valid_from"]),
        valid_until=utc(until) if until is not None else None,
        log_size_at_retirement=doc.get("log_size_at_retirement"),
        compromised_at=utc(compromised) if compromised is not None else None,
        log_size_at_compromise=doc.get("log_size_at_compromise"),
    )


def _public(doc: Document | None) -> Document | None:
    """What the audit log hashes: never the sealed seed."""
    if doc is None:
        return None
    return {k: v for k, v in doc.items() if k != "sealed_seed"}


async def _in_caller_or_own_transaction(
    db: Database,
    session: AsyncClientSession | None,
    work: Callable[[AsyncClientSession], Awaitable[T]],
) -> T:
    if session is not None and session.in_transaction:
        return await work(session)
    return await in_transaction(db, work)


# --- the root key ----------------------------------------------------------------------------


async def _registry_key(
    db: Database, master_key: bytes, key_id: str, role: str, what: str
) -> SigningKey:
    """The registry's own key `key_id` (root or log), created (and audited) on first use."""
    box = _box(master_key)

    async def work(session: AsyncClientSession) -> Document:
        doc = await db[Collection.SIGNING_KEYS].find_one({"_id": key_id}, session=session)
        if doc is not None:
            return doc
        key = SigningKey.generate()
        doc = {
            "_id": key_id,
            "role": role,
            "institution": None,
            "public_key": key.public_key.multibase,
            "sealed_seed": _seal(box, key),
            "valid_from": whole_seconds(clock.now()),
            "valid_until": None,
            "schema_version": SCHEMA_VERSION,
        }
        try:
            await db[Collection.SIGNING_KEYS].insert_one(doc, session=session)
        except DuplicateKeyError:
            raise retry_transaction(f"another caller created the {what}") from None
        await audit.append(
            db,
            actor=SYSTEM,
            action=f"signing_key.create_{role}",
            entity=f"registry:{role}_key",
            before=None,
            after=_public(doc),
            session=session,
        )
        return doc

    # Read first without a transaction: after the first call this is all that ever runs.
    existing = await db[Collection.SIGNING_KEYS].find_one({"_id": key_id})
    doc = existing if existing is not None else await in_transaction(db, work)
    if "sealed_seed" not in doc:
        raise RootKeyDestroyed(
            f"the registry {role} key's secret was destroyed when the offline root took over "
            "(registry root install-certificate); use the offline root key instead"
        )
    return _unseal(box, doc)


async def root_key(db: Database, master_key: bytes) -> SigningKey:
    """The registry root key, created (and audited) on first use; `RootKeyDestroyed` once an
    offline root's certificate was installed. Only `registry/trust/offline_root.py` signs with
    it (`signer`), so that one place decides what the registry signs with."""
    return await _registry_key(db, master_key, ROOT_ID, ROOT_ROLE, "root key")


async def destroy_root_seed(db: Database, session: AsyncClientSession) -> bool:
    """Remove the root key's sealed seed, keeping its public key (verifiers pinned to it follow
    its rotations); audited. False when it was destroyed already (or never made)."""
    before = await db[Collection.SIGNING_KEYS].find_one(
        {"_id": ROOT_ID, "sealed_seed": {"$exists": True}}, session=session
    )
    if before is None:
        return False
    moment = whole_seconds(clock.now())
    await db[Collection.SIGNING_KEYS].update_one(
        {"_id": ROOT_ID},
        {"$unset": {"sealed_seed": ""}, "$set": {"destroyed_at": moment}},
        session=session,
    )
    after = _public({**before, "destroyed_at": moment})
    await audit.append(
        db,
        actor=SYSTEM,
        action="signing_key.destroy_root",
        entity="registry:root_key",
        before=_public(before),
        after=after,
        session=session,
    )
    return True


async def log_key(db: Database, master_key: bytes) -> SigningKey:
    """The transparency log's key (it signs checkpoints), created (and audited) on first use;
    the trust bundle, signed by the root key, lists it."""
    return await _registry_key(db, master_key, LOG_ID, LOG_ROLE, "log key")


async def log_key_record(db: Database, master_key: bytes) -> tuple[SigningKey, dt.datetime]:
    """The log key and the instant it is valid from."""
    key = await log_key(db, master_key)
    doc = await db[Collection.SIGNING_KEYS].find_one({"_id": LOG_ID}, {"valid_from": 1})
    assert doc is not None
    return key, utc(doc["valid_from"])


async def root_public_key(db: Database, master_key: bytes) -> PublicKey:
    """The root key's public half, also once its secret was destroyed; while the secret is kept
    it is opened, so a wrong master key is found here too (`KeyDecryptionFailed`)."""
    doc = await db[Collection.SIGNING_KEYS].find_one({"_id": ROOT_ID})
    if doc is not None and "sealed_seed" not in doc:
        return PublicKey.from_multibase(doc["public_key"])
    return (await root_key(db, master_key)).public_key


# --- institution keys ------------------------------------------------------------------------


async def institution_key(
    db: Database, master_key: bytes, uscc: str, *, session: AsyncClientSession | None = None
) -> SigningKey:
    """The institution's current key, created if it has none (valid from now).

    Inside the caller's transaction the key record is also written (a use counter): a rotation
    running at the same time then conflicts with the caller instead of retiring the key under
    it, so whatever the caller signs with this key is signed inside the key's window as long as
    its `proof.created` is taken after this call, in the same transaction.
    """
    box = _box(master_key)

    async def work(tx: AsyncClientSession) -> Document:
        doc = await db[Collection.SIGNING_KEYS].find_one_and_update(
            {"institution": uscc, "current": True},
            {"$inc": {"uses": 1}},
            return_document=ReturnDocument.AFTER,
            session=tx,
        )
        if doc is not None:
            return doc
        doc = _institution_doc(box, SigningKey.generate(), uscc, whole_seconds(clock.now()))
        race = f"another caller created the first key of {uscc}"
        await _insert_key(db, tx, doc, SYSTEM, "signing_key.create", None, race)
        return doc

    if session is None or not session.in_transaction:
        found = await db[Collection.SIGNING_KEYS].find_one(
            {"institution": uscc, "current": True}, session=session
        )
        if found is not None:
            return _unseal(box, found)
    return _unseal(box, await _in_caller_or_own_transaction(db, session, work))


async def _insert_key(
    db: Database,
    session: AsyncClientSession,
    doc: Document,
    actor: Principal,
    action: str,
    before: Document | None,
    race: str,
) -> None:
    """Insert an institution's new key record with its audit entry; losing the race to another
    caller (`race` says which) retries the transaction."""
    try:
        await db[Collection.SIGNING_KEYS].insert_one(doc, session=session)
    except DuplicateKeyError:
        raise retry_transaction(race) from None
    await audit.append(
        db,
        actor=actor,
        action=action,
        entity=f"institution:{doc['institution']}",
        before=_public(before),
        after=_public(doc),
        session=session,
    )


async def _logged_so_far(db: Database, session: AsyncClientSession) -> Document:
    """The log's size now, inside the retiring transaction: whatever this key signed is logged
    below it (a publication with the key conflicts with its retirement, see `institution_key`)."""
    return {"log_size_at_retirement": (await log.read_head(db, session)).size}


async def _require_institution(db: Database, session: AsyncClientSession, uscc: str) -> None:
    institution = await db[Collection.INSTITUTIONS].find_one(
        {"_id": uscc}, {"_id": 1}, session=session
    )
    if institution is None:
        raise NotFound(
            f"no institution with unified social credit code {uscc}",
            code="INSTITUTION_NOT_FOUND",
            field="institution",
        )


async def _retire(
    db: Database,
    session: AsyncClientSession,
    box: nacl.secret.SecretBox,
    old: Document,
    start_at: dt.datetime,
    retire_at: dt.datetime,
) -> None:
    """Close the current key's window at `retire_at`, if the next may start at `start_at`."""
    _unseal(box, old)  # a wrong master key must not seal the next key under itself
    if start_at < utc(old["valid_from"]) + _MIN_WINDOW:
        raise KeyRotationTooSoon(
            f"the current key of {old['institution']} is valid from "
            f"{utc(old['valid_from']).isoformat()}; rotate at least a second later"
        )
    retired = await db[Collection.SIGNING_KEYS].update_one(
        {"_id": old["_id"], "current": True},
        {"$set": {"current": False, "valid_until": retire_at, **await _logged_so_far(db, session)}},
        session=session,
    )
    if retired.matched_count != 1:
        raise retry_transaction("the current key changed during the rotation")


async def rotate_institution_key(
    db: Database,
    master_key: bytes,
    uscc: str,
    *,
    by: Principal,
    now: dt.datetime | None = None,
) -> KeyRecord:
    """Retire the current key at `now` and make a new key current from `now` (default: the
    commit's own time); audited, one transaction. An institution without a key gets its first."""
    decide(by, Action.ROTATE_KEY, {"_id": uscc}).require()
    box = _box(master_key)

    async def work(session: AsyncClientSession) -> Document:
        # Taken inside: after a conflict with a transaction that signed with the old key, the
        # retry's rotation time is after that signature.
        retire_at, start_at = _rotation_bounds(now or clock.now())
        await _require_institution(db, session, uscc)
        old = await db[Collection.SIGNING_KEYS].find_one(
            {"institution": uscc, "current": True}, session=session
        )
        if old is not None:
            await _retire(db, session, box, old, start_at, retire_at)
        new = _institution_doc(box, SigningKey.generate(), uscc, start_at)
        race = f"another caller created a key of {uscc}"
        await _insert_key(db, session, new, by, "signing_key.rotate", old, race)
        return new

    return record(await in_transaction(db, work))


async def institution_keys(
    db: Database, *, session: AsyncClientSession | None = None
) -> dict[str, list[KeyRecord]]:
    """Every institution's keys, retired ones included, oldest first."""
    out: dict[str, list[KeyRecord]] = {}
    projection: dict[str, Any] = {"sealed_seed": 0}
    cursor = (
        db[Collection.SIGNING_KEYS]
        .find({"role": INSTITUTION_ROLE}, projection, session=session)
        .sort([("institution", 1), ("valid_from", 1)])
    )
    async for doc in cursor:
        out.setdefault(doc["institution"], []).append(record(doc))
    return out
