"""Recommenders (notice 四(四)) and the steering group's step, attacked through the lifecycle on
the real database: an industry ministry's HR office recommends only what is sent through its
sector and only within the sector's fields, never a province's application; the steering group's
decision is recorded by the office alone, after the audit, and the publicity cannot skip it;
records made before the step keep working."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from registry.access.auth import Principal, Role
from registry.catalogue import reference_data as catalogue
from registry.errors import Forbidden
from registry.institutions import lifecycle
from registry.institutions.model import RecommenderKind, Status
from registry.problems import Rejected
from registry.storage.db import Database
from registry.trust import audit
from tests.factories import (
    OFFICE,
    STEERING_REFERENCE,
    application_input,
    audited_institution,
    make_uscc,
)

MIIT = Principal(Role.MINISTRY_RECOMMENDER, "m", "t-miit", sector="MIIT")
CAC = Principal(Role.MINISTRY_RECOMMENDER, "m", "t-cac", sector="CAC")
PROV = Principal(Role.PROVINCIAL_REVIEWER, "p", "t-35", province="35")
CETTIC = Principal(Role.CETTIC_REVIEWER, "c", "t-c")
AUDIT_DAY = dt.date(2025, 3, 4)  # a Tuesday of a week without holidays
# 智能制造 (field 06) and 工业互联网 (field 07): both in sector MIIT.
IN_MIIT = [("2-02-07-13", None, 1), ("2-02-10-13", None, 2)]


def at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC)  # 10:00 in China


@pytest.fixture(scope="module", autouse=True)
async def reference_data(db: Database) -> None:
    await catalogue.seed_reference(db)


def app(uscc: str, scope: list[tuple[str, str | None, int]] = IN_MIIT, **changes: Any) -> Any:
    return application_input(uscc, scope, **changes)


def me(uscc: str) -> Principal:
    return Principal(Role.EVALUATION_INSTITUTION, "i", "t-i", institution=uscc)


async def refused(db: Database, uscc: str, call: Any, *words: str) -> None:
    """`call` is refused with FORBIDDEN naming `words`, and nothing is written."""
    before = await db.institutions.find_one({"_id": uscc})
    entries = await db.audit_log.count_documents({})
    with pytest.raises(Forbidden) as caught:
        await call
    assert caught.value.code == "FORBIDDEN"
    for word in words:
        assert word in caught.value.message, caught.value.message
    assert await db.institutions.find_one({"_id": uscc}) == before
    assert await db.audit_log.count_documents({}) == entries


async def rejected(code: str, call: Any) -> Rejected:
    with pytest.raises(Rejected) as caught:
        await call
    assert caught.value.code == code, caught.value.problems
    return caught.value


async def test_a_ministry_recommends_an_application_sent_through_its_sector(db: Database) -> None:
    uscc = make_uscc(801)
    applied = await lifecycle.apply(db, me(uscc), app(uscc, sector="MIIT"))
    assert applied.recommender.kind is RecommenderKind.SECTOR
    assert applied.recommender.sector == "MIIT" and applied.recommended_at is None
    # Neither the province's department nor another sector's office may recommend it.
    await refused(db, uscc, lifecycle.simple(db, PROV, uscc, "recommend"), "sector MIIT")
    await refused(db, uscc, lifecycle.simple(db, CAC, uscc, "recommend"), "sector CAC")
    rec = await lifecycle.simple(db, MIIT, uscc, "recommend")
    assert rec.status is Status.RECOMMENDED and rec.recommended_at is not None
    assert rec.history[-1].by == "MINISTRY_RECOMMENDER@MIIT"
    entry = (await audit.entries_for(db, f"institution:{uscc}", limit=1))[0]
    assert entry.action == "institution.recommend" and entry.actor.endswith("@MIIT")
    # CETTIC's review follows as for any recommended application.
    passed = await lifecycle.simple(db, CETTIC, uscc, "passPreliminaryReview")
    assert passed.status is Status.PRELIMINARY_PASSED


async def test_an_application_outside_its_sector_is_refused_with_every_problem(
    db: Database,
) -> None:
    uscc = make_uscc(802)
    # Field 03 (大数据) is not MIIT's; an unknown sector; a ministry-level body via a sector.
    wide = app(uscc, [*IN_MIIT, ("2-02-10-11", None, 1)], sector="MIIT")
    problem = (await rejected("OUTSIDE_SECTOR", lifecycle.apply(db, me(uscc), wide))).problems[0]
    assert problem.field == "sector" and "field(s) 03" in problem.message
    await rejected("UNKNOWN_SECTOR", lifecycle.apply(db, me(uscc), app(uscc, sector="NOPE")))
    both = app(uscc, sector="MIIT", ministry_level=True)
    await rejected("RECOMMENDER_CONFLICT", lifecycle.apply(db, me(uscc), both))
    assert await db.institutions.find_one({"_id": uscc}) is None


async def test_a_ministry_cannot_recommend_beyond_its_fields_whatever_the_record_says(
    db: Database,
) -> None:
    uscc = make_uscc(803)
    await lifecycle.apply(db, me(uscc), app(uscc, sector="MIIT"))
    # The record widened around the API (or the sector narrowed since): checked at the step.
    await db.institutions.update_one({"_id": uscc}, {"$set": {"fields": ["03", "06"]}})
    await refused(db, uscc, lifecycle.simple(db, MIIT, uscc, "recommend"), "field(s) 03")


async def test_a_ministry_token_cannot_take_a_provinces_step(db: Database) -> None:
    uscc = make_uscc(804)
    applied = await lifecycle.apply(db, me(uscc), app(uscc))
    assert applied.recommender.kind is RecommenderKind.PROVINCE
    assert applied.recommender.province == "35"
    words = ("provincial department of province 35", "sector MIIT")
    await refused(db, uscc, lifecycle.simple(db, MIIT, uscc, "recommend"), *words)
    back = lifecycle.simple(db, MIIT, uscc, "returnApplication", reason="材料不全")
    await refused(db, uscc, back, *words)
    rec = await lifecycle.simple(db, PROV, uscc, "recommend")
    assert rec.history[-1].by == "PROVINCIAL_REVIEWER@35"


async def test_the_publicity_cannot_skip_the_steering_groups_decision(db: Database) -> None:
    uscc = make_uscc(805)
    audited = await audited_institution(db, uscc, AUDIT_DAY, steering=False)
    assert audited.status is Status.AUDITED and audited.steering is None
    now = at(AUDIT_DAY + dt.timedelta(days=5))
    skip = lifecycle.start_publicity(db, OFFICE, uscc, AUDIT_DAY + dt.timedelta(days=5), now=now)
    message = (await rejected("ILLEGAL_TRANSITION", skip)).problems[0].message
    assert "STEERING_CONFIRMED" in message
    assert (await db.institutions.find_one({"_id": uscc}))["status"] == "AUDITED"


async def test_only_the_office_records_the_decision_after_the_audit(db: Database) -> None:
    uscc = make_uscc(806)
    await audited_institution(db, uscc, AUDIT_DAY, steering=False)
    decided = AUDIT_DAY + dt.timedelta(days=2)
    now = at(AUDIT_DAY + dt.timedelta(days=3))
    for caller in (CETTIC, PROV, MIIT, me(uscc)):
        call = lifecycle.record_steering_decision(db, caller, uscc, decided, "纪要", now=now)
        await refused(db, uscc, call, "OFFICE_ADMIN")
    early = AUDIT_DAY - dt.timedelta(days=1)
    await rejected(
        "BEFORE_AUDIT",
        lifecycle.record_steering_decision(db, OFFICE, uscc, early, "纪要", now=now),
    )
    later = AUDIT_DAY + dt.timedelta(days=4)
    await rejected(
        "DATE_IN_FUTURE",
        lifecycle.record_steering_decision(db, OFFICE, uscc, later, "纪要", now=now),
    )
    blank = lifecycle.record_steering_decision(db, OFFICE, uscc, decided, "  ", now=now)
    assert (await rejected("REQUIRED", blank)).problems[0].field == "reference"

    done = await lifecycle.record_steering_decision(
        db, OFFICE, uscc, decided, STEERING_REFERENCE, now=now
    )
    assert done.status is Status.STEERING_CONFIRMED and done.steering is not None
    assert (done.steering.decided_on, done.steering.reference) == (decided, STEERING_REFERENCE)
    assert done.steering.recorded_at == now and done.steering.recorded_by_role == "OFFICE_ADMIN"
    assert [h.action for h in done.history][-2:] == ["approveAudit", "recordSteeringDecision"]
    assert done.history[-1].by == "OFFICE_ADMIN"
    # A retry is answered with the record unchanged.
    again = await lifecycle.record_steering_decision(
        db, OFFICE, uscc, decided, STEERING_REFERENCE, now=now
    )
    assert again.revision == done.revision and len(again.history) == len(done.history)

    # The publicity starts on or after the decision, not before it.
    before = lifecycle.start_publicity(
        db, OFFICE, uscc, decided - dt.timedelta(days=1), now=now, announcement="x"
    )
    assert (await rejected("BEFORE_STEERING_DECISION", before)).problems[0].field == "startDate"
    pub = await lifecycle.start_publicity(db, OFFICE, uscc, decided, now=now, announcement="x")
    assert pub.status is Status.PUBLICIZED and pub.steering == done.steering


async def test_records_past_the_audit_before_the_step_keep_working(db: Database) -> None:
    """The rule (no migration): a record publicized or listed before the step existed has no
    decision and moves on as before; one still AUDITED needs the decision like a new one."""
    uscc = make_uscc(807)
    await audited_institution(db, uscc, AUDIT_DAY)
    start = AUDIT_DAY + dt.timedelta(days=1)
    await lifecycle.start_publicity(db, OFFICE, uscc, start, now=at(start))
    # The record as stored before this version: no decision, publicized straight from AUDITED.
    doc = await db.institutions.find_one({"_id": uscc})
    history = [h for h in doc["history"] if h["action"] != "recordSteeringDecision"]
    history[-1]["from"] = "AUDITED"
    await db.institutions.update_one(
        {"_id": uscc},
        {"$unset": {"steering": "", "sector": "", "fields": ""}, "$set": {"history": history}},
    )
    end = dt.date(2025, 3, 27)  # past the 15 working days
    listed = await lifecycle.list_institution(db, OFFICE, uscc, now=at(end))
    assert listed.status is Status.LISTED and listed.steering is None
    assert listed.recommender.kind is RecommenderKind.PROVINCE
    suspended = await lifecycle.suspend(db, PROV, uscc, "整改", now=at(end + dt.timedelta(days=5)))
    assert suspended.status is Status.SUSPENDED
