"""Who may do what with training records: the one table the registry functions, the permission
tests and `docs/training-and-supervision.md` follow (like `registry.institutions.rules`)."""

from __future__ import annotations

from dataclasses import dataclass

from registry.auth import Principal, Role
from registry.errors import Forbidden

REVIEWERS = frozenset({Role.PROVINCIAL_REVIEWER, Role.CETTIC_REVIEWER, Role.OFFICE_ADMIN})


@dataclass(frozen=True)
class Rule:
    action: str
    roles: frozenset[Role]
    scope: str


RULES: dict[str, Rule] = {
    r.action: r
    for r in [
        Rule(
            "submitTrainingCohort",
            frozenset({Role.TRAINING_INSTITUTION}),
            "its own institution, listed on the cohort's end date, occupation and level in scope",
        ),
        Rule(
            "revokeTrainingCertificate",
            frozenset({Role.TRAINING_INSTITUTION, Role.OFFICE_ADMIN}),
            "the issuing training institution, or the office for any",
        ),
        Rule(
            "reportEmploymentRate",
            frozenset({Role.TRAINING_INSTITUTION, Role.EVALUATION_INSTITUTION}),
            "its own institution, once on the directory",
        ),
    ]
}


def who(principal: Principal) -> str:
    return principal.role.value if principal.role else "the public (no token)"


def require(principal: Principal, action: str) -> None:
    """Refuse a caller whose role the table does not name for `action` (scope is checked where
    the record is known)."""
    rule = RULES[action]
    if principal.role is None or principal.role not in rule.roles:
        allowed = ", ".join(sorted(r.value for r in rule.roles))
        raise Forbidden(f"{action} may be called by {allowed}; you are {who(principal)}")
