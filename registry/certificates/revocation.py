"""Revocation: by the issuing institution or the office, with a reason. The status-list bit flips
and the public view shows it; the certificate is never deleted."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from enum import StrEnum
from typing import TypeVar

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.calendar import clock
from registry.certificates import numbers, policy
from registry.certificates.model import (
    CERTIFICATE,
    CERTIFICATE_MOVES,
    CertificateAction,
)
from registry.storage import store
from registry.storage.db import Database, Document
from registry.storage.transitions import TransitionTable, clean_reason
from registry.trust import status_lists

S = TypeVar("S", bound=StrEnum)
A = TypeVar("A", bound=StrEnum)


# What revoking also does inside the transaction (flip the status-list bit, void the credits).
Also = Callable[[Document, AsyncClientSession], Awaitable[None]]


async def revoke(
    db: Database, principal: Principal, number: str, reason: str, *, now: dt.datetime | None = None
) -> Document:
    """Revoke the published certificate `number`; revoking it again (a retry, or a second
    revoker) changes nothing and answers it."""
    action = CertificateAction.REVOKE
    policy.decide(principal, action).require()
    value = str(numbers.parse(number))
    text = clean_reason(reason, "revocation")

    def authorize(doc: Document) -> None:
        policy.decide(principal, action, doc).require()

    async def flip_bit(doc: Document, session: AsyncClientSession) -> None:
        ref = doc["status_ref"]
        await status_lists.set_revoked(
            db, status_lists.StatusRef(ref["list_id"], ref["index"]), session=session
        )

    moment = now or clock.now()
    return await revoke_record(
        db,
        CERTIFICATE,
        CERTIFICATE_MOVES,
        principal,
        value,
        action,
        text,
        moment,
        authorize,
        flip_bit,
    )


async def revoke_record(
    db: Database,
    kind: store.Kind,
    table: TransitionTable[A, S],
    principal: Principal,
    key: str,
    action: A,
    reason: str,
    moment: dt.datetime,
    authorize: store.Authorize,
    also: Also,
) -> Document:
    """Revoke record `key` of `kind` (a certificate of either kind) by `action`, after
    `authorize` admits the caller for it: a record revoked already is answered unchanged (a
    retry, or a second revoker); else one transition that runs `also` and records who revoked
    it, when and why (`reason` already cleaned)."""
    current = await store.load(db, kind, key)
    authorize(current)
    if current["status"] == table[action].target:
        return current

    async def changes(doc: Document, session: AsyncClientSession) -> Document:
        await also(doc, session)
        return {"revocation": {"at": moment, "reason": reason, "by": principal.actor}}

    return await store.apply_transition(
        db,
        kind,
        table,
        principal,
        key,
        action,
        at=moment,
        reason=reason,
        authorize=authorize,
        changes=changes,
    )
