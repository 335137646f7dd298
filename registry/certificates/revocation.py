"""Revocation: by the issuing institution or the office, with a reason. The status-list bit flips
and the public view shows it; the certificate is never deleted."""

from __future__ import annotations

import datetime as dt

from pymongo.asynchronous.client_session import AsyncClientSession

from registry import clock, status_lists
from registry.auth import Principal
from registry.certificates import numbers, policy
from registry.certificates.model import (
    CERTIFICATE,
    CERTIFICATE_MOVES,
    CertificateAction,
    CertificateStatus,
)
from registry.db import Database, Document
from registry.storage import store
from registry.storage.transitions import clean_reason


async def revoke(
    db: Database, principal: Principal, number: str, reason: str, *, now: dt.datetime | None = None
) -> Document:
    """Revoke the published certificate `number`; revoking it again (a retry, or a second
    revoker) changes nothing and answers it."""
    action = CertificateAction.REVOKE
    policy.decide(principal, action).require()
    value = str(numbers.parse(number))
    text = clean_reason(reason, "revocation")
    moment = now or clock.now()
    current = await store.load(db, CERTIFICATE, value)
    policy.decide(principal, action, current).require()
    if current["status"] == CertificateStatus.REVOKED:
        return current

    def authorize(doc: Document) -> None:
        policy.decide(principal, action, doc).require()

    async def changes(doc: Document, session: AsyncClientSession) -> Document:
        ref = doc["status_ref"]
        await status_lists.set_revoked(
            db, status_lists.StatusRef(ref["list_id"], ref["index"]), session=session
        )
        return {"revocation": {"at": moment, "reason": text, "by": principal.actor}}

    return await store.apply_transition(
        db,
        CERTIFICATE,
        CERTIFICATE_MOVES,
        principal,
        value,
        action,
        at=moment,
        reason=text,
        authorize=authorize,
        changes=changes,
    )
