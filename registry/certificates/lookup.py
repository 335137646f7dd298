"""Public look-ups. A certificate is found by its number and the holder's name, or by the holder's
ID number and name. Unknown, unpublished and name-mismatch all answer the same "not found", so the
registry is no oracle for who holds what; the ID number is only ever used as a keyed hash."""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass
from typing import Any

import orjson

from registry.access.personal import PersonalData
from registry.certificates import numbers
from registry.certificates.cache import CertificateCache
from registry.certificates.model import CertificateStatus
from registry.intake.identifiers import normalise_id_number
from registry.intake.names import name_key
from registry.storage.collections import Collection
from registry.storage.db import Database, Document

PUBLIC_STATES = tuple(s.value for s in CertificateStatus)


@dataclass(frozen=True)
class PublicCertificate:
    number: str
    holder_name: str
    occupation: str
    field: str
    direction: str | None
    level: int
    issuer: str
    exam_date: dt.date
    issued_at: dt.datetime
    revoked: bool
    revoked_at: dt.datetime | None
    revocation_reason: str | None
    credential: dict[str, Any]


def shared_fields(doc: Document, revoked: str) -> dict[str, Any]:
    """What the public view of a stored certificate of either kind (assessment or training)
    shows alike: number, holder, occupation, level and revocation; `revoked` is its kind's
    revoked status."""
    revocation = doc.get("revocation") or {}
    return {
        "number": doc["_id"],
        "holder_name": doc["name"],
        "occupation": doc["occupation"],
        "field": doc["field"],
        "direction": doc.get("direction"),
        "level": doc["level"],
        "revoked": doc["status"] == revoked,
        "revoked_at": revocation.get("at"),
        "revocation_reason": revocation.get("reason"),
    }


def _public(doc: Document) -> PublicCertificate:
    return PublicCertificate(
        **shared_fields(doc, CertificateStatus.REVOKED),
        issuer=doc["institution"],
        exam_date=dt.date.fromisoformat(doc["exam_date"]),
        issued_at=doc["published_at"],
        credential=doc["credential"],
    )


# Only what the public view needs: never the id hash, the binding's inputs or the batch.
_PROJECTION = {"id_hash": 0, "batch": 0}


@dataclass(frozen=True)
class CachedCertificate:
    """What the look-up cache keeps per number: the holder's normalised name, the public view
    without its credential, and the credential as JSON bytes: 4.8 KB and 2 objects for the
    garbage collector to track per entry, against 7.7 KB and 9 with the decoded credential
    (tracemalloc, a typical credential). Each hit decodes its own credential dict, so no request
    can change what another gets."""

    name: str
    view: PublicCertificate
    credential: bytes

    @classmethod
    def of(cls, found: PublicCertificate, name: str) -> CachedCertificate | None:
        """`name`: the key of the holder's name (`name_key`)."""
        try:
            credential = orjson.dumps(found.credential)
        except TypeError:  # not plain JSON (never so for credentials the registry signs)
            return None
        return cls(name, dataclasses.replace(found, credential={}), credential)

    def public(self) -> PublicCertificate:
        return dataclasses.replace(self.view, credential=orjson.loads(self.credential))


LookupCache = CertificateCache[CachedCertificate]


async def by_number(
    db: Database, number: str, holder_name: str, cache: LookupCache | None = None
) -> PublicCertificate | None:
    """Raises `CertificateNumberError` for a malformed number (before any look-up). With a
    `cache`, a published certificate is read from the database once while it stays unchanged."""
    value = str(numbers.parse(number))
    if cache is not None and (entry := cache.get(value)) is not None:
        return entry.public() if entry.name == name_key(holder_name) else None
    ticket = cache.ticket() if cache is not None else 0
    # By `_id` alone (the fastest plan here), the status checked below: half the database time.
    doc = await db[Collection.CERTIFICATES].find_one({"_id": value}, _PROJECTION)
    if doc is None or doc["status"] not in PUBLIC_STATES:
        return None
    found = _public(doc)
    name = name_key(doc["name"])
    if cache is not None and (entry := CachedCertificate.of(found, name)) is not None:
        cache.put(value, entry, ticket)
    return found if name == name_key(holder_name) else None


async def by_holder(
    db: Database, personal: PersonalData, id_number: str, holder_name: str
) -> list[PublicCertificate]:
    """Raises `IdNumberError` (whose message never repeats the number) for an invalid number."""
    id_hash = personal.lookup_hash(normalise_id_number(id_number))
    name = name_key(holder_name)
    docs = (
        db[Collection.CERTIFICATES]
        .find({"id_hash": id_hash, "status": {"$in": PUBLIC_STATES}}, _PROJECTION)
        .sort("_id", 1)
    )
    return [_public(d) async for d in docs if name_key(d["name"]) == name]
