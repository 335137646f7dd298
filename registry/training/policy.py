"""Who may do what with training records: the one access rule of the workflow (cohorts, training
certificates, continuing-education hours, employment reports).

`decide(principal, action, resource)` answers lists (the `Scope`), single records and writes
alike. The roles of a move (revocation) are read from its transition table (`model`); the roles
of the other actions are declared here, once.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.access.auth import Principal, Role
from registry.access.policy import EVERYTHING, Decision, Scope, allow, by_role, deny, who
from registry.training.model import CERTIFICATE_MOVES, TrainingAction

Resource = Mapping[str, Any]

REVIEWERS = frozenset({Role.PROVINCIAL_REVIEWER, Role.CETTIC_REVIEWER, Role.OFFICE_ADMIN})
ROLES: dict[TrainingAction, frozenset[Role]] = {
    # Its own institution, listed on the cohort's end date, occupation and level in scope.
    TrainingAction.SUBMIT_COHORT: frozenset({Role.TRAINING_INSTITUTION}),
    # Its own institution, once on the directory.
    TrainingAction.REPORT_EMPLOYMENT: frozenset(
        {Role.TRAINING_INSTITUTION, Role.EVALUATION_INSTITUTION}
    ),
    TrainingAction.VIEW_COHORT: REVIEWERS | {Role.TRAINING_INSTITUTION},
    TrainingAction.LIST_COHORTS: REVIEWERS | {Role.TRAINING_INSTITUTION},
    TrainingAction.HOURS_BY_ID_NUMBER: REVIEWERS,
    **{move.action: move.roles for move in CERTIFICATE_MOVES},
}


def reach(principal: Principal) -> Scope:
    """The records of the caller's province (provincial reviewer) or institution; all for the
    national reviewers and the office."""
    if principal.role is Role.PROVINCIAL_REVIEWER:
        return Scope({"province": principal.province})
    if principal.role in (Role.TRAINING_INSTITUTION, Role.EVALUATION_INSTITUTION):
        return Scope({"institution": principal.institution})
    return EVERYTHING


def decide(
    principal: Principal, action: TrainingAction, resource: Resource | None = None
) -> Decision:
    """Whether `principal` may do `action` (on `resource` when given); an allowing decision
    carries the scope of the records it reaches."""
    decision = by_role(principal, ROLES[action], action)
    if not decision.allowed:
        if action in (TrainingAction.VIEW_COHORT, TrainingAction.LIST_COHORTS):
            return deny(
                "training cohorts are visible to reviewers and to the institution that reported "
                f"them; you are {who(principal)}"
            )
        return decision
    if principal.role in (Role.TRAINING_INSTITUTION, Role.EVALUATION_INSTITUTION) and (
        principal.institution is None
    ):
        return deny(f"{action}: the token is bound to no institution")
    scope = reach(principal)
    if resource is not None and not scope.admits(resource):
        return deny(f"{action}: the record belongs to another institution or province")
    return allow(scope)
