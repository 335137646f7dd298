"""Revocation: by the issuing institution or the office, with a reason. The status-list bit flips
and the public view shows it; the certificate is never deleted."""

from __future__ import annotations

import datetime as dt

from pymongo.asynchronous.client_session import AsyncClientSession

from registry import audit, clock, status_lists
from registry.auth import Principal, Role
from registry.certificates import numbers
from registry.db import Database, Document
from registry.errors import Forbidden, NotFound
from registry.problems import reject
from registry.transactions import in_transaction

MAX_REASON = 2000


async def revoke(
    db: Database, principal: Principal, number: str, reason: str, *, now: dt.datetime | None = None
) -> Document:
    if principal.role not in (Role.EVALUATION_INSTITUTION, Role.OFFICE_ADMIN):
        raise Forbidden(
            "revokeCertificate may be called by the issuing EVALUATION_INSTITUTION or OFFICE_ADMIN; "
            "you are " + (principal.role.value if principal.role else "the public (no token)")
        )
    value = str(numbers.parse(number))
    text = (reason or "").strip()
    if not text or len(text) > MAX_REASON:
        raise reject(
            "reason", "REASON_REQUIRED", f"revocation needs a reason (1-{MAX_REASON} characters)"
        )
    moment = now or clock.now()

    async def work(session: AsyncClientSession) -> Document:
        cert = await db.certificates.find_one({"_id": value}, session=session)
        if cert is None or cert["status"] not in ("PUBLISHED", "REVOKED"):
            raise NotFound(
                "no published certificate with this number",
                code="CERTIFICATE_NOT_FOUND",
                field="number",
            )
        if (
            principal.role is Role.EVALUATION_INSTITUTION
            and principal.institution != cert["institution"]
        ):
            raise Forbidden(
                "revokeCertificate: an institution may revoke only certificates it issued"
            )
        if cert["status"] == "REVOKED":
            return cert  # already revoked: a retry, or a second reviewer; nothing changes
        ref = cert["status_ref"]
        await status_lists.set_revoked(
            db, status_lists.StatusRef(ref["list_id"], ref["index"]), session=session
        )
        new = {
            **cert,
            "status": "REVOKED",
            "revocation": {"at": moment, "reason": text, "by": principal.actor},
        }
        await db.certificates.replace_one(
            {"_id": value, "status": "PUBLISHED"}, new, session=session
        )
        await audit.append(
            db,
            actor=principal,
            action="certificate.revoke",
            entity=f"certificate:{value}",
            before=cert,
            after=new,
            session=session,
        )
        return new

    return await in_transaction(db, work)
