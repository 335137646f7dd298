"""What the policy links store: one record per topic, scope (national or a province) and, for
title links, level; each record is the list of its versions, every version with the day it takes
effect. Nothing is replaced: a change is a new version, and the one in effect on a day is the
latest that took effect by then."""

from __future__ import annotations

from enum import StrEnum

from registry.storage.collections import Collection
from registry.storage.kind import Kind

# The scope of the national defaults, in record ids (a province is its two GB/T 2260 digits).
NATIONAL = "CN"


class Topic(StrEnum):
    """What a record says: the professional-title link of a level (五(二)), or which training
    certificates qualify for a training subsidy (五(三))."""

    TITLE = "title"
    SUBSIDY = "subsidy"


class TitleUse(StrEnum):
    """How a certificate of a level counts toward professional titles (职称)."""

    # 五(二): 取得高级专业技术等级证书的,可作为申报高级职称评审的重要参考.
    SENIOR_REVIEW_REFERENCE = "SENIOR_REVIEW_REFERENCE"
    # 五(二): 取得中级、初级专业技术等级证书的,可纳入各地各部门中级、初级职称认定范围.
    TITLE_RECOGNITION = "TITLE_RECOGNITION"
    # A province's own arrangement (具体职称认定或衔接办法由各地各部门自行研究制定), in its text.
    PROVINCIAL_RULE = "PROVINCIAL_RULE"


class Scope(StrEnum):
    """Where the version that answers comes from."""

    NATIONAL = "NATIONAL"
    PROVINCIAL = "PROVINCIAL"


class PolicyAction(StrEnum):
    """Every action on policy links; the values of the writes are their audit names."""

    SET_TITLE_LINK = "setTitleLink"
    SET_SUBSIDY_RULE = "setSubsidyRule"
    VIEW = "viewPolicyLinks"


POLICY_LINK = Kind(
    collection=Collection.POLICY_LINKS,
    entity="policy_link",
    audit_prefix="policy",
    not_found_code="POLICY_LINK_NOT_FOUND",
    id_field="province",
)


def record_id(topic: Topic, province: str | None, level: int | None = None) -> str:
    """`title:CN:3`, `title:35:2`, `subsidy:CN`, `subsidy:35`: one record per topic and scope
    (and level, for title links)."""
    scope = province or NATIONAL
    return f"{topic.value}:{scope}" if level is None else f"{topic.value}:{scope}:{level}"
