"""Who may move an institution from which state to which: the one table the lifecycle, the
permission checks and the docs (`docs/api.md`) all follow."""

from __future__ import annotations

from dataclasses import dataclass

from registry.auth import INSTITUTION_ROLES, Role
from registry.institutions.model import Status

S = Status
OFFICE = frozenset({Role.OFFICE_ADMIN})
INSTITUTIONS = INSTITUTION_ROLES
REVIEWERS = frozenset({Role.PROVINCIAL_REVIEWER, Role.CETTIC_REVIEWER, Role.OFFICE_ADMIN})


@dataclass(frozen=True)
class Rule:
    action: str
    sources: frozenset[Status]
    target: Status
    roles: frozenset[Role]
    reason_required: bool
    summary: str


def _rule(
    action: str,
    sources: set[Status],
    target: Status,
    roles: frozenset[Role],
    summary: str,
    *,
    reason: bool = False,
) -> Rule:
    return Rule(action, frozenset(sources), target, roles, reason, summary)


RULES: dict[str, Rule] = {
    r.action: r
    for r in [
        _rule(
            "resubmit",
            {S.RETURNED},
            S.APPLIED,
            INSTITUTIONS,
            "the institution corrects a returned application",
        ),
        _rule(
            "recommend",
            {S.APPLIED},
            S.RECOMMENDED,
            frozenset({Role.PROVINCIAL_REVIEWER, Role.OFFICE_ADMIN}),
            "provincial HR department of the institution's province (the office for "
            "ministry-level bodies) recommends",
        ),
        _rule(
            "passPreliminaryReview",
            {S.RECOMMENDED},
            S.PRELIMINARY_PASSED,
            frozenset({Role.CETTIC_REVIEWER}),
            "CETTIC's expert review passes it",
        ),
        _rule(
            "approveAudit",
            {S.PRELIMINARY_PASSED},
            S.AUDITED,
            OFFICE,
            "the office audits the preliminary result",
        ),
        _rule(
            "startPublicity",
            {S.AUDITED},
            S.PUBLICIZED,
            OFFICE,
            "publicity of 15 working days begins",
        ),
        _rule(
            "list",
            {S.PUBLICIZED},
            S.LISTED,
            OFFICE,
            "after the publicity, with every objection resolved, listed for 3 years",
        ),
        _rule(
            "returnApplication",
            {S.APPLIED, S.RECOMMENDED, S.PRELIMINARY_PASSED, S.AUDITED, S.PUBLICIZED},
            S.RETURNED,
            REVIEWERS,
            "the reviewer of the current step returns it",
            reason=True,
        ),
        _rule(
            "suspend",
            {S.LISTED},
            S.SUSPENDED,
            frozenset({Role.OFFICE_ADMIN, Role.PROVINCIAL_REVIEWER}),
            "supervision suspends a listed institution",
            reason=True,
        ),
        _rule(
            "reinstate",
            {S.SUSPENDED},
            S.LISTED,
            OFFICE,
            "the office lifts a suspension within the validity period",
            reason=True,
        ),
        _rule(
            "remove",
            {S.LISTED, S.SUSPENDED},
            S.REMOVED,
            OFFICE,
            "removal for a violation of section 六(三)",
            reason=True,
        ),
        _rule("expire", {S.LISTED}, S.EXPIRED, OFFICE, "records the end of the 3-year validity"),
        _rule(
            "renew",
            {S.LISTED, S.EXPIRED},
            S.APPLIED,
            INSTITUTIONS,
            "the institution applies again for a new period",
        ),
    ]
}

# Which reviewer owns the step an application is at; only that reviewer (or the office) may
# return it from there.
STEP_OWNER: dict[Status, Role] = {
    S.APPLIED: Role.PROVINCIAL_REVIEWER,
    S.RECOMMENDED: Role.CETTIC_REVIEWER,
    S.PRELIMINARY_PASSED: Role.OFFICE_ADMIN,
    S.AUDITED: Role.OFFICE_ADMIN,
    S.PUBLICIZED: Role.OFFICE_ADMIN,
}
