"""The office records a version of a policy link (national or a province's): checked whole, then
stored after the record's earlier versions with the record's audit entry, in one transaction. The
same version again (same day, same words) changes nothing, so a retry is harmless."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.calendar import clock
from registry.intake import rows
from registry.policylinks import checks
from registry.policylinks.model import POLICY_LINK, PolicyAction, TitleUse, Topic, record_id
from registry.policylinks.national import LEVELS, initial
from registry.policylinks.policy import decide
from registry.policylinks.versions import same_version
from registry.problems import Rejected
from registry.storage import store
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction


@dataclass
class TitleLinkInput:
    """A version of the title link of one level, nationally (`province` None) or in a province."""

    level: int
    effective_from: dt.date
    use: str
    text: str
    source: str
    province: str | None = None
    demo: bool = False
    note: str | None = None


@dataclass
class SubsidyRuleInput:
    """A version of the subsidy rule, nationally or in a province: which training certificates
    qualify (by level, and by occupation where `occupations` is not None)."""

    effective_from: dt.date
    qualifies: bool
    levels: list[int]
    text: str
    source: str
    province: str | None = None
    occupations: list[str] | None = None
    demo: bool = False
    note: str | None = None


@dataclass(frozen=True)
class Recorded:
    record: Document
    replayed: bool


def _common(problems: rows.Problems, spec: TitleLinkInput | SubsidyRuleInput) -> Document:
    """The fields every version has, checked; the province is read by the caller."""
    rows.check_text_cells(problems, spec)
    checks.effective_from(problems, spec.effective_from)
    text, source = checks.wording(problems, spec.text, spec.source)
    return {
        "effective_from": spec.effective_from.isoformat(),
        "text": text,
        "source": source,
        "demo": bool(spec.demo),
        "note": checks.text(problems, "note", spec.note, limit=checks.MAX_NOTE),
    }


def _title_version(spec: TitleLinkInput) -> tuple[str | None, Document]:
    problems = rows.Problems()
    province = checks.province(problems, spec.province)
    checks.level(problems, spec.level)
    common = _common(problems, spec)
    if spec.use not in TitleUse.__members__:
        problems.add("use", "UNKNOWN_TITLE_USE", "not a way a certificate counts toward titles")
    elif TitleUse(spec.use) is TitleUse.PROVINCIAL_RULE and province is None:
        problems.add("use", "PROVINCIAL_RULE_NATIONAL", "a provincial rule belongs to a province")
    if problems.problems:
        raise Rejected(problems.problems)
    return province, {**common, "use": spec.use}


async def _subsidy_version(db: Database, spec: SubsidyRuleInput) -> tuple[str | None, Document]:
    problems = rows.Problems()
    province = checks.province(problems, spec.province)
    for index, value in enumerate(spec.levels):
        checks.level(problems, value, f"levels[{index}]")
    if spec.qualifies and not spec.levels:
        problems.add("levels", "REQUIRED", "name the levels that qualify")
    common = _common(problems, spec)
    occupations = await checks.occupations(db, problems, spec.occupations)
    if problems.problems:
        raise Rejected(problems.problems)
    levels = sorted({v for v in spec.levels if v in LEVELS})
    return province, {
        **common,
        "qualifies": bool(spec.qualifies),
        "levels": levels,
        "occupations": occupations,
    }


async def _record(
    db: Database,
    principal: Principal,
    action: PolicyAction,
    key: tuple[Topic, str | None, int | None],
    version: Document,
    moment: dt.datetime,
) -> Recorded:
    """Store `version` after the record's versions (the record made from its initial state when
    the office never wrote it), audited; a version already stored is answered unchanged."""
    topic, province, level = key
    version = {**version, "recorded_at": moment, "actor": principal.actor}

    async def work(session: AsyncClientSession) -> Recorded:
        stored = await db[POLICY_LINK.collection].find_one(
            {"_id": record_id(topic, province, level)}, session=session
        )
        decide(principal, action, stored).require()
        before = stored or initial(topic, province, level)
        if any(same_version(v, version) for v in before["versions"]):
            return Recorded(before, replayed=True)
        after = {**before, "versions": [*before["versions"], version]}
        if stored is None:
            return Recorded(
                await store.insert(db, POLICY_LINK, principal, action, after, session), False
            )
        return Recorded(
            await store.save(db, POLICY_LINK, principal, action, stored, after, session), False
        )

    return await in_transaction(db, work)


async def set_title_link(
    db: Database, principal: Principal, spec: TitleLinkInput, *, now: dt.datetime | None = None
) -> Recorded:
    """Record a version of a level's title link (the office only; FORBIDDEN otherwise)."""
    decide(principal, PolicyAction.SET_TITLE_LINK).require()
    province, version = _title_version(spec)
    key = (Topic.TITLE, province, spec.level)
    return await _record(
        db, principal, PolicyAction.SET_TITLE_LINK, key, version, now or clock.now()
    )


async def set_subsidy_rule(
    db: Database, principal: Principal, spec: SubsidyRuleInput, *, now: dt.datetime | None = None
) -> Recorded:
    """Record a version of the training-subsidy rule (the office only; FORBIDDEN otherwise)."""
    decide(principal, PolicyAction.SET_SUBSIDY_RULE).require()
    province, version = await _subsidy_version(db, spec)
    key = (Topic.SUBSIDY, province, None)
    return await _record(
        db, principal, PolicyAction.SET_SUBSIDY_RULE, key, version, now or clock.now()
    )
