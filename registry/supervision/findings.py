"""Findings of a campaign: one per drawn institution, final once recorded.

A violation of the notice's list (六(三)) leads to suspension or removal *through the directory's
own transitions* (`registry.institutions.lifecycle`): the finding is recorded first (with its
enforcement pending), then the transition runs, then the finding is marked enforced. The
transition opens its own transaction, so these are three audited steps; a retry of the same
finding resumes where a failure stopped (the lifecycle answers a repeated step by the same caller
with the record unchanged), and the directory shows the suspension or removal from the day of the
decision (`listedOn` that day and later no longer includes the institution).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from pymongo.asynchronous.client_session import AsyncClientSession
from pymongo.errors import DuplicateKeyError

from registry import audit, clock
from registry.auth import Principal, Role
from registry.db import SCHEMA_VERSION, Database, Document
from registry.errors import Forbidden
from registry.institutions import lifecycle
from registry.institutions.model import Status, Violation
from registry.institutions.rules import TABLE as DIRECTORY_RULES
from registry.problems import Problem, Rejected, reject
from registry.supervision import rules
from registry.supervision.campaigns import CAMPAIGNS, DRAWN, FINDINGS, RESULTS_PUBLISHED, load
from registry.transactions import in_transaction

MAX_DETAILS = 2000


class Outcome(StrEnum):
    COMPLIANT = "COMPLIANT"  # 未发现问题
    DEFICIENT = "DEFICIENT"  # 发现问题，责令整改
    VIOLATION = "VIOLATION"  # 六(三) 所列违规行为，经调查核实


class Action(StrEnum):
    NONE = "NONE"
    RECTIFY = "RECTIFY"  # 限期整改: recorded, no change on the directory
    SUSPEND = "SUSPEND"  # the directory's `suspend`
    REMOVE = "REMOVE"  # the directory's `remove` (退出目录)


# Which actions each outcome allows. A violation "一经调查核实，则退出目录": removal, or
# suspension while the investigation that would confirm it runs.
ALLOWED: dict[Outcome, frozenset[Action]] = {
    Outcome.COMPLIANT: frozenset({Action.NONE}),
    Outcome.DEFICIENT: frozenset({Action.NONE, Action.RECTIFY, Action.SUSPEND}),
    Outcome.VIOLATION: frozenset({Action.SUSPEND, Action.REMOVE}),
}
_LIFECYCLE = {Action.SUSPEND: "suspend", Action.REMOVE: "remove"}
PENDING = "PENDING"
DONE = "DONE"
NOT_REQUIRED = "NOT_REQUIRED"


@dataclass(frozen=True)
class FindingInput:
    campaign: str
    institution: str
    outcome: Outcome
    action: Action
    details: str
    violation: Violation | None = None


@dataclass(frozen=True)
class Finding:
    campaign: str
    institution: str
    outcome: Outcome
    violation: Violation | None
    action: Action
    details: str
    recorded_at: dt.datetime
    enforcement: str  # PENDING, DONE, NOT_REQUIRED
    effective_on: dt.date | None  # the day the suspension or removal took effect
    institution_status: str | None


def from_document(doc: Document) -> Finding:
    enforcement = doc["enforcement"]
    effective = enforcement.get("effective_on")
    return Finding(
        campaign=doc["campaign"],
        institution=doc["institution"],
        outcome=Outcome(doc["outcome"]),
        violation=Violation(doc["violation"]) if doc.get("violation") else None,
        action=Action(doc["action"]),
        details=doc["details"],
        recorded_at=doc["recorded_at"],
        enforcement=enforcement["status"],
        effective_on=dt.date.fromisoformat(effective) if effective else None,
        institution_status=enforcement.get("institution_status"),
    )


def _check(spec: FindingInput) -> str:
    problems = []
    details = (spec.details or "").strip()
    if len(details) > MAX_DETAILS:
        problems.append(
            Problem("details", "TOO_LONG", f"details have at most {MAX_DETAILS} characters")
        )
    if spec.outcome is not Outcome.COMPLIANT and not details:
        problems.append(Problem("details", "DETAILS_REQUIRED", "say what the inspection found"))
    if spec.action not in ALLOWED[spec.outcome]:
        allowed = ", ".join(sorted(a.value for a in ALLOWED[spec.outcome]))
        problems.append(
            Problem(
                "action", "ACTION_NOT_ALLOWED", f"a {spec.outcome.value} finding takes {allowed}"
            )
        )
    if spec.outcome is Outcome.VIOLATION and spec.violation is None:
        problems.append(
            Problem(
                "violation", "VIOLATION_REQUIRED", "name the violation of 六(三) that was found"
            )
        )
    if spec.outcome is not Outcome.VIOLATION and spec.violation is not None:
        problems.append(
            Problem("violation", "VIOLATION_NOT_ALLOWED", "only a VIOLATION finding names one")
        )
    if problems:
        raise Rejected(problems)
    return details


def _content(spec: FindingInput, details: str) -> Document:
    return {
        "outcome": spec.outcome.value,
        "violation": spec.violation.value if spec.violation else None,
        "action": spec.action.value,
        "details": details,
    }


async def record(
    db: Database, principal: Principal, spec: FindingInput, *, now: dt.datetime | None = None
) -> Finding:
    rules.require(principal, "recordSupervisionFinding")
    details = _check(spec)
    if spec.action is Action.REMOVE and principal.role is not Role.OFFICE_ADMIN:
        raise Forbidden(
            "recordSupervisionFinding: removal from the directory is decided by OFFICE_ADMIN"
        )
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal
    campaign = await load(db, spec.campaign)
    selected = {a["uscc"] for a in campaign.get("selection") or []}
    if campaign["status"] == RESULTS_PUBLISHED:
        # A retry after publication finds its finding; anything else is too late.
        stored = await db[FINDINGS].find_one({"_id": f"{spec.campaign}:{spec.institution}"})
        if stored is not None and all(stored[k] == v for k, v in _content(spec, details).items()):
            return from_document(stored)
        raise reject("campaignId", "CAMPAIGN_CLOSED", "the campaign's results are published")
    if campaign["status"] != DRAWN:
        raise reject("campaignId", "NOT_DRAWN", "findings are recorded after the draw")
    if spec.institution not in selected:
        raise reject(
            "institution", "NOT_SELECTED", "the institution was not drawn in this campaign"
        )
    institution = await db.institutions.find_one({"_id": spec.institution}, {"province": 1})
    assert institution is not None  # a drawn institution was on the directory
    rules.require_province(principal, institution["province"], "recordSupervisionFinding")
    fid = f"{spec.campaign}:{spec.institution}"
    content = _content(spec, details)
    needs = spec.action in _LIFECYCLE

    async def work(session: AsyncClientSession) -> Document:
        existing = await db[FINDINGS].find_one({"_id": fid}, session=session)
        if existing is not None:
            if all(existing[k] == v for k, v in content.items()):
                return existing  # a retry: enforcement resumes below if it was pending
            raise reject(
                "institution",
                "FINDING_EXISTS",
                "a different finding is recorded; findings are final",
            )
        if needs:
            current = await db.institutions.find_one(
                {"_id": spec.institution}, {"status": 1}, session=session
            )
            transition = DIRECTORY_RULES[_LIFECYCLE[spec.action]]
            if current is None or Status(current["status"]) not in transition.sources:
                raise reject(
                    "action",
                    "ILLEGAL_TRANSITION",
                    f"cannot {transition.action}: the institution is "
                    f"{current['status'] if current else 'unknown'}",
                )
        doc: Document = {
            "_id": fid,
            "campaign": spec.campaign,
            "institution": spec.institution,
            "province": institution["province"],
            **content,
            "recorded_at": moment,
            "recorded_by": principal.actor,
            "enforcement": {"status": PENDING if needs else NOT_REQUIRED},
            "schema_version": SCHEMA_VERSION,
        }
        # Written in the same transaction as the finding, so a publication of the results that
        # runs at the same time conflicts with it instead of closing the campaign under it.
        still_open = await db[CAMPAIGNS].find_one_and_update(
            {"_id": spec.campaign, "status": DRAWN},
            {"$inc": {"findings": 1}},
            session=session,
        )
        if still_open is None:
            raise reject("campaignId", "CAMPAIGN_CLOSED", "the campaign's results are published")
        await db[FINDINGS].insert_one(doc, session=session)
        await audit.append(
            db,
            actor=principal,
            action="supervision.recordFinding",
            entity=f"campaign:{spec.campaign}",
            before=None,
            after=doc,
            session=session,
        )
        return doc

    try:
        stored = await in_transaction(db, work)
    except DuplicateKeyError:
        stored = await db[FINDINGS].find_one({"_id": fid})
        if stored is None or not all(stored[k] == v for k, v in content.items()):
            raise reject("institution", "FINDING_EXISTS", "a finding is already recorded") from None
    if stored["enforcement"]["status"] != PENDING:
        return from_document(stored)
    return await _enforce(db, principal, stored, campaign["title"], moment)


async def _enforce(
    db: Database, principal: Principal, finding: Document, title: str, moment: dt.datetime
) -> Finding:
    action = Action(finding["action"])
    uscc = finding["institution"]
    reason = f"监督检查“{title}”（{finding['campaign']}）：{finding['details']}"
    try:
        if action is Action.SUSPEND:
            institution = await lifecycle.suspend(db, principal, uscc, reason, now=moment)
        else:
            institution = await lifecycle.remove(
                db, principal, uscc, Violation(finding["violation"]), reason, now=moment
            )
        status = institution.status.value
    except Rejected:
        # Already at the target (someone else acted meanwhile): the finding is enforced all the
        # same; otherwise the problem goes back to the caller and a retry resumes here.
        current = await db.institutions.find_one({"_id": uscc}, {"status": 1})
        target = DIRECTORY_RULES[_LIFECYCLE[action]].target.value
        if current is None or current["status"] != target:
            raise
        status = target
    effective = clock.china_date(moment).isoformat()

    async def work(session: AsyncClientSession) -> Document:
        before = await db[FINDINGS].find_one({"_id": finding["_id"]}, session=session)
        assert before is not None
        if before["enforcement"]["status"] == DONE:
            return before
        after = {
            **before,
            "enforcement": {
                "status": DONE,
                "effective_on": effective,
                "institution_status": status,
            },
        }
        await db[FINDINGS].replace_one({"_id": finding["_id"]}, after, session=session)
        await audit.append(
            db,
            actor=principal,
            action="supervision.enforceFinding",
            entity=f"campaign:{finding['campaign']}",
            before=before,
            after=after,
            session=session,
        )
        return after

    return from_document(await in_transaction(db, work))


async def for_campaign(db: Database, cid: str) -> list[Finding]:
    return [from_document(d) async for d in db[FINDINGS].find({"campaign": cid}).sort("_id", 1)]


def visible(principal: Principal, campaign_status: str) -> bool:
    """Findings are public with the results (一公开); supervisors see them as they are recorded."""
    return campaign_status == RESULTS_PUBLISHED or principal.role in rules.SUPERVISORS
