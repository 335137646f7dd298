"""Annual plans and summaries through the audited store: one record a year and kind, replaced
with its revision, audited as the institution's own change, refused to anyone else."""

from __future__ import annotations

import pytest

from registry.access.auth import Principal, Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.errors import Forbidden
from registry.institutions import reports
from registry.problems import Rejected
from registry.storage.collections import Collection
from registry.storage.db import Database
from tests.factories import listed_institution, make_uscc

LISTED = make_uscc(601)
APPLIED_ONLY = make_uscc(602)
YEAR = clock.today().year
PLAN = reports.ReportKind.PLAN


def me(uscc: str) -> Principal:
    return Principal(Role.EVALUATION_INSTITUTION, "i", "t-i", institution=uscc)


@pytest.fixture(scope="module", autouse=True)
async def listed(db: Database) -> None:
    await catalogue.seed_reference(db)
    await listed_institution(db, LISTED)


async def _audit(db: Database, uscc: str) -> list[str]:
    cursor = db[Collection.AUDIT_LOG].find({"entity": f"institution:{uscc}"}).sort("seq", 1)
    return [e["action"] async for e in cursor if e["action"].startswith("institution.report")]


async def test_a_report_is_stored_replaced_and_audited_on_its_institution(db: Database) -> None:
    first = await reports.submit(db, me(LISTED), PLAN, YEAR, 100, 4, " 计划 ")
    assert (first.text, first.revision) == ("计划", 1)
    same = await reports.submit(db, me(LISTED), PLAN, YEAR, 100, 4, "计划")
    assert same.revision == 1  # the same content again changes nothing
    changed = await reports.submit(db, me(LISTED), PLAN, YEAR, 120, 5, "计划（修订）")
    assert (changed.people, changed.revision) == (120, 2)
    assert await _audit(db, LISTED) == ["institution.report.plan", "institution.report.plan"]
    found = await reports.for_institutions(db, [LISTED])
    assert [(r.kind, r.people) for r in found[LISTED]] == [(PLAN, 120)]


async def test_reports_are_refused_with_their_codes(db: Database) -> None:
    with pytest.raises(Rejected) as bad:
        await reports.submit(db, me(LISTED), PLAN, 2019, -1, 1, " ")
    assert {p.code for p in bad.value.problems} == {"INVALID_YEAR", "NEGATIVE", "INVALID_TEXT"}
    with pytest.raises(Rejected) as unlisted:
        await reports.submit(db, me(APPLIED_ONLY), PLAN, YEAR, 1, 1, "x")
    assert unlisted.value.code == "NOT_LISTED"
    for who in (
        Principal(None, "public"),
        Principal(Role.OFFICE_ADMIN, "o", "t-o"),
        Principal(Role.PROVINCIAL_REVIEWER, "p", "t-p", province="35"),
    ):
        with pytest.raises(Forbidden):
            await reports.submit(db, who, PLAN, YEAR, 1, 1, "x")
    assert await db[Collection.INSTITUTION_REPORTS].count_documents({}) <= 1
