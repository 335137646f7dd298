"""Who may do what with assessment batches and certificates: the one access rule of the workflow.

`decide(principal, action, resource)` answers every question: may this caller list batches (and
which: the `Scope`), open this one, move it, revoke this certificate. Lists, single records and
moves use the same scope, so a provincial reviewer of another province can neither list, open
nor move a batch. The roles of a move are read from its transition table (`model`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.access.auth import Principal, Role
from registry.access.policy import EVERYTHING, Decision, Scope, allow, by_role, deny, who
from registry.certificates.model import (
    BATCH_MOVES,
    CERTIFICATE_MOVES,
    BatchAction,
    BatchStatus,
    CertificateAction,
)

Action = BatchAction | CertificateAction
Resource = Mapping[str, Any]

VIEWING = frozenset({BatchAction.VIEW, BatchAction.LIST})


def visible(principal: Principal) -> Scope | None:
    """The batches (and certificates) this caller's role reaches, or None when it reaches none."""
    if principal.role in (Role.OFFICE_ADMIN, Role.CETTIC_REVIEWER):
        return EVERYTHING
    if principal.role is Role.PROVINCIAL_REVIEWER:
        return Scope({"province": principal.province})
    if principal.role is Role.EVALUATION_INSTITUTION and principal.institution is not None:
        return Scope({"institution": principal.institution})
    return None


def decide(principal: Principal, action: Action, resource: Resource | None = None) -> Decision:
    """Whether `principal` may do `action` (on `resource`, a batch or certificate document, when
    given); an allowing decision carries the scope of what the caller may see."""
    if isinstance(action, CertificateAction):
        return _revoke(principal, resource)
    if action in VIEWING:
        return _view(principal, resource)
    return _move(principal, action, resource)


def _view(principal: Principal, resource: Resource | None) -> Decision:
    scope = visible(principal)
    if scope is None:
        return deny(
            "assessment batches are visible to reviewers and to the institution that submitted "
            f"them; you are {who(principal)}"
        )
    if resource is not None and not scope.admits(resource):
        return deny("the batch is outside what you may see")
    return allow(scope)


def _move(principal: Principal, action: BatchAction, resource: Resource | None) -> Decision:
    decision = by_role(principal, BATCH_MOVES[action].roles, f"batch {action}")
    scope = visible(principal)
    if not decision.allowed or scope is None:
        return (
            decision
            if not decision.allowed
            else deny(f"batch {action}: the token is bound to no institution")
        )
    if resource is None:
        return allow(scope)
    if not scope.admits(resource):
        return deny(_outside(principal, action, resource))
    if action is BatchAction.RETURN:
        return _owner(principal, resource, scope)
    return allow(scope)


def _outside(principal: Principal, action: BatchAction, resource: Resource) -> str:
    if principal.role is Role.PROVINCIAL_REVIEWER:
        return (
            f"batch {action}: the batch is from province {resource.get('province')}, "
            f"you review {principal.province}"
        )
    return f"batch {action}: only the institution that submitted the batch may {action} it"


def owners(status: BatchStatus) -> frozenset[Role]:
    """Who holds a batch at `status`: the roles of its next forward step."""
    return frozenset(
        role
        for act in BATCH_MOVES.actions_from(status)
        if act is not BatchAction.RETURN
        for role in BATCH_MOVES[act].roles
    )


def _owner(principal: Principal, batch: Resource, scope: Scope) -> Decision:
    # The reviewer of the current step returns; the office may return at any step.
    holders = owners(BatchStatus(batch["status"]))
    if principal.role is Role.OFFICE_ADMIN or principal.role in holders or not holders:
        return allow(scope)
    names = ", ".join(sorted(r.value for r in holders))
    return deny(
        f"batch return: at {batch['status']} the batch is with {names}, not {who(principal)}"
    )


def _revoke(principal: Principal, certificate: Resource | None) -> Decision:
    move = CERTIFICATE_MOVES[CertificateAction.REVOKE]
    decision = by_role(principal, move.roles, "revokeCertificate")
    if not decision.allowed:
        return decision
    scope = visible(principal) or EVERYTHING
    if certificate is not None and not scope.admits(certificate):
        return deny("revokeCertificate: an institution may revoke only certificates it issued")
    return allow(scope)
