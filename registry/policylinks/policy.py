"""Who may do what with policy links: the one access rule of the topic. Everyone reads them
(they are public policy); only the programme office records a version, national or provincial."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.access.auth import Principal, Role
from registry.access.policy import Decision, Rule, rule
from registry.policylinks.model import PolicyAction

OFFICE = frozenset({Role.OFFICE_ADMIN})

RULES: dict[PolicyAction, Rule] = {
    PolicyAction.SET_TITLE_LINK: rule(OFFICE),
    PolicyAction.SET_SUBSIDY_RULE: rule(OFFICE),
    PolicyAction.VIEW: rule(None),
}


def decide(
    principal: Principal, action: PolicyAction, resource: Mapping[str, Any] | None = None
) -> Decision:
    """Whether `principal` may do `action` (on the record `resource` when given)."""
    return RULES[action](principal, action, resource)
