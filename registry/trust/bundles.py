"""The trust bundle, built from the database and signed by the registry root key.

It carries every institution that was ever listed (listing periods with their scopes, every key
with its window, retired ones included, the digits its certificate numbers carry and the ranges
of the status lists that are its own), the occupations with both codes, and the signed status
lists, as of `issued`.

Dates. The registry stores a listing period as `start` (first day) and `until`, EXCLUSIVE (the
first day no longer listed); the bundle states `until` as the LAST listed day, inclusive, both as
China dates. So the bundle's `until` is the registry's minus one day, and a period that covers no
day at all (suspended on its first day: `until == start`) is left out, since it has no last day.

Sequence. Every build takes the next value of a counter in the same transaction that reads the
state it signs. Two builds that overlap write the same counter document, so one of them is
retried from a fresh snapshot: sequences are unique, and a higher sequence never shows an older
state than a lower one (a revocation seen by bundle n is in every bundle after n).

Reuse. `latest_bundle` returns the last bundle while it is younger than `max_age` and its state
stamp (a digest of cheap aggregates that change whenever something in a bundle does: the sum of
listed institutions' revisions, the number of keys, the status lists' revisions, the occupations,
the base URL) still matches. The check runs inside the same transaction as the build, so callers
racing to replace a stale bundle end up sharing the first one built. Bundles are kept compressed
with their digest; the bodies of all but the last `KEEP_BODIES` are dropped (digest kept).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import zlib
from dataclasses import dataclass
from typing import Any, Final

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

import credentials
from credentials import LogEntry, PublicKey
from credentials.transparency import NoteKey, NoteSigner
from registry.access.auth import SYSTEM
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.storage.collections import Collection
from registry.storage.db import SCHEMA_VERSION, Database, Document
from registry.storage.transactions import in_transaction
from registry.transparency import checkpoints, witnesses
from registry.trust import audit, keystore, offline_root, status_lists

__all__ = [
    "DEFAULT_MAX_AGE",
    "build_bundle",
    "bundle_period",
    "latest_bundle",
]

SEQUENCE_COUNTER: Final = "trust_bundle_sequence"
DEFAULT_MAX_AGE: Final = dt.timedelta(minutes=10)
KEEP_BODIES: Final = 50
ISSUER_PREFIX: Final = "urn:uscc:"
_LISTED: Final[Document] = {"listings.0": {"$exists": True}}


def bundle_period(stored: Document) -> credentials.ListingPeriod | None:
    """A stored listing period (`until` exclusive) as the bundle states it (`until` inclusive);
    None when it covers no day."""
    start = dt.date.fromisoformat(str(stored["start"]))
    until = dt.date.fromisoformat(str(stored["until"]))
    if until <= start:
        return None
    scope = tuple(
        credentials.ScopeEntry(
            occupation=entry["occupation"],
            level=int(entry["level"]),
            direction=entry.get("direction") or None,
        )
        for entry in stored.get("scope") or []
    )
    return credentials.ListingPeriod(start, until - dt.timedelta(days=1), scope)


async def _occupations(db: Database) -> list[credentials.Occupation]:
    out: list[credentials.Occupation] = []
    after: str | None = None
    while True:
        page, more = await catalogue.occupations(db, limit=catalogue.MAX_PAGE, after=after)
        for occ in page:
            others = tuple(c.code for c in occ.codes if c.code != occ.code)
            out.append(credentials.Occupation((occ.code, *others), occ.name))
        if not more or not page:
            return out
        after = page[-1].sort_key


def _status_ranges(
    base_url: str, owned: list[status_lists.OwnedRange]
) -> tuple[credentials.StatusRange, ...]:
    return tuple(
        credentials.StatusRange(status_lists.status_list_url(base_url, r.list_id), r.start, r.end)
        for r in owned
    )


async def _institutions(
    db: Database, base_url: str, session: AsyncClientSession
) -> list[credentials.Institution]:
    keys = await keystore.institution_keys(db, session=session)
    ranges = await status_lists.owned_ranges(db, session=session)
    projection = {"name": 1, "kind": 1, "province": 1, "listings": 1, "number": 1}
    out: list[credentials.Institution] = []
    async for doc in (
        db[Collection.INSTITUTIONS].find(_LISTED, projection, session=session).sort("_id", 1)
    ):
        ident = ISSUER_PREFIX + doc["_id"]
        periods = (bundle_period(p) for p in doc["listings"])
        out.append(
            credentials.Institution(
                id=ident,
                name=doc["name"],
                kind=doc["kind"],
                province=doc["province"],
                listings=tuple(p for p in periods if p is not None),
                keys=tuple(_bundle_key(k, ident) for k in keys.get(doc["_id"], [])),
                # Positions 2-7 of its certificate numbers (registry/certificates/numbers.py).
                number_prefix=doc["province"] + doc["number"] if doc.get("number") else None,
                status_ranges=_status_ranges(base_url, ranges.get(doc["_id"], [])),
            )
        )
    return out


def _bundle_key(key: keystore.KeyRecord, ident: str) -> credentials.BundleKey:
    """An institution key as the bundle states it, with what the log says of its retirement
    or compromise."""
    return credentials.BundleKey(
        PublicKey.from_multibase(key.public_key_multibase),
        key.valid_from,
        key.valid_until,
        ident,
        log_size_at_retirement=key.log_size_at_retirement if key.valid_until else None,
        compromised_at=key.compromised_at,
        log_size_at_compromise=key.log_size_at_compromise,
    )


@dataclass(frozen=True)
class _Log:
    """What the bundle lists of the transparency log: its key (valid from its creation) and
    the witnesses whose cosignatures count."""

    entry: LogEntry
    witnesses: tuple[NoteKey, ...]

    @property
    def material(self) -> list[Any]:
        return [self.entry.key.vkey, [w.vkey for w in self.witnesses]]


async def _log(db: Database, master_key: bytes, base_url: str) -> _Log:
    key, valid_from = await keystore.log_key_record(db, master_key)
    origin = checkpoints.origin(base_url)
    note_key = NoteSigner(origin, key).key
    return _Log(LogEntry(origin, note_key, valid_from), tuple(await witnesses.keys(db)))


async def _key_marks(db: Database, session: AsyncClientSession) -> list[list[Any]]:
    """The compromised keys and their marks (a mark changes no count or revision)."""
    cursor = db[Collection.SIGNING_KEYS].find(
        {"compromised_at": {"$ne": None}, "role": keystore.INSTITUTION_ROLE},
        {"compromised_at": 1},
        session=session,
    )
    return [[str(d["_id"]), str(d["compromised_at"])] async for d in cursor.sort("_id", 1)]


async def _sum_and_count(
    db: Database, collection: Collection, match: Document, session: AsyncClientSession
) -> list[int]:
    pipeline: list[Document] = [
        {"$match": match},
        {"$group": {"_id": None, "n": {"$sum": 1}, "revisions": {"$sum": "$revision"}}},
    ]
    rows = await (await db[collection].aggregate(pipeline, session=session)).to_list()
    return [int(rows[0]["n"]), int(rows[0]["revisions"])] if rows else [0, 0]


async def _stamp(
    db: Database,
    base_url: str,
    occupations: list[credentials.Occupation],
    log: _Log,
    signer: offline_root.BundleSigner,
    session: AsyncClientSession,
) -> str:
    """A digest that changes whenever anything a bundle states changes (revisions only grow,
    keys and lists are never deleted)."""
    material = [
        credentials.BUNDLE_FORMAT_VERSION,  # a new format never reuses a bundle of the old one
        base_url,
        await _sum_and_count(db, Collection.INSTITUTIONS, _LISTED, session),
        await db[Collection.SIGNING_KEYS].count_documents(
            {"role": keystore.INSTITUTION_ROLE}, session=session
        ),
        await _sum_and_count(db, Collection.STATUS_LISTS, {}, session),
        [[list(o.codes), o.name] for o in occupations],
        log.material,
        await _key_marks(db, session),
        # A new bundle key, certificate or rotation is a new bundle.
        [signer.key.public_key.multibase, signer.certificate, list(signer.rotations)],
    ]
    text = json.dumps(material, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


async def _next_sequence(db: Database, session: AsyncClientSession) -> int:
    counter = await db[Collection.COUNTERS].find_one_and_update(
        {"_id": SEQUENCE_COUNTER},
        {"$inc": {"value": 1}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    assert counter is not None  # upsert + AFTER always returns the document
    return int(counter["value"])


def _utc(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC) if value.tzinfo is None else value


def _body(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _reusable(
    latest: Document | None, stamp: str, moment: dt.datetime, max_age: dt.timedelta
) -> bool:
    if latest is None or "body" not in latest or latest["stamp"] != stamp:
        return False
    age = moment - _utc(latest["issued"])
    return dt.timedelta(0) <= age < max_age


async def _reuse(
    db: Database, session: AsyncClientSession, stamp: str, moment: dt.datetime, within: dt.timedelta
) -> dict[str, Any] | None:
    """The latest bundle, when it is younger than `within` and still shows the same state."""
    latest = await db[Collection.TRUST_BUNDLES].find_one({}, sort=[("_id", -1)], session=session)
    if latest is None or not _reusable(latest, stamp, moment, within):
        return None
    document: dict[str, Any] = json.loads(zlib.decompress(latest["body"]))
    return document


async def _store(
    db: Database,
    session: AsyncClientSession,
    sequence: int,
    moment: dt.datetime,
    stamp: str,
    signed: dict[str, Any],
) -> None:
    body = _body(signed)
    digest = hashlib.sha256(body).hexdigest()
    await db[Collection.TRUST_BUNDLES].insert_one(
        {
            "_id": sequence,
            "issued": moment,
            "stamp": stamp,
            "sha256": digest,
            "body": zlib.compress(body, 6),
            "schema_version": SCHEMA_VERSION,
        },
        session=session,
    )
    # Audited, so that the publication reaches the transparency log (a `bundle.published` leaf).
    await audit.append(
        db,
        actor=SYSTEM,
        action="trust_bundle.publish",
        entity=f"trust_bundle:{sequence}",
        before=None,
        after={"sequence": sequence, "digest": f"sha256:{digest}"},
        session=session,
    )


async def _drop_old_bodies(db: Database, built: int) -> None:
    """Old bodies are only history; the digest of every bundle ever issued stays."""
    if built > KEEP_BODIES:
        await db[Collection.TRUST_BUNDLES].update_many(
            {"_id": {"$lte": built - KEEP_BODIES}, "body": {"$exists": True}},
            {"$unset": {"body": ""}},
        )


async def _issue(
    db: Database,
    master_key: bytes,
    base_url: str,
    *,
    now: dt.datetime | None,
    reuse_within: dt.timedelta | None,
) -> dict[str, Any]:
    if now is not None and (now.tzinfo is None or now.utcoffset() is None):
        raise ValueError("now must be timezone-aware")
    base_url = base_url.rstrip("/")
    # The root, or the bundle key it certified (registry/trust/offline_root.py); outside the
    # transaction, as the root key is created on first use.
    signer = await offline_root.signer(db, master_key, now=now or clock.now())
    log = await _log(db, master_key, base_url)  # the log key too
    occupations = await _occupations(db)

    async def work(session: AsyncClientSession) -> tuple[dict[str, Any], int | None]:
        # Taken per attempt: a retry after a concurrent build is later than that bundle.
        moment = now or clock.now()
        stamp = await _stamp(db, base_url, occupations, log, signer, session)
        if reuse_within is not None:
            reused = await _reuse(db, session, stamp, moment, reuse_within)
            if reused is not None:
                return reused, None
        # The counter first: an overlapping build conflicts here, before the signing work.
        sequence = await _next_sequence(db, session)
        unsigned = credentials.build_bundle(
            issued=moment,
            sequence=sequence,
            institutions=await _institutions(db, base_url, session),
            occupations=occupations,
            status_lists=await status_lists.signed_lists(
                db, signer.key, base_url, now=moment, session=session
            ),
            logs=[log.entry],
            witnesses=log.witnesses,
            certificate=signer.certificate,
            rotations=signer.rotations,
        )
        signed = credentials.sign_bundle(unsigned, signer.key, created=moment)
        await _store(db, session, sequence, moment, stamp, signed)
        return signed, sequence

    document, built = await in_transaction(db, work)
    if built is not None:
        await _drop_old_bodies(db, built)
        await checkpoints.sign(db, master_key, base_url)  # covering its `bundle.published`
    return document


async def build_bundle(
    db: Database, master_key: bytes, base_url: str, *, now: dt.datetime | None = None
) -> dict[str, Any]:
    """A new signed bundle with the next sequence number, stored as the latest."""
    return await _issue(db, master_key, base_url, now=now, reuse_within=None)


async def latest_bundle(
    db: Database,
    master_key: bytes,
    base_url: str,
    *,
    max_age: dt.timedelta = DEFAULT_MAX_AGE,
    now: dt.datetime | None = None,
) -> dict[str, Any]:
    """The last bundle if it is younger than `max_age` and still states the current data,
    else a new one."""
    return await _issue(db, master_key, base_url, now=now, reuse_within=max_age)
