"""Overdue annual plans and summaries (notice 四(六)1): one rule for "due", derived from the
listing periods and the reports stored; the queue by the policy layer's scope."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.access.auth import Principal, Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.errors import Forbidden
from registry.institutions import obligations, reports
from registry.institutions.model import Institution, ListingPeriod
from registry.storage.db import Database
from tests.factories import listed_institution, make_uscc

PLAN, SUMMARY = reports.ReportKind.PLAN, reports.ReportKind.SUMMARY
FUJIAN, BEIJING = make_uscc(701), make_uscc(702, region="110100")
D = dt.date


def institution(*periods: tuple[dt.date, dt.date]) -> Institution:
    """An institution with these listing periods (the rule reads nothing else of it)."""
    fields = dict.fromkeys(Institution.__dataclass_fields__)
    listings = tuple(ListingPeriod(start, until, (), None) for start, until in periods)
    return Institution(**{**fields, "uscc": FUJIAN, "listings": listings})  # type: ignore[arg-type]


def listings(*periods: tuple[dt.date, dt.date]) -> tuple[ListingPeriod, ...]:
    return institution(*periods).listings


def report(year: int, kind: reports.ReportKind) -> reports.AnnualReport:
    return reports.AnnualReport(FUJIAN, year, kind, 1, 1, "x", dt.datetime(2020, 1, 1), 1)


def test_a_listing_owes_a_plan_and_a_summary_for_every_year_it_touches() -> None:
    owed = obligations.due_dates(listings((D(2024, 3, 10), D(2027, 3, 10))))
    assert owed == {
        (2024, PLAN): D(2024, 4, 9),  # listed after January: 30 days after the listing began
        (2024, SUMMARY): D(2025, 1, 31),
        (2025, PLAN): D(2025, 1, 31),
        (2025, SUMMARY): D(2026, 1, 31),
        (2026, PLAN): D(2026, 1, 31),
        (2026, SUMMARY): D(2027, 1, 31),
        (2027, PLAN): D(2027, 1, 31),
        (2027, SUMMARY): D(2028, 1, 31),
    }


def test_overdue_is_after_the_due_day_and_only_while_nothing_is_stored() -> None:
    inst = institution((D(2024, 3, 10), D(2027, 3, 10)))
    assert obligations.overdue(inst, [], D(2025, 1, 31)) == [
        obligations.OverdueReport(FUJIAN, 2024, PLAN, D(2024, 4, 9))
    ]
    late = obligations.overdue(inst, [report(2024, PLAN)], D(2026, 2, 1))
    assert [(r.year, r.kind) for r in late] == [
        (2024, SUMMARY),
        (2025, PLAN),
        (2025, SUMMARY),
        (2026, PLAN),
    ]


def test_a_period_ending_on_1_january_owes_nothing_for_that_year() -> None:
    owed = obligations.due_dates(listings((D(2023, 1, 1), D(2026, 1, 1))))
    assert max(year for year, _ in owed) == 2025
    assert obligations.due_dates(listings((D(2025, 6, 1), D(2025, 6, 1)))) == {}


days = st.dates(D(2021, 1, 1), D(2032, 12, 31))


@given(days, st.integers(0, 2000), days)
def test_every_overdue_report_was_due_before_today_and_submitting_clears_it(
    start: dt.date, length: int, today: dt.date
) -> None:
    inst = institution((start, start + dt.timedelta(days=length)))
    late = obligations.overdue(inst, [], today)
    owed = obligations.due_dates(inst.listings)
    assert all(r.due < today and owed[(r.year, r.kind)] == r.due for r in late)
    assert len(late) == sum(due < today for due in owed.values())
    assert obligations.overdue(inst, [report(r.year, r.kind) for r in late], today) == []


@pytest.fixture(scope="module", autouse=True)
async def listed(db: Database) -> None:
    await catalogue.seed_reference(db)
    await listed_institution(db, FUJIAN)
    await listed_institution(db, BEIJING, province="11")
    me = Principal(Role.EVALUATION_INSTITUTION, "i", "t-i", institution=FUJIAN)
    await reports.submit(db, me, SUMMARY, 2024, 10, 1, "总结")


async def test_the_office_queue_holds_every_institution_and_a_province_its_own(
    db: Database,
) -> None:
    office = Principal(Role.OFFICE_ADMIN, "o", "t-o")
    today = D(2026, 2, 1)
    everyone = await obligations.queue(db, office, today)
    assert {(r.institution, r.year, r.kind) for r in everyone} == {
        (FUJIAN, 2024, PLAN),
        (FUJIAN, 2025, PLAN),
        (FUJIAN, 2025, SUMMARY),
        (FUJIAN, 2026, PLAN),
        (BEIJING, 2024, PLAN),
        (BEIJING, 2024, SUMMARY),
        (BEIJING, 2025, PLAN),
        (BEIJING, 2025, SUMMARY),
        (BEIJING, 2026, PLAN),
    }
    assert [r.due for r in everyone] == sorted(r.due for r in everyone)
    fujian = Principal(Role.PROVINCIAL_REVIEWER, "p", "t-p", province="35")
    assert {r.institution for r in await obligations.queue(db, fujian, today)} == {FUJIAN}


@pytest.mark.parametrize(
    "who",
    [
        Principal(None, "public"),
        Principal(Role.CETTIC_REVIEWER, "c", "t-c"),
        Principal(Role.EVALUATION_INSTITUTION, "i", "t-i", institution=FUJIAN),
    ],
)
async def test_the_queue_is_refused_to_everyone_else(db: Database, who: Principal) -> None:
    with pytest.raises(Forbidden) as refused:
        await obligations.queue(db, who, clock.today())
    assert refused.value.code == "FORBIDDEN"
