"""Revocation status lists (W3C Bitstring Status List) kept by the registry.

One document per list holds two bitmaps of 131,072 bits (16 KiB each): `bits`, the published
revocation flags, and `allocated`, the indices already handed out (an allocated, unrevoked index
is a 0 bit like a free one, so the published list cannot tell them apart). Indices are drawn at
random so that an index says nothing about the order of issue; a list takes new credentials only
until half of it is allocated, so a random draw finds a free index in two tries on average and a
list never fills. Then the next list is opened.

Each list belongs to one evaluation institution (`owner`, its USCC), so the trust bundle can state
which indices are whose and a verifier can refuse a certificate that borrows another
institution's index. Lists made before owners existed (no `owner`) are legacy: they take no new
credentials, and each of their allocated indices is stated as a one-index range of the
institution whose certificate holds it (found in `certificates`, by `status_ref`), so
certificates issued before keep verifying without being re-signed.

`revision` counts changes to the published bits only (allocation does not change them); the
signed credential is cached with the revision it was signed at and re-signed only when the list
changed since, or when the registry's base URL (part of the credential's id) did.
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from dataclasses import dataclass
from typing import Any, Final

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from credentials import MIN_ENTRIES, SigningKey, StatusEntry, StatusList, status_list_credential
from registry.calendar import clock
from registry.errors import Conflict, InvalidInput, NotFound
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.storage.transactions import retry_transaction
from registry.trust import offline_root

__all__ = [
    "LIST_SIZE",
    "OwnedRange",
    "StatusRef",
    "allocate",
    "list_credential",
    "list_ids",
    "owned_ranges",
    "set_revoked",
    "signed_lists",
    "status_entry",
    "status_list_url",
]

LIST_SIZE: Final = MIN_ENTRIES
FILL_LIMIT: Final = LIST_SIZE // 2
"""A list stops taking new credentials once half of its indices are allocated."""
MAX_ALLOCATION: Final = 100_000


@dataclass(frozen=True)
class StatusRef:
    list_id: str
    index: int


@dataclass(frozen=True)
class OwnedRange:
    """Indices `start` (inclusive) to `end` (exclusive) of list `list_id`, one owner's only."""

    list_id: str
    start: int
    end: int


def status_list_url(base_url: str, list_id: str) -> str:
    return f"{base_url.rstrip('/')}/status/{list_id}"


def status_entry(base_url: str, ref: StatusRef) -> StatusEntry:
    """The certificate's `credentialStatus` for `ref` (its `id` is `<list url>#<index>`)."""
    return StatusEntry(status_list_url(base_url, ref.list_id), ref.index)


def _new_list(seq: int, owner: str) -> Document:
    empty = bytes(LIST_SIZE // 8)
    return {
        "_id": str(seq),
        "seq": seq,
        "owner": owner,
        "size": LIST_SIZE,
        "bits": empty,
        "allocated": empty,
        "allocated_count": 0,
        "revision": 0,
        "created_at": clock.now(),
        "schema_version": SCHEMA_VERSION,
    }


def _draw(allocated: StatusList, count: int) -> list[int]:
    # The list is at most half allocated, so each draw succeeds with probability >= 1/2.
    picked: list[int] = []
    while len(picked) < count:
        index = secrets.randbelow(len(allocated))
        if not allocated.get(index):
            allocated.set(index)
            picked.append(index)
    return picked


async def _open_list(db: Database, owner: str, session: AsyncClientSession) -> Document:
    """`owner`'s newest list if it still takes credentials, else a new one of its own."""
    lists = db[Collection.STATUS_LISTS]
    newest = await lists.find_one(
        {"owner": owner}, {"bits": 0}, sort=[("seq", -1)], session=session
    )
    if newest is not None and newest["allocated_count"] < FILL_LIMIT:
        return newest
    last = await lists.find_one({}, {"seq": 1}, sort=[("seq", -1)], session=session)
    doc = _new_list(last["seq"] + 1 if last is not None else 1, owner)
    try:
        await db[Collection.STATUS_LISTS].insert_one(doc, session=session)
    except DuplicateKeyError:
        raise retry_transaction("another transaction opened the next status list") from None
    return doc


async def allocate(
    db: Database, count: int, *, owner: str, session: AsyncClientSession
) -> list[StatusRef]:
    """`count` distinct random free indices of `owner`'s own lists (`owner`: the issuing
    institution's USCC), allocated in the caller's transaction.

    Concurrent allocators write the same list document, so all but one get a write conflict and
    their transaction is retried by `with_transaction`: no index is handed out twice.
    """
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_ALLOCATION:
        raise InvalidInput(f"count must be an integer from 0 to {MAX_ALLOCATION}")
    if not session.in_transaction:
        raise RuntimeError("status_lists.allocate needs a session inside a transaction")
    refs: list[StatusRef] = []
    while len(refs) < count:
        doc = await _open_list(db, owner, session)
        take = min(FILL_LIMIT - doc["allocated_count"], count - len(refs))
        allocated = StatusList.from_bytes(bytes(doc["allocated"]))
        picked = _draw(allocated, take)
        written = await db[Collection.STATUS_LISTS].update_one(
            {"_id": doc["_id"], "allocated_count": doc["allocated_count"]},
            {"$set": {"allocated": allocated.to_bytes()}, "$inc": {"allocated_count": take}},
            session=session,
        )
        if written.matched_count != 1:
            raise retry_transaction("the status list changed during allocation")
        refs.extend(StatusRef(doc["_id"], index) for index in picked)
    return refs


async def set_revoked(db: Database, ref: StatusRef, *, session: AsyncClientSession | None) -> None:
    """Set the revocation bit of `ref` (idempotent: an already revoked index is left as it is)."""
    doc = await db[Collection.STATUS_LISTS].find_one({"_id": ref.list_id}, session=session)
    if doc is None:
        raise NotFound(f"no status list {ref.list_id}", code="STATUS_LIST_NOT_FOUND")
    allocated = StatusList.from_bytes(bytes(doc["allocated"]))
    if not 0 <= ref.index < len(allocated) or not allocated.get(ref.index):
        raise InvalidInput(
            f"index {ref.index} of status list {ref.list_id} was never allocated",
            code="STATUS_INDEX_NOT_ALLOCATED",
        )
    bits = StatusList.from_bytes(bytes(doc["bits"]))
    if bits.get(ref.index):
        return
    bits.set(ref.index)
    written = await db[Collection.STATUS_LISTS].update_one(
        {"_id": ref.list_id, "revision": doc["revision"]},
        {
            "$set": {"bits": bits.to_bytes(), "revised_at": clock.now()},
            "$inc": {"revision": 1},
        },
        session=session,
    )
    if written.matched_count != 1:
        if session is not None and session.in_transaction:
            raise retry_transaction("the status list changed during revocation")
        raise Conflict("the status list changed while revoking; retry")


async def _cached(
    db: Database, doc: Document, url: str, signer: SigningKey, session: AsyncClientSession | None
) -> dict[str, Any] | None:
    """The list's signed credential as cached, if it is of this revision, URL and signer (a new
    bundle key re-signs every list: registry/trust/offline_root.py)."""
    cached = await db[Collection.STATUS_LIST_CREDENTIALS].find_one(
        {"_id": doc["_id"]}, session=session
    )
    if cached is None or cached["revision"] != doc["revision"] or cached["url"] != url:
        return None
    credential: dict[str, Any] = json.loads(cached["body"])
    method = credential.get("proof", {}).get("verificationMethod")
    return credential if method == signer.public_key.verification_method else None


async def _sign(
    db: Database,
    doc: Document,
    base_url: str,
    root: SigningKey,
    *,
    now: dt.datetime,
    session: AsyncClientSession | None,
) -> dict[str, Any]:
    """Sign the list as stored in `doc` and cache the credential with `doc`'s revision."""
    url = status_list_url(base_url, doc["_id"])
    # No validUntil: a bundle re-embeds the list at every build, and its `issued` is the
    # freshness a verifier checks; an expiring list would need re-signing even when unchanged.
    credential = status_list_credential(
        url, StatusList.from_bytes(bytes(doc["bits"])), base_url, root, valid_from=now
    )
    record = {
        "revision": doc["revision"],
        "url": url,
        "signed_at": now,
        "body": json.dumps(credential, ensure_ascii=False, separators=(",", ":")),
        "schema_version": SCHEMA_VERSION,
    }
    if session is not None and session.in_transaction:
        # Inside one snapshot the cache is never ahead of the list it was read with.
        try:
            await db[Collection.STATUS_LIST_CREDENTIALS].replace_one(
                {"_id": doc["_id"]}, record, upsert=True, session=session
            )
        except DuplicateKeyError:
            raise retry_transaction("another caller cached this status list") from None
        return credential
    try:
        # Never replace a credential signed at a later revision with this one.
        await db[Collection.STATUS_LIST_CREDENTIALS].replace_one(
            {"_id": doc["_id"], "revision": {"$lte": doc["revision"]}}, record, upsert=True
        )
    except DuplicateKeyError:
        pass  # a later revision is cached already; ours is still a valid signed snapshot
    return credential


async def list_credential(
    db: Database, master_key: bytes, base_url: str, list_id: str
) -> dict[str, Any] | None:
    """The signed `BitstringStatusListCredential` of `list_id`, or None for an unknown id."""
    doc = await db[Collection.STATUS_LISTS].find_one({"_id": list_id}, {"allocated": 0})
    if doc is None:
        return None
    moment = clock.now()
    # The bundle's signer: the root, or the bundle key it certified when the root is offline.
    signer = await offline_root.signer(db, master_key, now=moment)
    cached = await _cached(db, doc, status_list_url(base_url, list_id), signer.key, None)
    if cached is not None:
        return cached
    return await _sign(db, doc, base_url, signer.key, now=moment, session=None)


async def signed_lists(
    db: Database,
    root: SigningKey,
    base_url: str,
    *,
    now: dt.datetime,
    session: AsyncClientSession | None = None,
) -> dict[str, dict[str, Any]]:
    """Every list's signed credential by its URL, as the trust bundle embeds them."""
    out: dict[str, dict[str, Any]] = {}
    cursor = db[Collection.STATUS_LISTS].find({}, {"allocated": 0}, session=session).sort("seq", 1)
    # Read all first: the loop writes through the same session.
    for doc in [d async for d in cursor]:
        url = status_list_url(base_url, doc["_id"])
        cached = await _cached(db, doc, url, root, session)
        out[url] = cached or await _sign(db, doc, base_url, root, now=now, session=session)
    return out


async def owned_ranges(
    db: Database, *, session: AsyncClientSession | None = None
) -> dict[str, list[OwnedRange]]:
    """Each institution's (USCC's) ranges: the whole of every list it owns, and one range per run
    of consecutive indices its certificates hold in legacy lists."""
    out: dict[str, list[OwnedRange]] = {}
    legacy: list[str] = []
    cursor = db[Collection.STATUS_LISTS].find({}, {"owner": 1, "size": 1}, session=session)
    async for doc in cursor.sort("seq", 1):
        if doc.get("owner") is None:
            legacy.append(doc["_id"])
        else:
            out.setdefault(doc["owner"], []).append(OwnedRange(doc["_id"], 0, doc["size"]))
    if legacy:
        for owner, ranges in (await _legacy_ranges(db, legacy, session)).items():
            out.setdefault(owner, []).extend(ranges)
    return out


async def _legacy_ranges(
    db: Database, legacy: list[str], session: AsyncClientSession | None
) -> dict[str, list[OwnedRange]]:
    held: dict[tuple[str, str], list[int]] = {}
    cursor = db[Collection.CERTIFICATES].find(
        {"status_ref.list_id": {"$in": legacy}},
        {"institution": 1, "status_ref": 1},
        session=session,
    )
    async for doc in cursor:
        ref = doc["status_ref"]
        held.setdefault((doc["institution"], ref["list_id"]), []).append(int(ref["index"]))
    out: dict[str, list[OwnedRange]] = {}
    for (owner, list_id), indices in sorted(held.items()):
        runs = out.setdefault(owner, [])
        for index in sorted(set(indices)):
            last = runs[-1] if runs else None
            if last is not None and last.list_id == list_id and last.end == index:
                runs[-1] = OwnedRange(list_id, last.start, index + 1)
            else:
                runs.append(OwnedRange(list_id, index, index + 1))
    return out


async def list_ids(db: Database) -> list[str]:
    return [
        doc["_id"] async for doc in db[Collection.STATUS_LISTS].find({}, {"_id": 1}).sort("seq", 1)
    ]
