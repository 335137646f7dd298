"""Training certificates (培训合格证书): the public look-up, revocation, and who sees which cohort.

The look-up needs the number and the holder's name; unknown and name-mismatch answer the same
"not found", so the registry is no oracle for who trained where. Revocation takes the hours off
the holder's continuing-education record in the same transaction; nothing is deleted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from registry import audit
from registry.auth import Principal, Role
from registry.certificates import numbers
from registry.db import Database, Document
from registry.errors import Forbidden, NotFound
from registry.problems import reject
from registry.rows import normalise_name
from registry.training import rules
from registry.training.submission import ACTIVE, CERTIFICATES, COHORTS, CREDITS, ISSUED, REVOKED
from registry.transactions import in_transaction

MAX_REASON = 2000


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
    revocation = doc.get("revocation") or {}
    return TrainingCertificate(
        number=doc["_id"],
        holder_name=doc["name"],
        institution=doc["institution"],
        occupation=doc["occupation"],
        field=doc["field"],
        direction=doc.get("direction"),
        level=doc["level"],
        hours=doc["hours"],
        start_date=dt.date.fromisoformat(doc["start_date"]),
        end_date=dt.date.fromisoformat(doc["end_date"]),
        issued_at=doc["issued_at"],
        revoked=doc["status"] == REVOKED,
        revoked_at=revocation.get("at"),
        revocation_reason=revocation.get("reason"),
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
    doc = await db[CERTIFICATES].find_one({"_id": value}, _PROJECTION)
    if doc is None or normalise_name(doc["name"]) != normalise_name(holder_name):
        return None
    return public_view(doc)


async def revoke(
    db: Database, principal: Principal, number: str, reason: str, *, now: dt.datetime | None = None
) -> TrainingCertificate:
    rules.require(principal, "revokeTrainingCertificate")
    value = parse_training_number(number)
    text = (reason or "").strip()
    if not text or len(text) > MAX_REASON:
        raise reject(
            "reason", "REASON_REQUIRED", f"revocation needs a reason (1-{MAX_REASON} characters)"
        )
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal

    async def work(session: AsyncClientSession) -> Document:
        cert = await db[CERTIFICATES].find_one({"_id": value}, session=session)
        if cert is None:
            raise NotFound(
                "no training certificate with this number",
                code="TRAINING_CERTIFICATE_NOT_FOUND",
                field="number",
            )
        if (
            principal.role is Role.TRAINING_INSTITUTION
            and principal.institution != cert["institution"]
        ):
            raise Forbidden(
                "revokeTrainingCertificate: an institution may revoke only certificates it issued"
            )
        if cert["status"] == REVOKED:
            return cert  # a retry, or a second revoker: nothing changes
        new = {
            **cert,
            "status": REVOKED,
            "revocation": {"at": moment, "reason": text, "by": principal.actor},
        }
        replaced = await db[CERTIFICATES].replace_one(
            {"_id": value, "status": ISSUED}, new, session=session
        )
        if replaced.matched_count != 1:
            raise reject("number", "CONFLICT", "the certificate changed meanwhile; retry")
        await db[CREDITS].update_many(
            {"certificate": value, "status": ACTIVE},
            {"$set": {"status": REVOKED, "revoked_at": moment}},
            session=session,
        )
        await audit.append(
            db,
            actor=principal,
            action="training.revokeCertificate",
            entity=f"training_certificate:{value}",
            before=cert,
            after=new,
            session=session,
        )
        return new

    return public_view(await in_transaction(db, work))


def can_see_cohort(principal: Principal, doc: Document) -> bool:
    if principal.role in (Role.OFFICE_ADMIN, Role.CETTIC_REVIEWER):
        return True
    if principal.role is Role.PROVINCIAL_REVIEWER:
        return bool(principal.province == doc["province"])
    if principal.role is Role.TRAINING_INSTITUTION:
        return bool(principal.institution == doc["institution"])
    return False


async def cohort(db: Database, principal: Principal, cid: str) -> Document | None:
    doc = await db[COHORTS].find_one({"_id": cid})
    if doc is None or not can_see_cohort(principal, doc):
        return None  # the same answer for "not yours" and "not there"
    return doc


async def cohorts(
    db: Database, principal: Principal, *, limit: int, after: str | None
) -> tuple[list[Document], bool]:
    """The cohorts the caller may see, by id; `Forbidden` for the public and evaluators."""
    query: Document = {}
    if principal.role is Role.PROVINCIAL_REVIEWER:
        query["province"] = principal.province
    elif principal.role is Role.TRAINING_INSTITUTION:
        query["institution"] = principal.institution
    elif principal.role not in (Role.CETTIC_REVIEWER, Role.OFFICE_ADMIN):
        raise Forbidden(
            "training cohorts are visible to reviewers and to the institution that reported them; "
            f"you are {rules.who(principal)}"
        )
    if after is not None:
        query["_id"] = {"$gt": after}
    docs = [d async for d in db[COHORTS].find(query).sort("_id", 1).limit(limit + 1)]
    return docs[:limit], len(docs) > limit
