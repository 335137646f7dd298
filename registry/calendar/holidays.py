"""The office-entered holiday arrangements, one document per year (`_id` is the year).

They cover the years `chinese-calendar` does not know yet (and override it for a year the office
chooses to correct). Dates are stored as ISO strings: BSON has no date-only type, and a datetime
at midnight invites time-zone mistakes.
"""

from __future__ import annotations

import datetime as dt

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.calendar.workdays import YearArrangement
from registry.storage import store
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction
from registry.trust import audit

# Audited as "holidays.set" on "holidays:<year>", as before the store.
HOLIDAYS = store.Kind(
    Collection.HOLIDAY_ARRANGEMENTS, "holidays", "holidays", "HOLIDAYS_NOT_FOUND", "year"
)


def _content(arrangement: YearArrangement) -> Document:
    return {
        "holidays": sorted(day.isoformat() for day in arrangement.holidays),
        "workdays": sorted(day.isoformat() for day in arrangement.workdays),
    }


def _arrangement(doc: Document) -> YearArrangement:
    return YearArrangement(
        year=int(doc["_id"]),
        holidays=frozenset(dt.date.fromisoformat(day) for day in doc["holidays"]),
        workdays=frozenset(dt.date.fromisoformat(day) for day in doc["workdays"]),
    )


async def set_arrangement(db: Database, arrangement: YearArrangement, by: Principal) -> bool:
    """Store `arrangement` for its year (replacing any earlier one); audited.

    Returns whether anything changed: entering the same arrangement again writes nothing and
    appends no audit entry, so a retried request is harmless. (Validation happens when the
    `YearArrangement` is built.)
    """
    content = _content(arrangement)

    doc = {"_id": arrangement.year, **content, "updated_at": audit.now(), "updated_by": by.actor}

    def unchanged(before: Document) -> bool:
        return _content(_arrangement(before)) == content

    async def work(session: AsyncClientSession) -> bool:
        _, changed = await store.put(db, HOLIDAYS, by, "set", doc, session, unchanged=unchanged)
        return changed

    return await in_transaction(db, work)


async def load_arrangements(db: Database) -> dict[int, YearArrangement]:
    return {
        int(doc["_id"]): _arrangement(doc)
        async for doc in db[Collection.HOLIDAY_ARRANGEMENTS].find({})
    }
