"""Who may do what in supervision: `decide(principal, action, resource)`, the one answer the
roster, campaigns, findings and the API all ask.

The roles of a campaign's or a finding's move come from their tables
(`registry.supervision.rules`); every other action is the supervisors'. A provincial reviewer
acts for its province: resources name theirs as `province` (an inspector, a finding's
institution), `provinces` (an announcement's rules) or `owner_province` (a campaign).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.access.auth import Principal, Role
from registry.access.policy import Decision, Rule, Scope, allow, check_resource, rule
from registry.supervision.rules import (
    CAMPAIGN_MOVES,
    ENFORCEMENT_MOVES,
    SUPERVISORS,
    Action,
    CampaignStatus,
    FindingAction,
)

Resource = Mapping[str, Any] | None


def _outside(principal: Principal, action: str, province: str | None) -> str | None:
    if principal.role is not Role.PROVINCIAL_REVIEWER or province == principal.province:
        return None
    return f"{action}: this concerns province {province}, you supervise {principal.province}"


def _in_province(principal: Principal, action: str, doc: Mapping[str, Any]) -> str | None:
    return _outside(principal, action, doc.get("province"))


def _over_province(principal: Principal, action: str, doc: Mapping[str, Any]) -> str | None:
    provinces = set(doc.get("provinces") or ())
    if not provinces or provinces == {principal.province}:
        return None
    return _outside(principal, action, ",".join(sorted(provinces)))


def _owner(principal: Principal, action: str, doc: Mapping[str, Any]) -> str | None:
    owner = doc.get("owner_province")
    if principal.role is not Role.PROVINCIAL_REVIEWER or owner == principal.province:
        return None
    return _outside(principal, action, owner or "all (a national campaign)")


def _removal(principal: Principal, action: str, doc: Mapping[str, Any]) -> str | None:
    if doc.get("action") != FindingAction.REMOVE or principal.role is Role.OFFICE_ADMIN:
        return None
    return f"{action}: removal from the directory is decided by OFFICE_ADMIN"


def _findings(principal: Principal, action: str, resource: Resource) -> Decision:
    # Findings are public with the results (一公开); supervisors see them as they are recorded.
    if principal.role in SUPERVISORS:
        return allow()
    published = allow(Scope({"status": CampaignStatus.RESULTS_PUBLISHED.value}))
    return check_resource(published, resource, "the findings are public once published")


def _public(principal: Principal, action: str, resource: Resource) -> Decision:
    return allow()  # campaigns and the roster are public from their announcement (一公开)


_RULES: dict[Action, Rule] = {
    Action.ADD_INSPECTOR: rule(SUPERVISORS, _in_province),
    Action.RETIRE_INSPECTOR: rule(SUPERVISORS, _in_province),
    Action.ANNOUNCE: rule(SUPERVISORS, _over_province),
    Action.DRAW: rule(CAMPAIGN_MOVES[Action.DRAW].roles, _owner),
    Action.CORRECT: rule(CAMPAIGN_MOVES[Action.CORRECT].roles, _owner),
    Action.PUBLISH_RESULTS: rule(CAMPAIGN_MOVES[Action.PUBLISH_RESULTS].roles, _owner),
    Action.RECORD_FINDING: rule(SUPERVISORS, _removal, _in_province),
    Action.ENFORCE_FINDING: rule(ENFORCEMENT_MOVES[Action.ENFORCE_FINDING].roles, _in_province),
    Action.VIEW_FINDINGS: _findings,
    Action.BROWSE: _public,
}


def decide(principal: Principal, action: Action, resource: Resource = None) -> Decision:
    """May `principal` do `action` (on `resource`: an inspector, an announcement's rules, a
    campaign or a finding)? The refusal names the rule."""
    return _RULES[action](principal, action, resource)
