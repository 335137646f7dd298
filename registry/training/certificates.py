"""Training certificates (培训合格证书): the public look-up, revocation, and the cohorts a caller sees.

The look-up needs the number and the holder's name; unknown and name-mismatch answer the same
"not found", so the registry is no oracle for who trained where. Revocation takes the hours off
the holder's continuing-education record in the same transaction; nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.certificates import lookup, numbers, revocation
from registry.intake.names import name_key
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.transitions import clean_reason
from registry.training import policy
from registry.training.model import (
    CERTIFICATE_MOVES,
    TRAINING_CERTIFICATE,
    CreditStatus,
    TrainingAction,
    TrainingCertificateStatus,
)
from registry.trust import audit


@dataclass(frozen=True)
class TrainingCertificate:
    number: str
    holder_name: str
    institution: str
    occupation: str
    field: str
    direction: str | None
    level: int
    hours: float
    start_date: dt.date
    end_date: dt.date
    issued_at: dt.datetime
    revoked: bool
    revoked_at: dt.datetime | None
    revocation_reason: str | None


def public_view(doc: Document) -> TrainingCertificate:
    return TrainingCertificate(
        **lookup.shared_fields(doc, TrainingCertificateStatus.REVOKED),
        institution=doc["institution"],
        hours=doc["hours"],
        start_date=dt.date.fromisoformat(doc["start_date"]),
        end_date=dt.date.fromisoformat(doc["end_date"]),
        issued_at=doc["issued_at"],
    )


def parse_training_number(raw: str) -> str:
    """The normalised number; `CertificateNumberError` for a malformed one or a Z number."""
    parsed = numbers.parse(raw)
    if parsed.kind != "P":
        raise numbers.CertificateNumberError(
            "a training certificate number starts with P",
            code="NOT_A_TRAINING_CERTIFICATE",
            field="number",
        )
    return str(parsed)


_PROJECTION = {"id_hash": 0}


async def by_number(db: Database, number: str, holder_name: str) -> TrainingCertificate | None:
    """Raises `CertificateNumberError` for a malformed number (before any look-up)."""
    value = parse_training_number(number)
    doc = await db[Collection.TRAINING_CERTIFICATES].find_one({"_id": value}, _PROJECTION)
    if doc is None or name_key(doc["name"]) != name_key(holder_name):
        return None
    return public_view(doc)


async def revoke(
    db: Database, principal: Principal, number: str, reason: str, *, now: dt.datetime | None = None
) -> TrainingCertificate:
    """Revoke a training certificate and take its hours off the holder's record, in one
    transaction; revoking it again (a retry, or a second revoker) changes nothing."""
    action = TrainingAction.REVOKE_CERTIFICATE
    policy.decide(principal, action).require()
    value = parse_training_number(number)
    text = clean_reason(reason, "revocation")

    def authorize(doc: Document) -> None:
        policy.decide(principal, action, doc).require()

    async def void_credits(doc: Document, session: AsyncClientSession) -> None:
        await db[Collection.CE_CREDITS].update_many(
            {"certificate": value, "status": CreditStatus.ACTIVE},
            {"$set": {"status": CreditStatus.REVOKED.value, "revoked_at": moment}},
            session=session,
        )

    moment = now or audit.now()  # milliseconds, as stored: it reads back equal
    revoked = await revocation.revoke_record(
        db,
        TRAINING_CERTIFICATE,
        CERTIFICATE_MOVES,
        principal,
        value,
        action,
        text,
        moment,
        authorize,
        void_credits,
    )
    return public_view(revoked)


async def cohort(db: Database, principal: Principal, cid: str) -> Document | None:
    doc = await db[Collection.TRAINING_COHORTS].find_one({"_id": cid})
    if doc is None or not policy.decide(principal, TrainingAction.VIEW_COHORT, doc).allowed:
        return None  # the same answer for "not yours" and "not there"
    return doc


async def cohorts(
    db: Database, principal: Principal, *, limit: int, after: str | None
) -> tuple[list[Document], bool]:
    """The cohorts the caller may see, by id; `Forbidden` for the public and evaluators."""
    query = _visible_cohorts(principal)
    if after is not None:
        query["_id"] = {"$gt": after}
    cursor = db[Collection.TRAINING_COHORTS].find(query).sort("_id", 1).limit(limit + 1)
    docs = [d async for d in cursor]
    return docs[:limit], len(docs) > limit


async def count_cohorts(db: Database, principal: Principal) -> int:
    """How many cohorts `cohorts` lists to the caller, over all pages."""
    return await db[Collection.TRAINING_COHORTS].count_documents(_visible_cohorts(principal))


def _visible_cohorts(principal: Principal) -> Document:
    return policy.decide(principal, TrainingAction.LIST_COHORTS).require().scope.query()
