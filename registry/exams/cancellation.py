"""Cancelling a registration: the candidate withdraws before the list (报考名单) is confirmed, the
announcing institution records it with the reason, and the place is freed — the registration's
move REGISTERED → CANCELLED and the session's count of places taken, in one transaction through
the store's one transition operation (audited `exams.cancelRegistration`). A retry by the same
caller answers the cancelled registration unchanged. Once the list is confirmed every
registration is decided and nothing is cancelled any more (`REGISTRATION_CLOSED`).

The cancelled record is kept as it is (nothing is deleted); the person may register again for
the session while its list is open, which makes a new registration (`registrations.register`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.access.policy import authorizer
from registry.calendar import clock
from registry.exams import policy
from registry.exams.model import (
    REGISTRATION,
    REGISTRATION_MOVES,
    ExamAction,
    RegistrationStatus,
    SessionStatus,
)
from registry.exams.registrations import list_closed
from registry.storage import store
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.idempotency import Created
from registry.storage.transitions import clean_reason

DECIDED = frozenset({RegistrationStatus.CONFIRMED, RegistrationStatus.REFUSED})


async def cancel(
    db: Database,
    principal: Principal,
    registration_id: str,
    reason: str | None,
    now: dt.datetime | None = None,
) -> Created:
    """The cancelled registration (`replayed` for a retry); `REASON_REQUIRED` without a reason, `REGISTRATION_CLOSED`
    once the list is confirmed, `Forbidden` for another institution's registration."""
    policy.decide(principal, ExamAction.CANCEL).require()
    text = clean_reason(reason, "cancelling a registration")
    at = now or clock.now()

    def already(doc: Document) -> bool:
        if RegistrationStatus(doc["status"]) in DECIDED:
            raise list_closed()
        return store.is_replay(doc, ExamAction.CANCEL, RegistrationStatus.CANCELLED, principal)

    async def free_the_place(doc: Document, s: AsyncClientSession) -> Mapping[str, Any]:
        # Guarded by the session's state: a list confirmed meanwhile keeps every place.
        freed = await store.update_one(
            db,
            Collection.EXAM_SESSIONS,
            {"_id": doc["session"], "status": SessionStatus.ANNOUNCED.value},
            {"$inc": {"registered": -1}},
            s,
        )
        if not freed:
            raise list_closed()
        return {"cancellation": text, "cancelled_at": at}

    doc = await store.apply_transition(
        db,
        REGISTRATION,
        REGISTRATION_MOVES,
        principal,
        registration_id.strip(),
        ExamAction.CANCEL,
        at=at,
        reason=text,
        authorize=authorizer(policy.decide, principal, ExamAction.CANCEL),
        changes=free_the_place,
        precheck=already,
    )
    # A retry answers the registration as the first call left it, with that call's moment.
    return Created(doc, replayed=doc["cancelled_at"] != at)
