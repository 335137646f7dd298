"""The institution lifecycle: each step a dated, audited transition by the role that owns it.

Every change runs in one transaction with its audit entry. Retrying a step that already
happened (same action, same caller, the record already in the target state) returns the
record unchanged, so every mutation is safe to retry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Awaitable, Callable

from pymongo import ReturnDocument
from pymongo.asynchronous.client_session import AsyncClientSession

from registry import audit, clock, holidays, keystore, workdays
from registry.auth import INSTITUTION_ROLES, Principal, Role
from registry.db import SCHEMA_VERSION, Database, Document
from registry.errors import Conflict, Forbidden, NotFound
from registry.institutions.application import ApplicationInput, validate
from registry.institutions.model import (
    LISTING_YEARS,
    PUBLICITY_WORKING_DAYS,
    Institution,
    Kind,
    Status,
    Violation,
    from_document,
)
from registry.institutions.rules import RULES, STEP_OWNER, Rule
from registry.problems import reject
from registry.transactions import in_transaction

RENEWAL_WINDOW_DAYS = 180
MAX_REASON = 2000
MAX_INSTITUTION_NUMBER = 9999

Changes = Callable[[Document, dt.date, AsyncClientSession], Awaitable[Document]]


def _role_name(principal: Principal) -> str:
    return principal.role.value if principal.role else "the public (no token)"


def _require_role(principal: Principal, roles: frozenset[Role], action: str) -> None:
    if principal.role is None or principal.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise Forbidden(f"{action} may be called by {allowed}; you are {_role_name(principal)}")


def _require_scope(rule: Rule, principal: Principal, doc: Document) -> None:
    role = principal.role
    if role in INSTITUTION_ROLES:
        if principal.institution != doc["_id"]:
            raise Forbidden(f"{rule.action}: an institution may act only for itself")
        expected = (
            Role.TRAINING_INSTITUTION
            if doc["kind"] == Kind.TRAINING
            else Role.EVALUATION_INSTITUTION
        )
        if role is not expected:
            raise Forbidden(
                f"{rule.action}: the institution is {doc['kind']}, you are {role.value}"
            )
    if role is Role.PROVINCIAL_REVIEWER and principal.province != doc["province"]:
        raise Forbidden(
            f"{rule.action}: the institution is in province {doc['province']}, "
            f"you review province {principal.province}"
        )
    if rule.action == "recommend":
        owner = Role.OFFICE_ADMIN if doc.get("ministry_level") else Role.PROVINCIAL_REVIEWER
        if role is not owner:
            who = "a ministry-level body" if owner is Role.OFFICE_ADMIN else "this institution"
            raise Forbidden(f"recommend: {who} is recommended by {owner.value}")
    if rule.action == "returnApplication" and role is not Role.OFFICE_ADMIN:
        step_owner = STEP_OWNER.get(Status(doc["status"]))
        if doc.get("ministry_level") and step_owner is Role.PROVINCIAL_REVIEWER:
            step_owner = Role.OFFICE_ADMIN
        if role is not step_owner:
            raise Forbidden(
                f"returnApplication: at {doc['status']} the application is with "
                f"{step_owner.value if step_owner else 'nobody'}, "
                f"not {role.value if role else 'the public'}"
            )


async def _load(db: Database, uscc: str, session: AsyncClientSession) -> Document:
    doc = await db.institutions.find_one({"_id": uscc}, session=session)
    if doc is None:
        raise NotFound(
            f"no institution with unified social credit code {uscc}",
            code="INSTITUTION_NOT_FOUND",
            field="uscc",
        )
    return doc


async def _save(
    db: Database,
    principal: Principal,
    action: str,
    doc: Document,
    new: Document,
    session: AsyncClientSession,
) -> Document:
    """Replace `doc` by `new` if nobody changed it meanwhile, and audit it, in the session."""
    result = await db.institutions.replace_one(
        {"_id": doc["_id"], "revision": doc.get("revision", 0)}, new, session=session
    )
    if result.matched_count != 1:
        raise Conflict("the institution changed while this request ran; retry it")
    await audit.append(
        db,
        actor=principal,
        action=f"institution.{action}",
        entity=f"institution:{doc['_id']}",
        before=doc,
        after=new,
        session=session,
    )
    return new


def _history(
    doc: Document,
    action: str,
    target: Status,
    principal: Principal,
    now: dt.datetime,
    reason: str | None,
) -> list[Document]:
    return [
        *doc.get("history", []),
        {
            "at": now,
            "action": action,
            "from": doc.get("status"),
            "to": target.value,
            "actor": principal.actor,
            "reason": reason,
        },
    ]


def _is_replay(doc: Document, action: str, principal: Principal) -> bool:
    last = (doc.get("history") or [None])[-1]
    return bool(
        last
        and last["action"] == action
        and last["actor"] == principal.actor
        and doc["status"] == last["to"]
    )


def _clean_reason(reason: str | None, required: bool, action: str) -> str | None:
    text = reason.strip() if reason else None
    if required and not text:
        raise reject("reason", "REASON_REQUIRED", f"{action} needs a reason")
    if text and len(text) > MAX_REASON:
        raise reject("reason", "TOO_LONG", f"a reason is limited to {MAX_REASON} characters")
    return text


async def transition(
    db: Database,
    principal: Principal,
    uscc: str,
    action: str,
    *,
    now: dt.datetime | None = None,
    reason: str | None = None,
    changes: Changes | None = None,
) -> Institution:
    rule = RULES[action]
    _require_role(principal, rule.roles, action)
    reason = _clean_reason(reason, rule.reason_required, action)
    moment = now or clock.now()
    today = clock.china_date(moment)

    async def work(session: AsyncClientSession) -> Document:
        doc = await _load(db, uscc, session)
        _require_scope(rule, principal, doc)
        if _is_replay(doc, action, principal) and doc["status"] == rule.target.value:
            return doc
        if Status(doc["status"]) not in rule.sources:
            needs = " or ".join(sorted(s.value for s in rule.sources))
            raise reject(
                "status",
                "ILLEGAL_TRANSITION",
                f"cannot {action}: the institution is {doc['status']} ({action} needs {needs})",
            )
        updates = await changes(doc, today, session) if changes else {}
        new = {
            **doc,
            **updates,
            "status": rule.target.value,
            "status_since": moment,
            "history": _history(doc, action, rule.target, principal, moment, reason),
            "revision": doc.get("revision", 0) + 1,
            "schema_version": SCHEMA_VERSION,
        }
        if rule.target is Status.RETURNED:
            new["return_reason"] = reason
        new["valid_until"] = new["listings"][-1]["until"] if new.get("listings") else None
        return await _save(db, principal, action, doc, new, session)

    return from_document(await in_transaction(db, work))


async def apply(
    db: Database,
    principal: Principal,
    application: ApplicationInput,
    *,
    now: dt.datetime | None = None,
) -> Institution:
    """A new application (or, for a returned one, use `resubmit`)."""
    _require_role(principal, INSTITUTION_ROLES, "apply")
    expected = (
        Role.TRAINING_INSTITUTION
        if application.kind is Kind.TRAINING
        else Role.EVALUATION_INSTITUTION
    )
    if principal.role is not expected:
        raise Forbidden(
            f"apply: a {application.kind.value} application needs a {expected.value} token"
        )
    fields = await validate(db, application)
    if principal.institution != fields["_id"]:
        raise Forbidden(
            "apply: an institution may apply only for its own unified social credit code"
        )
    moment = now or clock.now()

    async def work(session: AsyncClientSession) -> Document:
        existing = await db.institutions.find_one({"_id": fields["_id"]}, session=session)
        if existing is not None:
            if existing["status"] == Status.APPLIED and _digest(existing) == _digest(fields):
                return existing  # the same application sent again
            raise reject(
                "uscc",
                "ALREADY_APPLIED",
                f"this institution already has a record in state {existing['status']}"
                + ("; use resubmit" if existing["status"] == Status.RETURNED else "")
                + ("; use renew" if existing["status"] in (Status.LISTED, Status.EXPIRED) else ""),
            )
        doc = {
            **fields,
            "status": Status.APPLIED.value,
            "status_since": moment,
            "applied_on": moment,
            "listings": [],
            "objections": [],
            "history": [
                {
                    "at": moment,
                    "action": "apply",
                    "from": None,
                    "to": Status.APPLIED.value,
                    "actor": principal.actor,
                    "reason": None,
                }
            ],
            "revision": 1,
            "schema_version": SCHEMA_VERSION,
        }
        await db.institutions.insert_one(doc, session=session)
        await audit.append(
            db,
            actor=principal,
            action="institution.apply",
            entity=f"institution:{fields['_id']}",
            before=None,
            after=doc,
            session=session,
        )
        return doc

    return from_document(await in_transaction(db, work))


def _digest(doc: Document) -> str:
    keys = (
        "name",
        "kind",
        "province",
        "ministry_level",
        "contact",
        "experience_years",
        "yearly_count",
        "scope",
        "fees",
    )
    payload = json.dumps(
        {k: doc.get(k) for k in keys}, sort_keys=True, ensure_ascii=False, default=str
    )
    return hashlib.sha256(payload.encode()).hexdigest()


async def resubmit(
    db: Database,
    principal: Principal,
    application: ApplicationInput,
    *,
    now: dt.datetime | None = None,
) -> Institution:
    fields = await validate(db, application)

    async def changes(doc: Document, today: dt.date, session: AsyncClientSession) -> Document:
        if fields["kind"] != doc["kind"]:
            raise reject(
                "kind", "KIND_CHANGED", "a resubmission cannot change the institution's kind"
            )
        return {**fields, "return_reason": None}

    return await transition(db, principal, fields["_id"], "resubmit", now=now, changes=changes)


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
    return await transition(db, principal, uscc, action, reason=reason, now=now)


async def start_publicity(
    db: Database, principal: Principal, uscc: str, start: dt.date, *, now: dt.datetime | None = None
) -> Institution:
    """Publicity of 15 working days from `start` (the day the notice was posted; it may be in
    the past when the registry records a publicity announced elsewhere, never in the future)."""
    moment = now or clock.now()
    if start > clock.china_date(moment):
        raise reject("startDate", "DATE_IN_FUTURE", "the publicity cannot start in the future")
    arrangements = await holidays.load_arrangements(db)
    period = workdays.add_working_days(start, PUBLICITY_WORKING_DAYS, arrangements=arrangements)

    async def changes(doc: Document, today: dt.date, session: AsyncClientSession) -> Document:
        return {
            "publicity": {
                "start": start.isoformat(),
                "end": period.end.isoformat(),
                "provisional": period.provisional,
            }
        }

    return await transition(db, principal, uscc, "startPublicity", now=moment, changes=changes)


async def _next_number(db: Database, session: AsyncClientSession) -> str:
    counter = await db.counters.find_one_and_update(
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


def _open_period(doc: Document) -> Document | None:
    periods = doc.get("listings") or []
    return periods[-1] if periods and not periods[-1].get("ended") else None


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
        publicity = doc.get("publicity") or {}
        end = dt.date.fromisoformat(publicity["end"])
        if today <= end:
            raise reject(
                "status",
                "PUBLICITY_RUNNING",
                f"the publicity runs until {end.isoformat()} inclusive; list it after that",
            )
        open_objections = [
            o["id"] for o in doc.get("objections", []) if o.get("resolved_on") is None
        ]
        if open_objections:
            raise reject(
                "objections",
                "OBJECTIONS_OPEN",
                f"{len(open_objections)} objection(s) must be resolved first: "
                + ", ".join(open_objections),
            )
        if any(
            o.get("upheld")
            for o in doc.get("objections", [])
            if o.get("period") == publicity.get("start")
        ):
            raise reject(
                "objections",
                "OBJECTION_UPHELD",
                "an objection was upheld during this publicity; return the application instead",
            )
        previous = doc.get("listings") or []
        start = today
        if previous:
            # A renewal continues the previous period without a gap or an overlap.
            start = max(today, dt.date.fromisoformat(previous[-1]["until"]))
        period = {
            "start": start.isoformat(),
            "until": clock.add_years(start, LISTING_YEARS).isoformat(),
            "scope": doc["scope"],
            "ended": None,
        }
        number = doc.get("number") or await _next_number(db, session)
        if master_key is not None and doc["kind"] == Kind.EVALUATION.value:
            await keystore.institution_key(db, master_key, uscc, session=session)
        return {"listings": [*previous, period], "number": number, "renewal": False}

    return await transition(db, principal, uscc, "list", now=now, changes=changes)


def _close_open_period(doc: Document, today: dt.date, why: str) -> list[Document]:
    periods = [dict(p) for p in doc.get("listings") or []]
    if (
        periods
        and not periods[-1].get("ended")
        and dt.date.fromisoformat(periods[-1]["until"]) > today
    ):
        periods[-1]["original_until"] = periods[-1]["until"]
        periods[-1]["until"] = max(today, dt.date.fromisoformat(periods[-1]["start"])).isoformat()
        periods[-1]["ended"] = why
    return periods


async def suspend(
    db: Database, principal: Principal, uscc: str, reason: str, *, now: dt.datetime | None = None
) -> Institution:
    async def changes(doc: Document, today: dt.date, session: AsyncClientSession) -> Document:
        return {"listings": _close_open_period(doc, today, "SUSPENDED")}

    return await transition(db, principal, uscc, "suspend", reason=reason, now=now, changes=changes)


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
        db, principal, uscc, "reinstate", reason=reason, now=now, changes=changes
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
            "listings": _close_open_period(doc, today, "REMOVED"),
            "removal": {
                "violation": violation.value,
                "details": details.strip(),
                "on": today.isoformat(),
            },
        }

    return await transition(db, principal, uscc, "remove", reason=details, now=now, changes=changes)


async def expire(
    db: Database, principal: Principal, uscc: str, *, now: dt.datetime | None = None
) -> Institution:
    async def changes(doc: Document, today: dt.date, session: AsyncClientSession) -> Document:
        until = dt.date.fromisoformat(doc["listings"][-1]["until"])
        if until > today:
            raise reject("status", "STILL_VALID", f"the listing is valid until {until.isoformat()}")
        return {}

    return await transition(db, principal, uscc, "expire", now=now, changes=changes)


async def renew(
    db: Database,
    principal: Principal,
    application: ApplicationInput,
    *,
    now: dt.datetime | None = None,
) -> Institution:
    """Apply for a new 3-year period: from EXPIRED, or from LISTED within 180 days of the end.
    The current period stays valid while the renewal is reviewed."""
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

    return await transition(db, principal, fields["_id"], "renew", now=now, changes=changes)


async def lodge_objection(
    db: Database, principal: Principal, uscc: str, text: str, *, now: dt.datetime | None = None
) -> tuple[Institution, str]:
    """Anyone may object during the publicity. The same text sent again is the same objection."""
    text = (text or "").strip()
    if not text:
        raise reject("text", "REQUIRED", "an objection needs a text")
    if len(text) > MAX_REASON:
        raise reject("text", "TOO_LONG", f"an objection is limited to {MAX_REASON} characters")
    moment = now or clock.now()
    today = clock.china_date(moment)
    objection_id = (
        "obj_" + hashlib.sha256(f"{uscc}\n{principal.actor}\n{text}".encode()).hexdigest()[:12]
    )

    async def work(session: AsyncClientSession) -> Document:
        doc = await _load(db, uscc, session)
        if any(o["id"] == objection_id for o in doc.get("objections", [])):
            return doc
        publicity = doc.get("publicity") or {}
        if doc["status"] != Status.PUBLICIZED or not (
            publicity.get("start", "9999") <= today.isoformat() <= publicity.get("end", "")
        ):
            raise reject(
                "uscc",
                "NOT_IN_PUBLICITY",
                "objections are taken during the publicity only; "
                f"the institution is {doc['status']}",
            )
        new = {
            **doc,
            "objections": [
                *doc.get("objections", []),
                {
                    "id": objection_id,
                    "lodged_on": moment,
                    "text": text,
                    "by": principal.actor,
                    "period": publicity.get("start"),
                    "resolved_on": None,
                    "upheld": None,
                    "resolution": None,
                },
            ],
            "revision": doc.get("revision", 0) + 1,
        }
        return await _save(db, principal, "lodgeObjection", doc, new, session)

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
    _require_role(principal, frozenset({Role.OFFICE_ADMIN}), "resolveObjection")
    resolution = _clean_reason(resolution, True, "resolveObjection") or ""
    moment = now or clock.now()

    async def work(session: AsyncClientSession) -> Document:
        doc = await _load(db, uscc, session)
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
        new = {**doc, "objections": objections, "revision": doc.get("revision", 0) + 1}
        return await _save(db, principal, "resolveObjection", doc, new, session)

    return from_document(await in_transaction(db, work))
