"""Who may do what with exam sessions and registrations: the one access rule of the workflow.

Only the evaluation institution that announced a session acts on it or sees its registrations
(which name people); the roles of the moves are read from the transition tables."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.access.auth import Principal, Role
from registry.access.policy import Decision, Scope, allow, by_role, deny
from registry.exams.model import EVALUATOR, REGISTRATION_MOVES, SESSION_MOVES, ExamAction

Resource = Mapping[str, Any]

ROLES: dict[ExamAction, frozenset[Role]] = {
    ExamAction.ANNOUNCE: EVALUATOR,
    ExamAction.REGISTER: EVALUATOR,
    ExamAction.VIEW: EVALUATOR,
    **{move.action: move.roles for move in SESSION_MOVES},
    **{move.action: move.roles for move in REGISTRATION_MOVES},
}


def decide(principal: Principal, action: ExamAction, resource: Resource | None = None) -> Decision:
    """Whether `principal` may do `action` (on `resource`, a session or registration, when
    given); an allowing decision's scope is the caller's own institution."""
    decision = by_role(principal, ROLES[action], action)
    if not decision.allowed:
        return decision
    if principal.institution is None:
        return deny(f"{action}: the token is bound to no institution")
    scope = Scope({"institution": principal.institution})
    if resource is not None and not scope.admits(resource):
        return deny(f"{action}: the exam session belongs to another institution")
    return allow(scope)
