"""The demo shows an overdue report: every listed demo institution sent what it owed, except one,
whose latest report due is the one flag of the office's queue; loaded once."""

from __future__ import annotations

from registry.access.auth import Principal, Role
from registry.calendar import clock
from registry.demo import directory as demo
from registry.demo import obligations as demo_obligations
from registry.institutions import obligations
from registry.settings import Settings
from registry.storage.db import Database

OFFICE = Principal(Role.OFFICE_ADMIN, "o", "t-o")


async def test_the_demo_leaves_exactly_one_report_overdue(db: Database, settings: Settings) -> None:
    await demo.seed_demo(db, settings)
    made = await demo_obligations.seed_reports(db)
    [late] = await obligations.queue(db, OFFICE, clock.today())
    assert made == {"overdue": f"{late.institution} {late.year} {late.kind.value}"}
    assert late.due < clock.today()
    assert await db.institution_reports.count_documents({}) > 0
    assert await demo_obligations.seed_reports(db) == {}  # loaded once
    assert len(await obligations.queue(db, OFFICE, clock.today())) == 1
