"""What the policy links say: the records as the public reads them (with every version), and
the answer for one certificate: the version in effect on a day for its level in a province, the
province's own where it has one in effect, else the national one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from registry.policylinks.model import POLICY_LINK, Scope, Topic, record_id
from registry.policylinks.national import LEVELS, initial
from registry.policylinks.versions import in_effect
from registry.storage.db import Database, Document


@dataclass(frozen=True)
class Answer:
    """The version that answers for a province on a day, and where it comes from."""

    province: str
    on: dt.date
    scope: Scope
    version: Document


@dataclass(frozen=True)
class Shown:
    """What every answer says: for which province and day, where its version comes from, and
    that version's words."""

    province: str
    on: dt.date
    scope: Scope
    text: str
    source: str
    effective_from: str
    demo: bool


@dataclass(frozen=True)
class TitleLink(Shown):
    """How a certificate of `level` counts toward professional titles."""

    level: int
    use: str


@dataclass(frozen=True)
class Subsidy(Shown):
    """Whether a training certificate qualifies for a training subsidy."""

    qualifies: bool


async def _answer(
    db: Database, topic: Topic, province: str, level: int | None, day: dt.date
) -> Answer | None:
    ids = [record_id(topic, province, level), record_id(topic, None, level)]
    found = {d["_id"]: d async for d in db[POLICY_LINK.collection].find({"_id": {"$in": ids}})}
    own = found.get(ids[0])
    version = in_effect(own["versions"], day) if own else None
    if version is not None:
        return Answer(province, day, Scope.PROVINCIAL, version)
    national = found.get(ids[1]) or initial(topic, None, level)
    version = in_effect(national["versions"], day)
    return None if version is None else Answer(province, day, Scope.NATIONAL, version)


def _shown(found: Answer) -> dict[str, Any]:
    """The fields of `Shown` for `found`."""
    words = {k: found.version[k] for k in ("text", "source", "effective_from", "demo")}
    return {"province": found.province, "on": found.on, "scope": found.scope, **words}


async def title_link(db: Database, level: int, province: str, day: dt.date) -> TitleLink | None:
    """The title link of `level` in `province` on `day`; None before any took effect."""
    found = await _answer(db, Topic.TITLE, province, level, day)
    if found is None:
        return None
    return TitleLink(level=level, use=found.version["use"], **_shown(found))


def qualifies(version: Document, occupation: str, level: int) -> bool:
    """Whether a training certificate of `occupation` and `level` qualifies under `version`."""
    occupations = version.get("occupations")
    return bool(
        version["qualifies"]
        and level in version["levels"]
        and (occupations is None or occupation in occupations)
    )


async def subsidy(
    db: Database, occupation: str, level: int, province: str, day: dt.date
) -> Subsidy | None:
    """Whether a training certificate of `occupation` and `level` qualifies for a training
    subsidy in `province` on `day`; None before any rule took effect."""
    found = await _answer(db, Topic.SUBSIDY, province, None, day)
    if found is None:
        return None
    return Subsidy(qualifies=qualifies(found.version, occupation, level), **_shown(found))


def with_current(record: Document, day: dt.date) -> Document:
    """`record` with `current`: its version in effect on `day` (None before the first)."""
    return {**record, "current": in_effect(record["versions"], day)}


async def records(
    db: Database, topic: Topic, day: dt.date, province: str | None = None
) -> list[Document]:
    """The records of `topic` with every version and the one in effect on `day`: the national
    ones (their shipped state where the office never wrote them), then the provinces' (only
    `province`'s when given)."""
    levels: tuple[int | None, ...] = LEVELS if topic is Topic.TITLE else (None,)
    stored = {d["_id"]: d async for d in db[POLICY_LINK.collection].find({"topic": topic.value})}
    national = [stored.get(record_id(topic, None, lv)) or initial(topic, None, lv) for lv in levels]
    provincial = [
        d
        for d in stored.values()
        if d["province"] is not None and province in (None, d["province"])
    ]
    provincial.sort(key=lambda d: (d["province"], d.get("level") or 0))
    return [with_current(d, day) for d in (*national, *provincial)]
