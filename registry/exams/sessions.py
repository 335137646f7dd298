"""Announcing an exam session (notice 三(六)): an evaluation institution, listed on the exam date
with the occupation, direction and level in its scope, names the date, the place or that it is
online, and the capacity. Idempotent by the caller's key, audited through the store."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.calendar import clock
from registry.exams import policy
from registry.exams.model import SESSION, ExamAction, SessionStatus
from registry.institutions import directory
from registry.institutions.model import Kind
from registry.intake import rows
from registry.problems import Rejected
from registry.storage import idempotency
from registry.storage.db import Database, Document
from registry.trust import audit

MAX_CAPACITY = 10_000
LISTING = rows.Listing(
    Kind.EVALUATION,
    ("NOT_AN_EVALUATION_INSTITUTION", "only a listed evaluation institution announces sessions"),
    "examDate",
    "NOT_LISTED_ON_EXAM_DATE",
)


@dataclass
class SessionInput:
    idempotency_key: str = field(metadata=rows.OPAQUE)
    occupation: str
    level: int
    exam_date: dt.date
    capacity: int
    direction: str | None = None
    place: str | None = None  # None with online=True
    online: bool = False


def session_id(institution: str, key: str) -> str:
    return idempotency.key_id("exs_", institution, key)


async def _check(
    db: Database, principal: Principal, spec: SessionInput, today: dt.date
) -> tuple[str, str]:
    """The session's occupation code and field, or `Rejected` with every problem."""
    checks = rows.Problems()
    rows.check_text_cells(checks, spec)
    rows.check_key(checks, spec.idempotency_key)
    institution = await directory.get(db, principal.institution or "")
    period = rows.check_listing(checks, institution, LISTING, spec.exam_date)
    occ = await rows.Occupations(db).get(spec.occupation)
    direction = (spec.direction or "").strip() or None
    rows.check_occupation(checks, occ, spec.occupation, direction)
    rows.check_level(checks, spec.level)
    rows.check_scope(checks, period, occ, direction, spec.level)
    if not isinstance(spec.capacity, int) or not 1 <= spec.capacity <= MAX_CAPACITY:
        checks.add("capacity", "INVALID_CAPACITY", f"the capacity is 1-{MAX_CAPACITY} candidates")
    if spec.online == bool((spec.place or "").strip()):
        checks.add("place", "PLACE_OR_ONLINE", "give a place, or say the session is online")
    if spec.exam_date < today:
        checks.add("examDate", "DATE_IN_PAST", "a session is announced before its exam date")
    if checks.problems:
        raise Rejected(checks.problems)
    assert occ is not None
    return occ.code, occ.field


async def announce(
    db: Database, principal: Principal, spec: SessionInput, now: dt.datetime | None = None
) -> idempotency.Created:
    """The announced session (`replayed` for a retry with the same key and content)."""
    policy.decide(principal, ExamAction.ANNOUNCE).require()
    assert principal.institution is not None  # the policy admits only a bound institution
    moment = now or clock.now()
    occupation, field = await _check(db, principal, spec, clock.china_date(moment))
    sid = session_id(principal.institution, spec.idempotency_key.strip())
    payload = {**asdict(spec), "occupation": occupation, "exam_date": spec.exam_date.isoformat()}
    digest = audit.digest(payload)
    assert digest is not None

    async def build(session: AsyncClientSession) -> Document:
        institution = await directory.get(db, principal.institution or "")
        assert institution is not None
        return {
            "_id": sid,
            "digest": digest,
            "institution": principal.institution,
            "province": institution.province,
            "occupation": occupation,
            "field": field,
            "direction": (spec.direction or "").strip() or None,
            "level": spec.level,
            "exam_date": spec.exam_date.isoformat(),
            "place": (spec.place or "").strip() or None,
            "online": spec.online,
            "capacity": spec.capacity,
            "registered": 0,
            "status": SessionStatus.ANNOUNCED.value,
            "announced_at": moment,
            "history": [],
        }

    return await idempotency.create_once(
        db, SESSION, principal, sid, digest, build, action=ExamAction.ANNOUNCE
    )
