"""The 15 working days of publicity (issue 14, item 1), attacked through the lifecycle on the real
database: a publicity cannot start before its audit, a back-dated start needs the announcement's
reference and does not shorten the registry's window, objections are taken on every day of the
window and refused after it, and nothing is listed before the window has ended."""

from __future__ import annotations

import datetime as dt

import pytest

from registry.access.auth import ANONYMOUS, Principal, Role
from registry.calendar import workdays
from registry.catalogue import reference_data as catalogue
from registry.institutions import lifecycle
from registry.institutions.model import PUBLICITY_WORKING_DAYS, Institution, Status
from registry.problems import Rejected
from registry.storage.db import Database
from tests.factories import audited_institution, make_uscc

OFFICE = Principal(Role.OFFICE_ADMIN, "o", "t-office")
# A week of 2025 the installed chinese-calendar knows: Tuesday 4 March 2025, no holiday near.
AUDIT_DAY = dt.date(2025, 3, 4)


def at(day: dt.date, hour: int = 2) -> dt.datetime:
    """02:00 UTC: 10:00 the same day in China."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=dt.UTC)


@pytest.fixture(scope="module", autouse=True)
async def reference_data(db: Database) -> None:
    await catalogue.seed_reference(db)


async def audited(db: Database, n: int) -> str:
    """A new institution walked to AUDITED, the audit approved on `AUDIT_DAY`."""
    await audited_institution(db, make_uscc(n), AUDIT_DAY)
    return make_uscc(n)


async def refused(code: str, call: object) -> Rejected:
    with pytest.raises(Rejected) as caught:
        await call  # type: ignore[misc]
    assert caught.value.code == code, caught.value.problems
    return caught.value


async def test_audited_then_started_months_ago_then_listed_in_the_same_minute_fails(
    db: Database,
) -> None:
    # The attack as seen: audited, given a publicity that "started" months ago, listed at once.
    uscc = await audited(db, 201)
    now = at(AUDIT_DAY + dt.timedelta(days=200))
    months_ago = AUDIT_DAY + dt.timedelta(days=1)
    pub = await lifecycle.start_publicity(
        db, OFFICE, uscc, months_ago, now=now, announcement="人社部官网公示 2025-03-05"
    )
    assert pub.status is Status.PUBLICIZED and pub.publicity_start == months_ago
    # The registry takes objections for 15 full working days from the day it recorded it.
    assert pub.publicity_recorded_on == now.date()
    assert pub.publicity_end is not None
    assert workdays.working_days_between(now.date(), pub.publicity_end) == PUBLICITY_WORKING_DAYS
    await refused("PUBLICITY_RUNNING", lifecycle.list_institution(db, OFFICE, uscc, now=now))
    _, objection = await lifecycle.lodge_objection(db, ANONYMOUS, uscc, "未按规定公示", now=now)
    assert objection.startswith("obj_")


async def test_a_publicity_cannot_start_before_its_audit_was_approved(db: Database) -> None:
    uscc = await audited(db, 202)
    now = at(AUDIT_DAY + dt.timedelta(days=3))
    error = await refused(
        "BEFORE_AUDIT",
        lifecycle.start_publicity(
            db, OFFICE, uscc, AUDIT_DAY - dt.timedelta(days=1), now=now, announcement="网站公示"
        ),
    )
    assert error.field == "startDate" and AUDIT_DAY.isoformat() in error.message
    # Starting on the day of the audit itself is allowed.
    pub = await lifecycle.start_publicity(
        db, OFFICE, uscc, AUDIT_DAY, now=now, announcement="网站公示"
    )
    assert pub.publicity_start == AUDIT_DAY


async def test_a_start_before_the_day_it_is_recorded_needs_the_announcements_reference(
    db: Database,
) -> None:
    uscc = await audited(db, 203)
    now = at(AUDIT_DAY + dt.timedelta(days=2))
    yesterday = AUDIT_DAY + dt.timedelta(days=1)
    for blank in (None, "", "   "):
        error = await refused(
            "ANNOUNCEMENT_REQUIRED",
            lifecycle.start_publicity(db, OFFICE, uscc, yesterday, now=now, announcement=blank),
        )
        assert error.field == "announcementReference"
    await refused(
        "TOO_LONG",
        lifecycle.start_publicity(db, OFFICE, uscc, yesterday, now=now, announcement="公" * 201),
    )
    await refused(
        "DATE_IN_FUTURE",
        lifecycle.start_publicity(db, OFFICE, uscc, now.date() + dt.timedelta(days=1), now=now),
    )
    pub = await lifecycle.start_publicity(
        db, OFFICE, uscc, yesterday, now=now, announcement="  福建省人社厅网站 2025-03-05 公示  "
    )
    assert pub.publicity_announcement == "福建省人社厅网站 2025-03-05 公示"


async def test_a_publicity_recorded_on_its_first_day_needs_no_reference(db: Database) -> None:
    uscc = await audited(db, 204)
    pub = await lifecycle.start_publicity(db, OFFICE, uscc, AUDIT_DAY, now=at(AUDIT_DAY))
    assert pub.publicity_announcement is None and pub.publicity_recorded_on == AUDIT_DAY
    # 4 March 2025 (a Tuesday) + 15 working days: Monday 24 March.
    assert pub.publicity_end == dt.date(2025, 3, 24)


async def test_objections_are_taken_on_every_day_of_the_window_and_refused_after_it(
    db: Database,
) -> None:
    uscc = await audited(db, 205)
    pub: Institution = await lifecycle.start_publicity(
        db, OFFICE, uscc, AUDIT_DAY, now=at(AUDIT_DAY)
    )
    assert pub.publicity_end is not None
    last = pub.publicity_end
    day = AUDIT_DAY
    while day <= last:  # weekends and holidays included: the window is open every day of it
        # 23:30 in China, the last minute of that China day the registry still counts.
        late = dt.datetime.combine(day, dt.time(15, 30), tzinfo=dt.UTC)
        await lifecycle.lodge_objection(db, ANONYMOUS, uscc, f"异议 {day}", now=late)
        day += dt.timedelta(days=1)
    after = dt.datetime.combine(last, dt.time(16, 0), tzinfo=dt.UTC)  # 00:00 the next China day
    error = await refused(
        "PUBLICITY_ENDED", lifecycle.lodge_objection(db, ANONYMOUS, uscc, "太迟了", now=after)
    )
    assert last.isoformat() in error.message
    stored = await db.institutions.find_one({"_id": uscc})
    assert stored is not None and len(stored["objections"]) == (last - AUDIT_DAY).days + 1


async def test_listing_waits_for_the_end_of_the_window(db: Database) -> None:
    uscc = await audited(db, 206)
    pub = await lifecycle.start_publicity(db, OFFICE, uscc, AUDIT_DAY, now=at(AUDIT_DAY))
    assert pub.publicity_end is not None
    on_last_day = dt.datetime.combine(pub.publicity_end, dt.time(15, 59), tzinfo=dt.UTC)
    error = await refused(
        "PUBLICITY_RUNNING", lifecycle.list_institution(db, OFFICE, uscc, now=on_last_day)
    )
    assert pub.publicity_end.isoformat() in error.message
    listed = await lifecycle.list_institution(
        db, OFFICE, uscc, now=on_last_day + dt.timedelta(minutes=1)
    )
    assert listed.status is Status.LISTED
    assert listed.first_listed == pub.publicity_end + dt.timedelta(days=1)
    # After the listing, the objection window is closed too.
    await refused(
        "NOT_IN_PUBLICITY",
        lifecycle.lodge_objection(
            db, ANONYMOUS, uscc, "迟到的异议", now=on_last_day + dt.timedelta(minutes=2)
        ),
    )


async def test_every_problem_of_a_start_is_named_at_once(db: Database) -> None:
    uscc = await audited(db, 207)
    error = await refused(
        "BEFORE_AUDIT",
        lifecycle.start_publicity(
            db, OFFICE, uscc, AUDIT_DAY - dt.timedelta(days=30), now=at(AUDIT_DAY)
        ),
    )
    assert {(p.field, p.code) for p in error.problems} == {
        ("startDate", "BEFORE_AUDIT"),
        ("announcementReference", "ANNOUNCEMENT_REQUIRED"),
    }


async def test_a_start_retried_the_next_day_is_answered_unchanged(db: Database) -> None:
    # Safe to retry: the first answer was lost, the office sends the same request tomorrow.
    uscc = await audited(db, 208)
    first = await lifecycle.start_publicity(db, OFFICE, uscc, AUDIT_DAY, now=at(AUDIT_DAY))
    again = await lifecycle.start_publicity(
        db, OFFICE, uscc, AUDIT_DAY, now=at(AUDIT_DAY + dt.timedelta(days=1))
    )
    assert again == first
