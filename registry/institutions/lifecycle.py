"""The institution lifecycle: each step a dated, audited transition by the role that owns it.

Every move is one `store.apply_transition` of the table in `registry.institutions.rules`, asked
of `registry.institutions.policy` first. Retrying a step that already happened (same action,
same caller, the record already in the target state) returns the record unchanged, so every
mutation is safe to retry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Awaitable, Callable

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.access.policy import authorizer
from registry.calendar import clock, holidays
from registry.errors import Conflict
from registry.institutions import publicity
from registry.institutions.application import ApplicationInput, claimed, validate
from registry.institutions.model import (
    LISTING_YEARS,
    Institution,
    Kind,
    Status,
    Violation,
    from_document,
)
from registry.institutions.policy import decide
from registry.institutions.public_view import public_record
from registry.institutions.rules import TABLE, Action
from registry.problems import Rejected, id_number_out_of_place, reject
from registry.storage import store
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction
from registry.trust import keystore

RENEWAL_WINDOW_DAYS = 180
MAX_REASON = 2000
MAX_INSTITUTION_NUMBER = 9999

KIND = store.Kind(
    Collection.INSTITUTIONS,
    "institution",
    "institution",
    "INSTITUTION_NOT_FOUND",
    "uscc",
    public=public_record,
)

Changes = Callable[[Document, dt.date, AsyncClientSession], Awaitable[Document]]


def _clean_reason(reason: str | None, required: bool, action: str) -> str | None:
    text = reason.strip() if reason else None
    if required and not text:
        raise reject("reason", "REASON_REQUIRED", f"{action} needs a reason")
    if text and len(text) > MAX_REASON:
        raise reject("reason", "TOO_LONG", f"a reason is limited to {MAX_REASON} characters")
    if text and (wrong := id_number_out_of_place("reason", text)):
        raise Rejected([wrong])  # a directory change's reason is published
    return text


def _required_text(value: str | None, field: str, what: str) -> str:
    """`value` stripped; `REQUIRED` when empty, `TOO_LONG` past `MAX_REASON` characters, on
    `field`."""
    text = (value or "").strip()
    if not text:
        raise reject(field, "REQUIRED", f"{what} needs its {field}")
    if len(text) > MAX_REASON:
        raise reject(field, "TOO_LONG", f"{what}: `{field}` is limited to {MAX_REASON} characters")
    if wrong := id_number_out_of_place(field, text):
        raise Rejected([wrong])
    return text


async def transition(
    db: Database,
    principal: Principal,
    uscc: str,
    action: Action,
    *,
    now: dt.datetime | None = None,
    reason: str | None = None,
    changes: Changes | None = None,
) -> Institution:
    """Move `uscc` by `action` (see the table), with the move's own `changes` if any."""
    move = TABLE[action]
    decide(principal, action).require()
    reason = _clean_reason(reason, move.reason_required, action)
    moment = now or clock.now()
    today = clock.china_date(moment)

    async def updates(doc: Document, session: AsyncClientSession) -> Document:
        extra = dict(await changes(doc, today, session)) if changes else {}
        listings = extra.get("listings", doc.get("listings"))
        extra["status_since"] = moment
        extra["valid_until"] = listings[-1]["until"] if listings else None
        if move.target is Status.RETURNED:
            extra["return_reason"] = reason
        return extra

    doc = await store.apply_transition(
        db,
        KIND,
        TABLE,
        principal,
        uscc,
        action,
        at=moment,
        reason=reason,
        authorize=authorizer(decide, principal, action),
        changes=updates,
    )
    return from_document(doc)


_DIGEST_KEYS = (
    "name",
    "kind",
    "province",
    "ministry_level",
    "contact",
    "experience_years",
    "yearly_count",
    "scope",
    "fees",
    "priority",
    "sector",
)


def _digest(doc: Document) -> str:
    payload = json.dumps(
        {k: doc.get(k) for k in _DIGEST_KEYS}, sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def _again(existing: Document, fields: Document) -> Document:
    """The existing record when this application is the one it holds, else `ALREADY_APPLIED`."""
    status = Status(existing["status"])
    if status is Status.APPLIED and _digest(existing) == _digest(fields):
        return existing  # the same application sent again
    hint = {
        Status.RETURNED: "; use resubmit",
        Status.LISTED: "; use renew",
        Status.EXPIRED: "; use renew",
    }
    raise reject(
        "uscc",
        "ALREADY_APPLIED",
        f"this institution already has a record in state {status}" + hint.get(status, ""),
    )


def _new_application(fields: Document, principal: Principal, moment: dt.datetime) -> Document:
    return {
        **fields,
        "status": Status.APPLIED.value,
        "status_since": moment,
        "applied_on": moment,
        "listings": [],
        "objections": [],
        "history": [
            store.history_entry(Action.APPLY, None, Status.APPLIED, principal, moment, None)
        ],
    }


async def apply(
    db: Database,
    principal: Principal,
    application: ApplicationInput,
    *,
    now: dt.datetime | None = None,
) -> Institution:
    """A new application (or, for a returned one, use `resubmit`)."""
    decide(principal, Action.APPLY, claimed(application)).require()
    fields = await validate(db, application)
    decide(principal, Action.APPLY, fields).require()
    moment = now or clock.now()

    async def work(session: AsyncClientSession) -> Document:
        existing = await db[KIND.collection].find_one({"_id": fields["_id"]}, session=session)
        if existing is not None:
            return _again(existing, fields)
        doc = _new_application(fields, principal, moment)
        return await store.insert(db, KIND, principal, Action.APPLY, doc, session)

    return from_document(await in_transaction(db, work))


async def resubmit(
    db: Database,
    principal: Principal,
    application: ApplicationInput,
    *,
    now: dt.datetime | None = None,
) -> Institution:
    """A returned application, corrected; asked of the policy before the input is read."""
    decide(principal, Action.RESUBMIT, {"_id": claimed(application)["_id"]}).require()
    fields = await validate(db, application)

    async def changes(doc: Document, today: dt.date, session: AsyncClientSession) -> Document:
        if fields["kind"] != doc["kind"]:
            raise reject(
                "kind", "KIND_CHANGED", "a resubmission cannot change the institution's kind"
            )
        return {**fields, "return_reason": None}

    return await transition(db, principal, fields["_id"], Action.RESUBMIT, now=now, changes=changes)


async def simple(
    db: Database,
    principal: Principal,
    uscc: str,
    action: str,
    *,
    reason: str | None = None,
    now: dt.datetime | None = None,
) -> Institution:
    """recommend, passPreliminaryReview, approveAudit, returnApplication: no extra data."""
    return await transition(db, principal, uscc, Action(action), reason=reason, now=now)


async def record_steering_decision(
    db: Database,
    principal: Principal,
    uscc: str,
    decided_on: dt.date,
    reference: str,
    *,
    now: dt.datetime | None = None,
) -> Institution:
    """The steering group's decision to include an audited institution (notice 四(四): the
    office's audit is 报工程指导协调小组确定), recorded by the office: the day the group decided
    (not before the audit, not in the future) and the meeting or document it decided in. The
    publicity may start only after it."""
    decide(principal, Action.RECORD_STEERING_DECISION).require()
    text = _required_text(reference, "reference", "the steering group's decision")
    moment = now or clock.now()

    async def changes(doc: Document, today: dt.date, session: AsyncClientSession) -> Document:
        publicity.check_decision_day(doc, decided_on, today)
        return {
            "steering": {
                "decided_on": decided_on.isoformat(),
                "reference": text,
                "recorded_by": principal.actor,
                "recorded_at": moment,
            }
        }

    return await transition(
        db, principal, uscc, Action.RECORD_STEERING_DECISION, now=moment, changes=changes
    )


async def start_publicity(
    db: Database,
    principal: Principal,
    uscc: str,
    start: dt.date,
    *,
    announcement: str | None = None,
    now: dt.datetime | None = None,
) -> Institution:
    """The publicity, announced on `start`: not before the audit was approved nor before the
    steering group decided, never in the future, and before the day it is recorded only with the `announcement` reference of where
    it was published. The registry takes objections for 15 working days (see `publicity`)."""
    decide(principal, Action.START_PUBLICITY).require()
    moment = now or clock.now()
    arrangements = await holidays.load_arrangements(db)

    async def changes(doc: Document, today: dt.date, session: AsyncClientSession) -> Document:
        # Checked on the loaded record, after a retry of this very step was answered unchanged.
        reference = publicity.checked_start(doc, start, today, announcement)
        return {"publicity": publicity.window(start, today, arrangements, reference)}

    return await transition(
        db, principal, uscc, Action.START_PUBLICITY, now=moment, changes=changes
    )


async def _next_number(db: Database, session: AsyncClientSession) -> str:
    counter = await db[Collection.COUNTERS].find_one_and_update(
        {"_id": "institution_number"},
        {"$inc": {"value": 1}},
        upsert=True,
        return_document=ReturnDocument.AFTER,
        session=session,
    )
    assert counter is not None  # upsert with ReturnDocument.AFTER always returns the document
    value = int(counter["value"])
    if value > MAX_INSTITUTION_NUMBER:
        raise Conflict("institution numbers are exhausted (4 digits)", code="NUMBERS_EXHAUSTED")
    return f"{value:04d}"


def _next_period(doc: Document, today: dt.date) -> Document:
    previous = doc.get("listings") or []
    start = today
    if previous:
        # A renewal continues the previous period without a gap or an overlap.
        start = max(today, dt.date.fromisoformat(previous[-1]["until"]))
    return {
        "start": start.isoformat(),
        "until": clock.add_years(start, LISTING_YEARS).isoformat(),
        "scope": doc["scope"],
        "ended": None,
    }


async def list_institution(
    db: Database,
    principal: Principal,
    uscc: str,
    *,
    now: dt.datetime | None = None,
    master_key: bytes | None = None,
) -> Institution:
    """List after the publicity. An evaluation institution gets its signing key here, in the same
    transaction, when the master key is given (otherwise at its first publication)."""

    async def changes(doc: Document, today: dt.date, session: AsyncClientSession) -> Document:
        publicity.check_over(doc, today)
        period = _next_period(doc, today)
        number = doc.get("number") or await _next_number(db, session)
        if master_key is not None and doc["kind"] == Kind.EVALUATION:
            await keystore.institution_key(db, master_key, uscc, session=session)
        listings = [*(doc.get("listings") or []), period]
        return {"listings": listings, "number": number, "renewal": False}

    return await transition(db, principal, uscc, Action.LIST, now=now, changes=changes)


def _close_open_period(doc: Document, today: dt.date, why: Status) -> list[Document]:
    periods = [dict(p) for p in doc.get("listings") or []]
    if (
        periods
        and not periods[-1].get("ended")
        and dt.date.fromisoformat(periods[-1]["until"]) > today
    ):
        periods[-1]["original_until"] = periods[-1]["until"]
        periods[-1]["until"] = max(today, dt.date.fromisoformat(periods[-1]["start"])).isoformat()
        periods[-1]["ended"] = why.value
    return periods


async def suspend(
    db: Database, principal: Principal, uscc: str, reason: str, *, now: dt.datetime | None = None
) -> Institution:
    async def changes(doc: Document, today: dt.date, session: AsyncClientSession) -> Document:
        return {"listings": _close_open_period(doc, today, Status.SUSPENDED)}

    return await transition(
        db, principal, uscc, Action.SUSPEND, reason=reason, now=now, changes=changes
    )


async def reinstate(
    db: Database, principal: Principal, uscc: str, reason: str, *, now: dt.datetime | None = None
) -> Institution:
    async def changes(doc: Document, today: dt.date, session: AsyncClientSession) -> Document:
        periods = doc.get("listings") or []
        last = periods[-1] if periods else None
        original = (
            dt.date.fromisoformat(last.get("original_until") or last["until"]) if last else today
        )
        if original <= today:
            raise reject(
                "status",
                "VALIDITY_ENDED",
                f"the validity period ended on {original.isoformat()}; the institution must renew",
            )
        period = {
            "start": today.isoformat(),
            "until": original.isoformat(),
            "scope": last["scope"] if last else doc["scope"],
            "ended": None,
        }
        return {"listings": [*periods, period]}

    return await transition(
        db, principal, uscc, Action.REINSTATE, reason=reason, now=now, changes=changes
    )


async def remove(
    db: Database,
    principal: Principal,
    uscc: str,
    violation: Violation,
    details: str,
    *,
    now: dt.datetime | None = None,
) -> Institution:
    async def changes(doc: Document, today: dt.date, session: AsyncClientSession) -> Document:
        return {
            "listings": _close_open_period(doc, today, Status.REMOVED),
            "removal": {
                "violation": violation.value,
                "details": details.strip(),
                "on": today.isoformat(),
            },
        }

    return await transition(
        db, principal, uscc, Action.REMOVE, reason=details, now=now, changes=changes
    )


async def expire(
    db: Database, principal: Principal, uscc: str, *, now: dt.datetime | None = None
) -> Institution:
    async def changes(doc: Document, today: dt.date, session: AsyncClientSession) -> Document:
        until = dt.date.fromisoformat(doc["listings"][-1]["until"])
        if until > today:
            raise reject("status", "STILL_VALID", f"the listing is valid until {until.isoformat()}")
        return {}

    return await transition(db, principal, uscc, Action.EXPIRE, now=now, changes=changes)


async def renew(
    db: Database,
    principal: Principal,
    application: ApplicationInput,
    *,
    now: dt.datetime | None = None,
) -> Institution:
    """Apply for a new 3-year period: from EXPIRED, or from LISTED within 180 days of the end.
    The current period stays valid while the renewal is reviewed. Asked of the policy before
    the input is read."""
    decide(principal, Action.RENEW, {"_id": claimed(application)["_id"]}).require()
    fields = await validate(db, application)

    async def changes(doc: Document, today: dt.date, session: AsyncClientSession) -> Document:
        if fields["kind"] != doc["kind"]:
            raise reject("kind", "KIND_CHANGED", "a renewal cannot change the institution's kind")
        until = dt.date.fromisoformat(doc["listings"][-1]["until"])
        if doc["status"] == Status.LISTED and (until - today).days > RENEWAL_WINDOW_DAYS:
            raise reject(
                "status",
                "TOO_EARLY_TO_RENEW",
                f"renewal opens {RENEWAL_WINDOW_DAYS} days before the end of validity "
                f"({until.isoformat()})",
            )
        return {**fields, "renewal": True, "publicity": None}

    return await transition(db, principal, fields["_id"], Action.RENEW, now=now, changes=changes)


def _objection_id(uscc: str, principal: Principal, text: str) -> str:
    """The same text by the same caller is the same objection."""
    return "obj_" + hashlib.sha256(f"{uscc}\n{principal.actor}\n{text}".encode()).hexdigest()[:12]


async def lodge_objection(
    db: Database, principal: Principal, uscc: str, text: str, *, now: dt.datetime | None = None
) -> tuple[Institution, str]:
    """Anyone may object during the publicity. The same text sent again is the same objection."""
    decide(principal, Action.LODGE_OBJECTION).require()
    text = _required_text(text, "text", "an objection")
    moment = now or clock.now()
    objection_id = _objection_id(uscc, principal, text)

    async def work(session: AsyncClientSession) -> Document:
        doc = await store.load(db, KIND, uscc, session)
        if any(o["id"] == objection_id for o in doc.get("objections", [])):
            return doc
        running = publicity.running(doc, clock.china_date(moment))
        objection = {
            "id": objection_id,
            "lodged_on": moment,
            "text": text,
            "by": principal.actor,
            "period": running.get("start"),
            "resolved_on": None,
            "upheld": None,
            "resolution": None,
        }
        new = {**doc, "objections": [*doc.get("objections", []), objection]}
        return await store.save(db, KIND, principal, Action.LODGE_OBJECTION, doc, new, session)

    return from_document(await in_transaction(db, work)), objection_id


async def resolve_objection(
    db: Database,
    principal: Principal,
    uscc: str,
    objection_id: str,
    upheld: bool,
    resolution: str,
    *,
    now: dt.datetime | None = None,
) -> Institution:
    decide(principal, Action.RESOLVE_OBJECTION).require()
    resolution = _clean_reason(resolution, True, Action.RESOLVE_OBJECTION) or ""
    moment = now or clock.now()

    async def work(session: AsyncClientSession) -> Document:
        doc = await store.load(db, KIND, uscc, session)
        objections = [dict(o) for o in doc.get("objections", [])]
        target = next((o for o in objections if o["id"] == objection_id), None)
        if target is None:
            raise reject(
                "objectionId",
                "OBJECTION_NOT_FOUND",
                f"no objection {objection_id[:20]} on this institution",
            )
        if target.get("resolved_on") is not None:
            if target["upheld"] == upheld and target["resolution"] == resolution:
                return doc  # a retry
            raise reject("objectionId", "ALREADY_RESOLVED", "this objection is already resolved")
        target.update(
            resolved_on=moment, upheld=upheld, resolution=resolution, resolved_by=principal.actor
        )
        new = {**doc, "objections": objections}
        return await store.save(db, KIND, principal, Action.RESOLVE_OBJECTION, doc, new, session)

    return from_document(await in_transaction(db, work))
