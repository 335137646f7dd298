"""The examples of docs/catalogue.md restate the shipped data: against a fresh catalogue each is a
retry that writes nothing (a module of its own: a fresh database, no other test's edits)."""

from __future__ import annotations

import pytest

from registry.access.auth import Principal, Role
from registry.catalogue import edits, standard_edits
from registry.catalogue import reference_data as catalogue
from registry.catalogue.model import Completeness
from registry.catalogue.validation import CodeInput, OccupationInput, StandardInput
from registry.storage.db import Database

OFFICE = Principal(Role.OFFICE_ADMIN, "office", "tok-office")


@pytest.fixture(autouse=True)
async def seeded(db: Database) -> None:
    await catalogue.seed_reference(db)


async def test_restating_the_shipped_data_changes_nothing(db: Database) -> None:
    """What docs/catalogue.md's examples send: each is a retry of what the data says."""
    big_data = OccupationInput(
        directions=("大数据分析",), directions_state=Completeness.INCOMPLETE, directions_expected=3
    )
    ic = OccupationInput(
        name="集成电路工程技术人员",
        field="10",
        codes=(CodeInput("2015", "2-02-09-06", False), CodeInput("2022", "2-02-38-09", False)),
        directions_state=Completeness.UNKNOWN,
    )
    im = StandardInput(issued_by="人社厅发〔2021〕10号", confirmed=True)
    done = [
        await edits.edit_occupation(db, OFFICE, "2-02-38-03", big_data),
        await edits.add_occupation(db, OFFICE, ic),
        await standard_edits.edit_standard(db, OFFICE, "std:2-02-07-13", im),
    ]
    assert [d.replayed for d in done] == [True, True, True]
    assert await db.catalogue_versions.count_documents({}) == 0
