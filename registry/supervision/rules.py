"""Who may do what in supervision: the one table the registry functions, the permission tests
and `docs/training-and-supervision.md` follow (like `registry.institutions.rules`).

Scope: the office acts nationwide; a provincial reviewer acts for its own province only: its
roster entries, campaigns restricted to its province, findings on institutions of its province.
Removal from the directory stays with the office, as in the directory's own rules.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.auth import Principal, Role
from registry.errors import Forbidden

SUPERVISORS = frozenset({Role.OFFICE_ADMIN, Role.PROVINCIAL_REVIEWER})


@dataclass(frozen=True)
class Rule:
    action: str
    roles: frozenset[Role]
    scope: str


RULES: dict[str, Rule] = {
    r.action: r
    for r in [
        Rule("addInspector", SUPERVISORS, "provincial reviewers: inspectors of their province"),
        Rule("retireInspector", SUPERVISORS, "provincial reviewers: inspectors of their province"),
        Rule(
            "announceSupervisionCampaign",
            SUPERVISORS,
            "provincial reviewers: campaigns over their own province only",
        ),
        Rule("drawSupervisionCampaign", SUPERVISORS, "the campaign's owner (or the office)"),
        Rule(
            "recordSupervisionFinding",
            SUPERVISORS,
            "provincial reviewers: institutions of their province; removal: the office only",
        ),
        Rule("publishSupervisionResults", SUPERVISORS, "the campaign's owner (or the office)"),
    ]
}


def who(principal: Principal) -> str:
    return principal.role.value if principal.role else "the public (no token)"


def require(principal: Principal, action: str) -> None:
    rule = RULES[action]
    if principal.role is None or principal.role not in rule.roles:
        allowed = ", ".join(sorted(r.value for r in rule.roles))
        raise Forbidden(f"{action} may be called by {allowed}; you are {who(principal)}")


def require_province(principal: Principal, province: str, action: str) -> None:
    if principal.role is Role.PROVINCIAL_REVIEWER and principal.province != province:
        raise Forbidden(
            f"{action}: this concerns province {province}, you supervise {principal.province}"
        )
