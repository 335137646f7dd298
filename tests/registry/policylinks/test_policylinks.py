"""Policy links (notice 五): the national defaults read from the notice before anyone writes;
a province's version answers for that province from its effective day while the rest follow the
national one; every change is a new version (history kept), audited, retry-safe; the refusals
each by code (non-office token, unknown province, unknown level, unknown occupation, before the
notice, no source) with nothing written."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from registry.access.auth import Principal, Role
from registry.catalogue import reference_data as catalogue
from registry.errors import Forbidden
from registry.policylinks import answers, editing
from registry.policylinks.editing import SubsidyRuleInput, TitleLinkInput
from registry.policylinks.model import Scope, TitleUse, Topic
from registry.policylinks.national import CLAUSE_SUBSIDY, CLAUSE_TITLES, NOTICE_DATE
from registry.problems import Rejected
from registry.storage.collections import Collection
from registry.storage.db import Database

OFFICE = Principal(Role.OFFICE_ADMIN, "office", "tok-office")
DAY = dt.date(2026, 3, 1)
PUBLISHED_TITLES = (
    "取得高级专业技术等级证书的,可作为申报高级职称评审的重要参考;取得中级、初级专业技术等级证书的,"
    "可纳入各地各部门中级、初级职称认定范围。具体职称认定或衔接办法由各地各部门结合实际自行研究制定。"
)
PUBLISHED_SUBSIDY = "取得培训合格证书的,按照有关规定申领职业培训补贴。"


@pytest.fixture(scope="module", autouse=True)
async def reference(db: Database) -> None:
    await catalogue.seed_reference(db)


def title(province: str | None = "35", level: int = 2, **over: object) -> TitleLinkInput:
    fields: dict[str, object] = {
        "level": level,
        "effective_from": DAY,
        "use": TitleUse.PROVINCIAL_RULE.value if province else TitleUse.TITLE_RECOGNITION.value,
        "text": "演示数据(虚构):示例省份的衔接办法",
        "source": "演示数据,非真实文件",
        "province": province,
        "demo": True,
        **over,
    }
    return TitleLinkInput(**fields)  # type: ignore[arg-type]


async def state(db: Database) -> tuple[list[dict[str, object]], int]:
    links = await db[Collection.POLICY_LINKS].find().sort("_id", 1).to_list()
    return links, await db[Collection.AUDIT_LOG].count_documents({})


async def test_the_national_defaults_are_the_notices_words(db: Database) -> None:
    senior = await answers.title_link(db, 3, "11", DAY)
    junior = await answers.title_link(db, 1, "11", DAY)
    assert senior is not None and junior is not None
    assert senior.use == TitleUse.SENIOR_REVIEW_REFERENCE and senior.scope is Scope.NATIONAL
    assert junior.use == TitleUse.TITLE_RECOGNITION
    assert "可作为申报高级职称评审的重要参考" in senior.text
    assert "纳入各地各部门中级、初级职称认定范围" in junior.text
    assert senior.effective_from == NOTICE_DATE.isoformat() and not senior.demo
    subsidy = await answers.subsidy(db, "2-02-10-09", 1, "11", DAY)
    assert subsidy is not None and subsidy.qualifies and subsidy.scope is Scope.NATIONAL
    # The sources quote the notice as published (copied here from 人社厅发〔2021〕71号 五).
    assert CLAUSE_TITLES in senior.source and CLAUSE_TITLES in junior.source
    assert CLAUSE_SUBSIDY in subsidy.source
    assert PUBLISHED_TITLES in CLAUSE_TITLES and PUBLISHED_SUBSIDY in CLAUSE_SUBSIDY
    # Before the notice, nothing links.
    assert await answers.title_link(db, 3, "11", NOTICE_DATE - dt.timedelta(days=1)) is None


async def test_a_province_differs_from_its_effective_day_and_history_is_kept(db: Database) -> None:
    made = await editing.set_title_link(db, OFFICE, title("35"))
    assert not made.replayed and len(made.record["versions"]) == 1
    on = await answers.title_link(db, 2, "35", DAY)
    assert on is not None and on.scope is Scope.PROVINCIAL and on.demo
    assert on.use == TitleUse.PROVINCIAL_RULE
    before = await answers.title_link(db, 2, "35", DAY - dt.timedelta(days=1))
    assert before is not None and before.scope is Scope.NATIONAL
    other = await answers.title_link(db, 2, "11", DAY)
    assert other is not None and other.scope is Scope.NATIONAL
    # A later version is added, never replacing the first.
    later = title("35", text="演示数据(虚构):第二版", effective_from=DAY + dt.timedelta(days=30))
    again = await editing.set_title_link(db, OFFICE, later)
    assert [v["text"] for v in again.record["versions"]] == [
        "演示数据(虚构):示例省份的衔接办法",
        "演示数据(虚构):第二版",
    ]
    now = await answers.title_link(db, 2, "35", DAY + dt.timedelta(days=31))
    assert now is not None and now.text == "演示数据(虚构):第二版"


async def test_the_same_version_again_changes_nothing(db: Database) -> None:
    spec = title("44", level=1)
    first = await editing.set_title_link(db, OFFICE, spec)
    before = await state(db)
    retry = await editing.set_title_link(db, OFFICE, spec)
    assert retry.replayed and not first.replayed
    assert await state(db) == before


async def test_a_national_change_keeps_the_notice_as_its_first_version(db: Database) -> None:
    spec = title(None, level=3, use=TitleUse.SENIOR_REVIEW_REFERENCE.value, demo=False)
    made = await editing.set_title_link(db, OFFICE, spec)
    versions = made.record["versions"]
    assert len(versions) == 2 and versions[0]["recorded_at"] is None
    assert versions[0]["effective_from"] == NOTICE_DATE.isoformat()
    entry = await db[Collection.AUDIT_LOG].find_one({"entity": "policy_link:title:CN:3"})
    assert entry is not None and entry["action"] == "policy.setTitleLink"
    records = await answers.records(db, Topic.TITLE, DAY)
    assert [r["_id"] for r in records[:3]] == ["title:CN:1", "title:CN:2", "title:CN:3"]


async def test_a_subsidy_rule_by_level_and_occupation(db: Database) -> None:
    spec = SubsidyRuleInput(
        effective_from=DAY,
        qualifies=True,
        levels=[1, 2],
        occupations=["2-02-10-09"],
        text="演示数据(虚构):仅初级、中级人工智能工程技术人员",
        source="演示数据,非真实文件",
        province="35",
        demo=True,
    )
    await editing.set_subsidy_rule(db, OFFICE, spec)
    yes = await answers.subsidy(db, "2-02-10-09", 2, "35", DAY)
    senior = await answers.subsidy(db, "2-02-10-09", 3, "35", DAY)
    other = await answers.subsidy(db, "2-02-10-10", 1, "35", DAY)
    assert yes is not None and yes.qualifies and yes.scope is Scope.PROVINCIAL
    assert senior is not None and not senior.qualifies
    assert other is not None and not other.qualifies
    elsewhere = await answers.subsidy(db, "2-02-10-10", 1, "11", DAY)
    assert elsewhere is not None and elsewhere.qualifies and elsewhere.scope is Scope.NATIONAL


@pytest.mark.parametrize(
    ("over", "field", "code"),
    [
        ({"province": "99"}, "province", "UNKNOWN_PROVINCE"),
        ({"level": 4}, "level", "UNKNOWN_LEVEL"),
        ({"use": "DIRECT"}, "use", "UNKNOWN_TITLE_USE"),
        ({"source": " "}, "source", "REQUIRED"),
        ({"effective_from": NOTICE_DATE - dt.timedelta(days=1)}, "effectiveFrom", "BEFORE_NOTICE"),
        ({"province": None, "use": "PROVINCIAL_RULE"}, "use", "PROVINCIAL_RULE_NATIONAL"),
        ({"text": "=HYPERLINK()"}, "text", "FORMULA_TEXT"),
    ],
)
async def test_a_bad_title_link_is_refused_by_code(
    db: Database, over: dict[str, object], field: str, code: str
) -> None:
    before = await state(db)
    with pytest.raises(Rejected) as refused:
        await editing.set_title_link(db, OFFICE, title(**{"province": "35", **over}))
    assert (field, code) in {(p.field, p.code) for p in refused.value.problems}
    assert await state(db) == before


async def test_a_bad_subsidy_rule_is_refused_by_code(db: Database) -> None:
    spec = SubsidyRuleInput(DAY, True, [0, 2], "文字", "来源", "35", ["9-99-99-99"])
    before = await state(db)
    with pytest.raises(Rejected) as refused:
        await editing.set_subsidy_rule(db, OFFICE, spec)
    found = {(p.field, p.code) for p in refused.value.problems}
    assert found == {("levels[0]", "UNKNOWN_LEVEL"), ("occupations[0]", "UNKNOWN_OCCUPATION")}
    assert await state(db) == before


@pytest.mark.parametrize(
    "role",
    [Role.PROVINCIAL_REVIEWER, Role.CETTIC_REVIEWER, Role.TRAINING_INSTITUTION, None],
)
async def test_only_the_office_records_a_version(db: Database, role: Role | None) -> None:
    caller = Principal(
        role, "x", "tok-x", province="35" if role is Role.PROVINCIAL_REVIEWER else None
    )
    before = await state(db)
    with pytest.raises(Forbidden):
        await editing.set_title_link(db, caller, title("35"))
    with pytest.raises(Forbidden):
        await editing.set_subsidy_rule(db, caller, SubsidyRuleInput(DAY, True, [1], "a", "b", "35"))
    assert await state(db) == before


async def test_the_same_version_sent_at_once_is_stored_once(db: Database) -> None:
    # Racing retries of a record never written meet at its unique _id: one writes, the others
    # answer as retries (never an internal error).
    spec = title("45", level=3)
    done = await asyncio.gather(*[editing.set_title_link(db, OFFICE, spec) for _ in range(4)])
    assert sorted(d.replayed for d in done) == [False, True, True, True]
    stored = await db[Collection.POLICY_LINKS].find_one({"_id": "title:45:3"})
    assert stored is not None and len(stored["versions"]) == 1
