"""Public look-ups. A certificate is found by its number and the holder's name, or by the holder's
ID number and name. Unknown, unpublished and name-mismatch all answer the same "not found", so the
registry is no oracle for who holds what; the ID number is only ever used as a keyed hash."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from registry.certificates import numbers
from registry.certificates.cache import CertificateCache
from registry.db import Database, Document
from registry.identifiers import normalise_id_number
from registry.personal import PersonalData
from registry.rows import normalise_name

PUBLIC_STATES = ("PUBLISHED", "REVOKED")


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


def _public(doc: Document) -> PublicCertificate:
    revocation = doc.get("revocation") or {}
    return PublicCertificate(
        number=doc["_id"],
        holder_name=doc["name"],
        occupation=doc["occupation"],
        field=doc["field"],
        direction=doc.get("direction"),
        level=doc["level"],
        issuer=doc["institution"],
        exam_date=dt.date.fromisoformat(doc["exam_date"]),
        issued_at=doc["published_at"],
        revoked=doc["status"] == "REVOKED",
        revoked_at=revocation.get("at"),
        revocation_reason=revocation.get("reason"),
        credential=doc["credential"],
    )


# Only what the public view needs: never the id hash, the binding's inputs or the batch.
_PROJECTION = {"id_hash": 0, "batch": 0}

# What the cache keeps per number: the holder's normalised name and the public view.
LookupCache = CertificateCache[tuple[str, PublicCertificate]]


async def by_number(
    db: Database, number: str, holder_name: str, cache: LookupCache | None = None
) -> PublicCertificate | None:
    """Raises `CertificateNumberError` for a malformed number (before any look-up). With a
    `cache`, a published certificate is read from the database once while it stays unchanged."""
    value = str(numbers.parse(number))
    entry = cache.get(value) if cache is not None else None
    if entry is None:
        ticket = cache.ticket() if cache is not None else 0
        # By `_id` alone (the fastest plan here), the status checked below: half the database time.
        doc = await db.certificates.find_one({"_id": value}, _PROJECTION)
        if doc is None or doc["status"] not in PUBLIC_STATES:
            return None
        entry = (normalise_name(doc["name"]), _public(doc))
        if cache is not None:
            cache.put(value, entry, ticket)
    name, found = entry
    return found if name == normalise_name(holder_name) else None


async def by_holder(
    db: Database, personal: PersonalData, id_number: str, holder_name: str
) -> list[PublicCertificate]:
    """Raises `IdNumberError` (whose message never repeats the number) for an invalid number."""
    id_hash = personal.lookup_hash(normalise_id_number(id_number))
    name = normalise_name(holder_name)
    docs = db.certificates.find(
        {"id_hash": id_hash, "status": {"$in": PUBLIC_STATES}}, _PROJECTION
    ).sort("_id", 1)
    return [_public(d) async for d in docs if normalise_name(d["name"]) == name]
