"""Which annual plans and summaries are overdue (notice 四(六)1): the one rule for "due", derived
from an institution's listing periods and the reports it has stored, never stored itself.

The notice asks for a yearly plan and a year-end summary without naming dates; the registry's
convention, stated in `docs/obligations.md`: for every calendar year a listing period touches,
the PLAN is due by 31 January of that year (or 30 days after the listing began, when later) and
the SUMMARY by 31 January of the next year. A report is overdue on a day after its due date
while none of that year and kind is stored; submitting it, even late, clears the flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from registry.access.auth import Principal
from registry.institutions.model import Institution, ListingPeriod, from_document
from registry.institutions.policy import decide
from registry.institutions.reports import AnnualReport, ReportKind, for_institutions
from registry.institutions.rules import Action
from registry.storage.collections import Collection
from registry.storage.db import Database

# The registry's deadlines (day of January) and the grace after a listing that starts mid-year.
DUE_DAY_OF_JANUARY = 31
GRACE_AFTER_LISTING = dt.timedelta(days=30)
FIRST_YEAR = 2021  # the programme's first year (the notice is of 2021-10-08)


@dataclass(frozen=True)
class OverdueReport:
    """A plan or summary of `year` that was due by `due` and is not stored."""

    institution: str
    year: int
    kind: ReportKind
    due: dt.date


def due_dates(listings: Iterable[ListingPeriod]) -> dict[tuple[int, ReportKind], dt.date]:
    """Every report owed for these listing periods, with its due date."""
    owed: dict[tuple[int, ReportKind], dt.date] = {}
    for period in listings:
        if period.until <= period.start:  # ended the day it began: never on the directory
            continue
        last_day = period.until - dt.timedelta(days=1)
        for year in range(max(period.start.year, FIRST_YEAR), last_day.year + 1):
            january = dt.date(year, 1, DUE_DAY_OF_JANUARY)
            plan_due = max(january, period.start + GRACE_AFTER_LISTING)
            key = (year, ReportKind.PLAN)
            owed[key] = min(owed.get(key, plan_due), plan_due)
            owed[(year, ReportKind.SUMMARY)] = dt.date(year + 1, 1, DUE_DAY_OF_JANUARY)
    return owed


def overdue(
    institution: Institution, stored: Iterable[AnnualReport], today: dt.date
) -> list[OverdueReport]:
    """The institution's reports overdue on `today`, oldest due first."""
    have = {(r.year, r.kind) for r in stored}
    late = [
        OverdueReport(institution.uscc, year, kind, due)
        for (year, kind), due in due_dates(institution.listings).items()
        if due < today and (year, kind) not in have
    ]
    return sorted(late, key=lambda r: (r.due, r.year, r.kind.value))


async def queue(db: Database, principal: Principal, today: dt.date) -> list[OverdueReport]:
    """The reviewer's queue of overdue reports over the institutions it oversees (the office:
    all; a provincial department: its province); refused to anyone else."""
    scope = decide(principal, Action.VIEW_OVERDUE_REPORTS).require().scope
    query = scope.narrow({"listings.0": {"$exists": True}})
    institutions = [
        from_document(doc) async for doc in db[Collection.INSTITUTIONS].find(query).sort("_id", 1)
    ]
    stored = await for_institutions(db, [i.uscc for i in institutions])
    found = [r for i in institutions for r in overdue(i, stored[i.uscc], today)]
    return sorted(found, key=lambda r: (r.due, r.institution, r.year, r.kind.value))
