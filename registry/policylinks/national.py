"""The national defaults, from the notice's own words (人社厅发〔2021〕71号, 2021-10-08, clause 五).

They are the first version of each national record: a national record never written by the
office reads as this, and the office's first change to it is stored after it, so the history
always starts with the notice. Nothing here is a provincial rule: 五(二) leaves the specific
arrangements to each region and department, 五(三) leaves the subsidy rules to each province."""

from __future__ import annotations

import datetime as dt
from typing import Final

from registry.policylinks.model import TitleUse, Topic, record_id
from registry.storage.db import Document

NOTICE_DATE: Final = dt.date(2021, 10, 8)
NOTICE: Final = "人社厅发〔2021〕71号"

# 五(二) and 五(三), quoted as published (docs/policy-links.md; ../shared/reference).
CLAUSE_TITLES: Final = (
    "(二)取得高级专业技术等级证书的,可作为申报高级职称评审的重要参考;取得中级、初级专业技术等级"
    "证书的,可纳入各地各部门中级、初级职称认定范围。具体职称认定或衔接办法由各地各部门结合实际"
    "自行研究制定。"
)
CLAUSE_SUBSIDY: Final = (
    "(三)取得培训合格证书的,按照有关规定申领职业培训补贴。各地人力资源社会保障部门负责将培训机构"
    "目录、评价机构目录信息纳入本地职业技能提升行动“两目录一系统”,制定完善职业培训补贴政策。"
)
SOURCE_TITLES: Final = f"{NOTICE} 五(二):{CLAUSE_TITLES}"
SOURCE_SUBSIDY: Final = f"{NOTICE} 五(三):{CLAUSE_SUBSIDY}"

_SENIOR: Final = "取得高级专业技术等级证书的,可作为申报高级职称评审的重要参考。"
_RECOGNITION: Final = (
    "取得中级、初级专业技术等级证书的,可纳入各地各部门中级、初级职称认定范围。"
    "具体职称认定或衔接办法由各地各部门结合实际自行研究制定。"
)
_SUBSIDY: Final = (
    "取得培训合格证书的,按照有关规定申领职业培训补贴;补贴政策由各地人力资源社会保障部门制定完善。"
)
LEVELS: Final = (1, 2, 3)


def _version(**fields: object) -> Document:
    return {
        "effective_from": NOTICE_DATE.isoformat(),
        **fields,
        "demo": False,
        "note": None,
        "recorded_at": None,  # shipped with the registry, not recorded by anyone
    }


def _title(level: int) -> Document:
    senior = level == 3
    version = _version(
        use=(TitleUse.SENIOR_REVIEW_REFERENCE if senior else TitleUse.TITLE_RECOGNITION).value,
        text=_SENIOR if senior else _RECOGNITION,
        source=SOURCE_TITLES,
    )
    return {
        "_id": record_id(Topic.TITLE, None, level),
        "topic": Topic.TITLE.value,
        "province": None,
        "level": level,
        "versions": [version],
    }


def _subsidy() -> Document:
    version = _version(
        qualifies=True, levels=list(LEVELS), occupations=None, text=_SUBSIDY, source=SOURCE_SUBSIDY
    )
    return {
        "_id": record_id(Topic.SUBSIDY, None),
        "topic": Topic.SUBSIDY.value,
        "province": None,
        "level": None,
        "versions": [version],
    }


def initial(topic: Topic, province: str | None, level: int | None) -> Document:
    """The record before the office wrote it: the notice's version for a national record, no
    version for a province's (which then follows the national one)."""
    if province is None:
        return _title(level or 0) if topic is Topic.TITLE else _subsidy()
    return {
        "_id": record_id(topic, province, level),
        "topic": topic.value,
        "province": province,
        "level": level,
        "versions": [],
    }
