"""Findings of a campaign: one per drawn institution, final once recorded.

A violation of the notice's list (六(三)) leads to suspension or removal *through the directory's
own transitions* (`registry.institutions.lifecycle`): the finding is recorded first (with its
enforcement pending), then the transition runs, then the finding is marked enforced (the move of
`registry.supervision.rules.ENFORCEMENT_MOVES`). The transition opens its own transaction, so
these are three audited steps; a retry of the same finding resumes where a failure stopped (the
lifecycle answers a repeated step by the same caller with the record unchanged), and the
directory shows the suspension or removal from the day of the decision (`listedOn` that day and
later no longer includes the institution).

A finding is keyed by campaign and institution: the same finding again is answered with the
stored one, another one is `FINDING_EXISTS`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

from pymongo.asynchronous.client_session import AsyncClientSession

from registry.access.auth import Principal
from registry.calendar import clock
from registry.institutions import lifecycle
from registry.institutions.model import Status, Violation
from registry.institutions.rules import TABLE as DIRECTORY_MOVES
from registry.institutions.rules import Action as DirectoryAction
from registry.problems import Problem, Rejected, reject
from registry.storage import idempotency, store
from registry.storage.collections import Collection
from registry.storage.db import Database, Document
from registry.storage.transactions import in_transaction
from registry.supervision import rules
from registry.supervision.campaigns import load
from registry.supervision.policy import decide
from registry.supervision.rules import (
    ENFORCEMENT_MOVES,
    CampaignStatus,
    Enforcement,
    FindingAction,
)
from registry.supervision.rules import Outcome as Outcome  # findings.Outcome, as the API knows it
from registry.trust import audit

MAX_DETAILS = 2000
Action = FindingAction  # `findings.Action`: the name the API and the demo know it by
# Audited on the campaign: "supervision.recordFinding" on "campaign:<id>".
FINDING = store.Kind(
    Collection.SUPERVISION_FINDINGS,
    "campaign",
    "supervision",
    "FINDING_NOT_FOUND",
    "institution",
    entity_key="campaign",
)

# Which actions each outcome allows. A VIOLATION is confirmed (经调查核实): the least it may
# end in is its kind's minimum (`rules.MINIMUM_CONSEQUENCE`), checked by `_consequence`; a
# suspicion still under investigation is a DEFICIENT finding, which may suspend.
ALLOWED: dict[Outcome, frozenset[FindingAction]] = {
    Outcome.COMPLIANT: frozenset({FindingAction.NONE}),
    Outcome.DEFICIENT: frozenset(
        {FindingAction.NONE, FindingAction.RECTIFY, FindingAction.SUSPEND}
    ),
    Outcome.VIOLATION: frozenset(FindingAction),
}
# The directory's move a finding's action runs.
_LIFECYCLE = {
    FindingAction.SUSPEND: DirectoryAction.SUSPEND,
    FindingAction.REMOVE: DirectoryAction.REMOVE,
}


@dataclass(frozen=True)
class FindingInput:
    campaign: str
    institution: str
    outcome: Outcome
    action: FindingAction
    details: str
    violation: Violation | None = None


@dataclass(frozen=True)
class Finding:
    campaign: str
    institution: str
    outcome: Outcome
    violation: Violation | None
    action: FindingAction
    details: str
    recorded_at: dt.datetime
    enforcement: Enforcement
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
        action=FindingAction(doc["action"]),
        details=doc["details"],
        recorded_at=doc["recorded_at"],
        enforcement=Enforcement(enforcement["status"]),
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
    problems.extend(_consequence(spec))
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


def _consequence(spec: FindingInput) -> list[Problem]:
    """`CONSEQUENCE_BELOW_MINIMUM` when a violation's finding decides less than 六(三) requires."""
    if spec.outcome is not Outcome.VIOLATION or spec.violation is None:
        return []
    least = rules.minimum_consequence(spec.violation)
    if spec.action.severity >= least.severity:
        return []
    return [
        Problem(
            "action",
            "CONSEQUENCE_BELOW_MINIMUM",
            f"a confirmed {spec.violation.value} (六(三)) ends in {least.value} at least, "
            f"not {spec.action.value}",
        )
    ]


def _content(spec: FindingInput, details: str) -> Document:
    return {
        "outcome": spec.outcome.value,
        "violation": spec.violation.value if spec.violation else None,
        "action": spec.action.value,
        "details": details,
    }


def _digest(content: Document) -> str:
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def _same(stored: Document, content: Document) -> bool:
    # Compared field by field: findings recorded before the store carry no digest.
    return all(stored.get(k) == v for k, v in content.items())


def _exists() -> Rejected:
    return reject(
        "institution", "FINDING_EXISTS", "a different finding is recorded; findings are final"
    )


def _check_open(campaign: Document, institution: str) -> None:
    """`CAMPAIGN_CORRECTED`, `CAMPAIGN_CLOSED`, `NOT_DRAWN` or `NOT_SELECTED` unless a finding
    may be recorded."""
    status = CampaignStatus(campaign["status"])
    if status is CampaignStatus.CORRECTED:
        raise reject("campaignId", "CAMPAIGN_CORRECTED", "the campaign was replaced by another")
    if status is CampaignStatus.RESULTS_PUBLISHED:
        raise reject("campaignId", "CAMPAIGN_CLOSED", "the campaign's results are published")
    if status is not CampaignStatus.DRAWN:
        raise reject("campaignId", "NOT_DRAWN", "findings are recorded after the draw")
    if institution not in {a["uscc"] for a in campaign.get("selection") or []}:
        raise reject(
            "institution", "NOT_SELECTED", "the institution was not drawn in this campaign"
        )


async def _check_movable(db: Database, spec: FindingInput, session: AsyncClientSession) -> None:
    """`ILLEGAL_TRANSITION` when the directory could not make the finding's move."""
    current = await db[Collection.INSTITUTIONS].find_one(
        {"_id": spec.institution}, {"status": 1}, session=session
    )
    move = _LIFECYCLE[spec.action]
    state = Status(current["status"]) if current else None
    if state is None:
        raise reject("action", "ILLEGAL_TRANSITION", f"cannot {move}: the institution is unknown")
    DIRECTORY_MOVES.check(move, state, field="action")


async def record(
    db: Database, principal: Principal, spec: FindingInput, *, now: dt.datetime | None = None
) -> Finding:
    decide(principal, rules.Action.RECORD_FINDING).require()
    details = _check(spec)
    moment = now or audit.now()  # milliseconds, as stored: it reads back equal
    campaign = await load(db, spec.campaign)
    institution = await db[Collection.INSTITUTIONS].find_one(
        {"_id": spec.institution}, {"province": 1}
    )
    province = institution["province"] if institution else None
    resource = {"province": province, "action": spec.action}
    decide(principal, rules.Action.RECORD_FINDING, resource).require()
    content = _content(spec, details)
    fid = f"{spec.campaign}:{spec.institution}"
    existing = await idempotency.find(db, FINDING, fid)
    if existing is None or not _same(existing, content):
        _check_open(campaign, spec.institution)
        if existing is not None:
            raise _exists()
        existing = await _create(db, principal, spec, fid, content, province, moment)
    if existing["enforcement"]["status"] != Enforcement.PENDING:
        return from_document(existing)
    return await _enforce(db, principal, existing, campaign["title"], moment)


async def _create(
    db: Database,
    principal: Principal,
    spec: FindingInput,
    fid: str,
    content: Document,
    province: str | None,
    moment: dt.datetime,
) -> Document:
    digest = _digest(content)
    needs = spec.action in _LIFECYCLE

    async def build(session: AsyncClientSession) -> Document:
        if needs:
            await _check_movable(db, spec, session)
        # Written in the same transaction as the finding, so a publication of the results that
        # runs at the same time conflicts with it instead of closing the campaign under it.
        still_open = await db[Collection.SUPERVISION_CAMPAIGNS].find_one_and_update(
            {"_id": spec.campaign, "status": CampaignStatus.DRAWN.value},
            {"$inc": {"findings": 1}},
            session=session,
        )
        if still_open is None:
            raise reject("campaignId", "CAMPAIGN_CLOSED", "the campaign's results are published")
        enforcement = Enforcement.PENDING if needs else Enforcement.NOT_REQUIRED
        return {
            "_id": fid,
            "campaign": spec.campaign,
            "institution": spec.institution,
            "province": province,
            **content,
            "digest": digest,
            "recorded_at": moment,
            "recorded_by": principal.actor,
            "enforcement": {"status": enforcement.value},
        }

    created = await idempotency.create_once(
        db,
        FINDING,
        principal,
        fid,
        digest,
        build,
        action=rules.Action.RECORD_FINDING,
        conflict=_exists(),
    )
    return created.document


async def _run_directory_move(
    db: Database, principal: Principal, finding: Document, reason: str, moment: dt.datetime
) -> Status:
    """The institution's state after the finding's suspension or removal."""
    action = FindingAction(finding["action"])
    uscc = finding["institution"]
    try:
        if action is FindingAction.SUSPEND:
            institution = await lifecycle.suspend(db, principal, uscc, reason, now=moment)
        else:
            violation = Violation(finding["violation"])
            institution = await lifecycle.remove(db, principal, uscc, violation, reason, now=moment)
        return institution.status
    except Rejected:
        # Already at the target (someone else acted meanwhile): the finding is enforced all the
        # same; otherwise the problem goes back to the caller and a retry resumes here.
        current = await db[Collection.INSTITUTIONS].find_one({"_id": uscc}, {"status": 1})
        target = DIRECTORY_MOVES[_LIFECYCLE[action]].target
        if current is None or current["status"] != target:
            raise
        return target


async def _enforce(
    db: Database, principal: Principal, finding: Document, title: str, moment: dt.datetime
) -> Finding:
    reason = f"监督检查“{title}”（{finding['campaign']}）：{finding['details']}"
    status = await _run_directory_move(db, principal, finding, reason, moment)
    effective = clock.china_date(moment).isoformat()

    async def work(session: AsyncClientSession) -> Document:
        before = await store.load(db, FINDING, finding["_id"], session)
        decide(principal, rules.Action.ENFORCE_FINDING, before).require()
        state = Enforcement(before["enforcement"]["status"])
        if state is Enforcement.DONE:
            return before
        ENFORCEMENT_MOVES.check(rules.Action.ENFORCE_FINDING, state, field="institution")
        enforced = {
            "status": ENFORCEMENT_MOVES[rules.Action.ENFORCE_FINDING].target.value,
            "effective_on": effective,
            "institution_status": status.value,
        }
        after = {**before, "enforcement": enforced}
        return await store.save(
            db, FINDING, principal, rules.Action.ENFORCE_FINDING, before, after, session
        )

    return from_document(await in_transaction(db, work))


async def for_campaign(db: Database, cid: str) -> list[Finding]:
    cursor = db[FINDING.collection].find({"campaign": cid}).sort("_id", 1)
    return [from_document(d) async for d in cursor]
