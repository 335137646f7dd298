"""The office's catalogue edits against the real database: versions, retries, refusals, the seed."""

from __future__ import annotations

import pytest

from registry.access.auth import Principal, Role
from registry.catalogue import edits, history, standard_edits
from registry.catalogue import reference_data as catalogue
from registry.catalogue.model import Completeness
from registry.catalogue.validation import CodeInput, LevelInput, OccupationInput, StandardInput
from registry.errors import Forbidden
from registry.problems import Rejected
from registry.storage.db import Database

OFFICE = Principal(Role.OFFICE_ADMIN, "office", "tok-office")
CETTIC = Principal(Role.CETTIC_REVIEWER, "cettic", "tok-cettic")


@pytest.fixture(autouse=True)
async def seeded(db: Database) -> None:
    await catalogue.seed_reference(db)


def codes_of(rejected: pytest.ExceptionInfo[Rejected]) -> list[tuple[str | None, str]]:
    return [(p.field, p.code) for p in rejected.value.problems]


async def test_an_edit_makes_one_version_and_a_retry_none(db: Database) -> None:
    spec = OccupationInput(directions=("大数据分析", "大数据平台管理"))
    first = await edits.edit_occupation(db, OFFICE, "2-02-38-03", spec)
    again = await edits.edit_occupation(db, OFFICE, "2-02-10-11", spec)
    assert (first.replayed, again.replayed) == (False, True)
    found = await history.occupation_history(db, "2-02-10-11")
    assert [v.version for v in found] == [1, 2]
    assert found[0].at is None and found[0].by is None  # as shipped
    assert found[1].by == OFFICE.actor and found[1].changed == ("directions",)
    assert [d.name for d in found[1].entry.directions] == ["大数据分析", "大数据平台管理"]
    assert found[1].entry.directions_state is Completeness.INCOMPLETE  # 2 of 3
    assert await db.audit_log.count_documents({"action": "catalogue.occupation.edit"}) == 1


async def test_the_seed_never_overwrites_an_office_edit(db: Database) -> None:
    await edits.edit_occupation(
        db, OFFICE, "2-02-10-12", OccupationInput(name="云计算工程技术人员（修订）")
    )
    report = await catalogue.seed_reference(db)
    assert report.inserted["occupations"] == 0
    found = await catalogue.occupation(db, "2-02-10-12")
    assert found is not None and found.name == "云计算工程技术人员（修订）" and found.version == 2


async def test_only_the_office_edits(db: Database) -> None:
    with pytest.raises(Forbidden):
        await edits.edit_occupation(db, CETTIC, "2-02-10-09", OccupationInput(name="x"))
    with pytest.raises(Forbidden):
        await standard_edits.add_standard(
            db, CETTIC, StandardInput(title="x", occupations=("2-02-10-11",))
        )
    assert await history.occupation_history(db, "2-02-10-09") != []
    assert len(await history.occupation_history(db, "2-02-10-09")) == 1


async def test_refusals_carry_stable_codes(db: Database) -> None:
    with pytest.raises(Rejected) as unknown:
        await edits.edit_occupation(db, OFFICE, "2-02-99-99", OccupationInput(name="x"))
    assert codes_of(unknown) == [("code", "OCCUPATION_NOT_FOUND")]
    with pytest.raises(Rejected) as malformed:
        await edits.edit_occupation(db, OFFICE, "2029901", OccupationInput(name="x"))
    assert codes_of(malformed) == [("code", "INVALID_OCCUPATION_CODE")]
    taken = (CodeInput("2015", "2-02-10-10", True),)
    with pytest.raises(Rejected) as duplicate:
        await edits.add_occupation(
            db, OFFICE, OccupationInput(name="新职业", field="02", codes=taken)
        )
    assert codes_of(duplicate) == [("codes[0].code", "DUPLICATE_OCCUPATION_CODE")]
    bad = (CodeInput("2019", "2-0238-12", False),)
    with pytest.raises(Rejected) as many:
        await edits.add_occupation(db, OFFICE, OccupationInput(name=" ", field="11", codes=bad))
    assert set(codes_of(many)) == {
        ("field", "UNKNOWN_FIELD"),
        ("name", "INVALID_TEXT"),
        ("codes[0].edition", "INVALID_EDITION"),
        ("codes[0].code", "INVALID_OCCUPATION_CODE"),
    }


async def test_an_edit_keeps_the_primary_code_and_named_directions(db: Database) -> None:
    moved = (CodeInput("2015", "2-02-10-99", True), CodeInput("2022", "2-02-38-01", False))
    with pytest.raises(Rejected) as fixed:
        await edits.edit_occupation(db, OFFICE, "2-02-10-09", OccupationInput(codes=moved))
    assert ("codes", "PRIMARY_CODE_FIXED") in codes_of(fixed)
    with pytest.raises(Rejected) as removed:
        await edits.edit_occupation(db, OFFICE, "2-02-10-11", OccupationInput(directions=()))
    assert ("directions", "DIRECTION_REMOVED") in codes_of(removed)
    with pytest.raises(Rejected) as state:
        spec = OccupationInput(directions_state=Completeness.COMPLETE)
        await edits.edit_occupation(db, OFFICE, "2-02-10-11", spec)  # 1 of 3 entered
    assert codes_of(state) == [("directionsState", "DIRECTIONS_STATE_MISMATCH")]


async def test_confirming_a_code_is_an_edit(db: Database) -> None:
    confirmed = (CodeInput("2015", "2-02-10-09", True), CodeInput("2022", "2-02-38-01", True))
    done = await edits.edit_occupation(db, OFFICE, "2-02-38-01", OccupationInput(codes=confirmed))
    assert [c.confirmed for c in catalogue.as_occupation(done.document).codes] == [True, True]


async def test_add_an_occupation_twice_makes_one(db: Database) -> None:
    spec = OccupationInput(
        name="数据安全工程技术人员",
        field="03",
        codes=(CodeInput("2022", "2-02-38-12", False),),
    )
    first = await edits.add_occupation(db, OFFICE, spec)
    again = await edits.add_occupation(db, OFFICE, spec)
    assert (first.replayed, again.replayed) == (False, True)
    found = await catalogue.occupation(db, "2-02-38-12")
    assert found is not None and found.directions_state is Completeness.UNKNOWN
    assert [v.version for v in await history.occupation_history(db, "2-02-38-12")] == [1]


async def test_a_standard_level_is_unknown_until_entered(db: Database) -> None:
    (std,) = await catalogue.standards(db, occupation_code="2-02-07-13")
    assert [lv.state for lv in std.levels] == [Completeness.UNKNOWN] * 3
    spec = StandardInput(levels=(LevelInput(2, training_hours=128, conditions=None),))
    done = await standard_edits.edit_standard(db, OFFICE, std.id, spec)
    again = await standard_edits.edit_standard(db, OFFICE, std.id, spec)
    assert again.replayed and not done.replayed
    levels = catalogue.as_standard(done.document).levels
    assert [(lv.level, lv.training_hours, lv.state) for lv in levels] == [
        (1, None, Completeness.UNKNOWN),
        (2, 128, Completeness.INCOMPLETE),
        (3, None, Completeness.UNKNOWN),
    ]
    with pytest.raises(Rejected) as bad:
        await standard_edits.edit_standard(
            db, OFFICE, std.id, StandardInput(levels=(LevelInput(4, 0, ""),))
        )
    assert set(codes_of(bad)) == {
        ("levels[0].level", "INVALID_LEVEL"),
        ("levels[0].trainingHours", "INVALID_HOURS"),
        ("levels[0].conditions", "INVALID_TEXT"),
    }
    with pytest.raises(Rejected) as missing:
        await standard_edits.edit_standard(db, OFFICE, "std:nothing", StandardInput(title="x"))
    assert codes_of(missing) == [("id", "STANDARD_NOT_FOUND")]


async def test_the_shipped_catalogue_says_what_is_unknown(db: Database) -> None:
    im = await catalogue.occupation(db, "2-02-07-13")
    assert im is not None and im.directions == () and im.directions_state is Completeness.UNKNOWN
    every = (await catalogue.occupations(db, limit=100))[0]
    assert not any(d.placeholder for o in every for d in o.directions)
    assert all(o.directions or o.directions_state is Completeness.UNKNOWN for o in every)
