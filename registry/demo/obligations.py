"""Demo annual plans and summaries (notice 四(六)1): every listed demo institution has sent what
it owed on time, except one, whose latest report due stays overdue, so that the institution's
page and the office's queue (`overdueReports`) show the flag."""

from __future__ import annotations

import datetime as dt

from registry.access.auth import Principal
from registry.calendar import clock
from registry.demo.directory import demo_institutions
from registry.institutions import obligations, reports
from registry.institutions.model import from_document
from registry.institutions.policy import ROLE_OF_KIND
from registry.storage.collections import Collection
from registry.storage.db import Database

MARKER = "demo_obligations_v1"
BEFORE_DUE = dt.timedelta(days=5)


async def _owed(
    db: Database, today: dt.date
) -> list[tuple[Principal, list[obligations.OverdueReport]]]:
    """Each listed demo institution (as itself) with the reports due before `today`."""
    out = []
    for inst, _, _ in demo_institutions():
        doc = await db[Collection.INSTITUTIONS].find_one({"_id": inst.uscc})
        if doc is None or not doc.get("listings"):
            continue
        me = Principal(ROLE_OF_KIND[inst.kind], "demo", "demo-inst", institution=inst.uscc)
        out.append((me, obligations.overdue(from_document(doc), [], today)))
    return out


async def seed_reports(db: Database) -> dict[str, object]:
    """Load the demo's annual reports once; returns the one left overdue (empty when loaded
    before or when no demo institution owed anything)."""
    if await db[Collection.DEMO_STATE].find_one({"_id": MARKER}):
        return {}
    owed = await _owed(db, clock.today())
    # The one left overdue: the institution that owes the most (the first, on a tie).
    late = max(owed, key=lambda pair: len(pair[1]), default=None)
    left: obligations.OverdueReport | None = late[1][-1] if late and late[1] else None
    for me, due in owed:
        for r in due:
            if r == left:
                continue
            people, what = (
                (300, "年度培训考核计划")
                if r.kind is reports.ReportKind.PLAN
                else (280, "年度总结")
            )
            at = dt.datetime.combine(r.due - BEFORE_DUE, dt.time(2), tzinfo=dt.UTC)
            text = f"{r.year}{what}（演示）"
            await reports.submit(db, me, r.kind, r.year, people, 6, text, now=at)
    await db[Collection.DEMO_STATE].insert_one({"_id": MARKER, "at": clock.now()})
    if left is None:
        return {}
    return {"overdue": f"{left.institution} {left.year} {left.kind.value}"}
