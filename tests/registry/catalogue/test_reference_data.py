from __future__ import annotations

import pytest

from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database


async def test_seed_is_idempotent_and_keeps_office_edits(db: Database) -> None:
    first = await catalogue.seed_reference(db)
    assert first.inserted == {
        "fields": 10,
        "levels": 3,
        "occupations": 10,
        "standards": 5,
        "provinces": 34,
    }
    # An office edit must survive a re-seed.
    await db.occupations.update_one(
        {"_id": "2-02-10-11"}, {"$set": {"name": "大数据工程技术人员（已修订）", "edited": True}}
    )
    second = await catalogue.seed_reference(db)
    assert sum(second.inserted.values()) == 0
    assert second.unchanged == first.inserted
    edited = await catalogue.occupation(db, "2-02-10-11")
    assert edited is not None and edited.name.endswith("（已修订）")
    await db.occupations.update_one(
        {"_id": "2-02-10-11"}, {"$set": {"name": "大数据工程技术人员"}, "$unset": {"edited": ""}}
    )
    assert await db.occupations.count_documents({}) == 10


@pytest.mark.parametrize(
    ("code", "name"),
    [
        ("2-02-10-09", "人工智能工程技术人员"),
        ("2-02-38-01", "人工智能工程技术人员"),
        ("2-02-07-13", "智能制造工程技术人员"),
        ("2-02-38-05", "智能制造工程技术人员"),
        ("4-07-05-04", "数字化管理师"),
    ],
)
async def test_either_edition_finds_the_same_occupation(db: Database, code: str, name: str) -> None:
    await catalogue.seed_reference(db)
    found = await catalogue.occupation(db, code)
    assert found is not None
    assert found.name == name
    assert code in {c.code for c in found.codes}


async def test_unconfirmed_codes_are_marked(db: Database) -> None:
    ic = await catalogue.occupation(db, "2-02-38-09")
    assert ic is not None and ic.field == "10"
    assert {(c.edition, c.confirmed) for c in ic.codes} == {("2015", False), ("2022", False)}
    ai = await catalogue.occupation(db, "2-02-10-09")
    assert ai is not None
    assert {(c.edition, c.confirmed) for c in ai.codes} == {("2015", True), ("2022", False)}
    # Related, but not an occupation of the programme.
    assert await catalogue.occupation(db, "2-02-38-12") is None


async def test_pages_cover_everything_once_in_order(db: Database) -> None:
    seen: list[str] = []
    after = None
    while True:
        page, more = await catalogue.occupations(db, limit=3, after=after)
        seen.extend(o.code for o in page)
        if not more:
            break
        after = page[-1].sort_key
    assert len(seen) == len(set(seen)) == 10
    fields = [(await catalogue.occupation(db, c)).field for c in seen]  # type: ignore[union-attr]
    assert fields == sorted(fields)


async def test_search_by_name_or_code_prefix(db: Database) -> None:
    by_name, _ = await catalogue.occupations(db, search="区块链")
    assert [o.code for o in by_name] == ["2-02-10-15"]
    by_new_code, _ = await catalogue.occupations(db, search="2-02-38-0")
    assert len(by_new_code) == 9  # every occupation with a 2022 code in 2-02-38-01..09
    by_field, _ = await catalogue.occupations(db, field="06")
    assert [o.name for o in by_field] == ["智能制造工程技术人员"]
    regex_chars, _ = await catalogue.occupations(db, search=".*")
    assert regex_chars == []  # searched literally, not as a pattern


async def test_directions_and_standards(db: Database) -> None:
    ai = await catalogue.occupation(db, "2-02-38-01")
    assert ai is not None and ai.directions_expected == 5
    assert "计算机视觉产品实现" in {d.name for d in ai.directions}
    assert not any(d.placeholder for d in ai.directions)
    im = await catalogue.occupation(db, "2-02-07-13")
    # Its directions are not yet entered: said by the state, never by a placeholder name.
    assert im is not None and im.directions == () and im.directions_state == "UNKNOWN"
    stds = await catalogue.standards(db, occupation_code="2-02-38-05")
    assert [(s.issued_by, s.issued_on, s.confirmed) for s in stds] == [
        ("人社厅发〔2021〕10号", "2021-02-03", True)
    ]
    assert await catalogue.standards(db, occupation_code="9-99-99-99") == []


async def test_provinces_are_gbt2260_prefixes(db: Database) -> None:
    provinces = await catalogue.provinces(db)
    codes = [p.code for p in provinces]
    assert codes == sorted(codes) and len(codes) == 34
    assert {"11", "44", "65", "81", "82"} <= set(codes)
    assert next(p.name for p in provinces if p.code == "35") == "福建省"
