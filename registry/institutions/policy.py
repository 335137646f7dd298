"""Who may do what with the directories: `decide(principal, action, resource)`, the one answer
the lifecycle, the annual reports, the key store and the API all ask.

The roles of a move come from the transition table (`registry.institutions.rules.TABLE`); this
module adds what a role alone does not say: an institution acts for itself and with the token of
its kind, a provincial reviewer for its province, a ministry recommender for its sector (and only
within the sector's fields), a step is returned by the reviewer who owns it.
With no resource the answer is about the role alone (and its scope, for lists); with one (a
stored institution, or the fields of an application) it is about that record.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from registry.access.auth import INSTITUTION_ROLES, Principal, Role
from registry.access.policy import EVERYTHING, Decision, Rule, Scope, allow, rule
from registry.institutions import sectors
from registry.institutions.model import Kind, Recommender, RecommenderKind, Status
from registry.institutions.rules import OFFICE, REVIEWERS, STEP_OWNER, TABLE, Action

Resource = Mapping[str, Any] | None

ROLE_OF_KIND = {
    Kind.TRAINING: Role.TRAINING_INSTITUTION,
    Kind.EVALUATION: Role.EVALUATION_INSTITUTION,
}


def scope_of(principal: Principal) -> Scope:
    """The institutions a caller acts on: its own, those of its province, those sent through
    its sector, or all."""
    if principal.role in INSTITUTION_ROLES:
        return Scope({"_id": principal.institution})
    if principal.role is Role.PROVINCIAL_REVIEWER:
        return Scope({"province": principal.province})
    if principal.role is Role.MINISTRY_RECOMMENDER:
        return Scope({"sector": principal.sector})
    return EVERYTHING


# The role of each kind of recommender (the route itself is the model's one rule).
ROLE_OF_RECOMMENDER = {
    RecommenderKind.PROVINCE: Role.PROVINCIAL_REVIEWER,
    RecommenderKind.SECTOR: Role.MINISTRY_RECOMMENDER,
    RecommenderKind.OFFICE: Role.OFFICE_ADMIN,
}


def _route(doc: Mapping[str, Any]) -> str:
    route = Recommender.of(doc)
    if route.kind is RecommenderKind.SECTOR:
        return f"the application is recommended by the HR office of sector {route.sector}"
    if route.kind is RecommenderKind.OFFICE:
        return "a ministry-level body is recommended by OFFICE_ADMIN"
    return (
        f"the application is recommended by the provincial department of province {route.province}"
    )


def _acts_for(principal: Principal, action: str, doc: Mapping[str, Any]) -> str | None:
    role = principal.role
    if role in INSTITUTION_ROLES:
        if "_id" in doc and principal.institution != doc["_id"]:
            return f"{action}: an institution may act only for itself"
        if "kind" in doc and role is not ROLE_OF_KIND[Kind(doc["kind"])]:
            return f"{action}: the institution is {doc['kind']}, you are {role}"
    if role is Role.PROVINCIAL_REVIEWER and principal.province != doc.get("province"):
        return (
            f"{action}: the institution is in province {doc.get('province')}, "
            f"you review province {principal.province}"
        )
    if role is Role.MINISTRY_RECOMMENDER and principal.sector != doc.get("sector"):
        return f"{action}: {_route(doc)}, you recommend for sector {principal.sector}"
    return None


def _recommender(principal: Principal, action: str, doc: Mapping[str, Any]) -> str | None:
    owner = ROLE_OF_RECOMMENDER[Recommender.of(doc).kind]
    if principal.role is not owner:
        return f"{action}: {_route(doc)}, not by {principal.role}"
    if owner is not Role.MINISTRY_RECOMMENDER:
        return None
    # Within the sector's fields only: checked again here, not just when the application was
    # made, so that a narrowed sector or a record written around the API cannot widen it.
    fields = doc.get("fields")
    if fields is None:
        return f"{action}: the application's fields are not recorded"
    outside = sectors.outside(principal.sector, fields)
    if outside:
        return (
            f"{action}: field(s) {', '.join(outside)} of the application lie outside sector "
            f"{principal.sector}"
        )
    return None


def _step_owner(principal: Principal, action: str, doc: Mapping[str, Any]) -> str | None:
    if principal.role is Role.OFFICE_ADMIN:
        return None
    status = Status(doc["status"])
    if status is Status.APPLIED:
        owner: Role | None = ROLE_OF_RECOMMENDER[Recommender.of(doc).kind]
    else:
        owner = STEP_OWNER.get(status)
    if principal.role is owner:
        return None
    return (
        f"{action}: at {doc['status']} the application is with {owner or 'nobody'}, "
        f"not {principal.role or 'the public'}"
    )


def _own_kind(principal: Principal, action: str, doc: Mapping[str, Any]) -> str | None:
    expected = ROLE_OF_KIND[Kind(doc["kind"])]
    if principal.role is expected:
        return None
    return f"{action}: a {doc['kind']} application needs a {expected} token"


def _own_code(principal: Principal, action: str, doc: Mapping[str, Any]) -> str | None:
    if "_id" not in doc or principal.institution == doc["_id"]:
        return None
    return f"{action}: an institution may apply only for its own unified social credit code"


def _key_holder(principal: Principal, action: str, doc: Mapping[str, Any]) -> str | None:
    if principal.role is Role.OFFICE_ADMIN or principal.institution == doc["_id"]:
        return None
    return "a key may be rotated by OFFICE_ADMIN or by the institution itself"


def _public(principal: Principal, action: str, resource: Resource) -> Decision:
    # The directories are public, applications included: the publicity exists so that anyone
    # can see who applies and object.
    return allow()


_EXTRA_CHECKS = {
    Action.RECOMMEND: (_recommender,),
    Action.RETURN_APPLICATION: (_step_owner,),
}
_RULES: dict[Action, Rule] = {
    **{
        move.action: rule(
            move.roles, _acts_for, *_EXTRA_CHECKS.get(move.action, ()), scope=scope_of
        )
        for move in TABLE
    },
    Action.APPLY: rule(INSTITUTION_ROLES, _own_kind, _own_code, scope=scope_of),
    Action.LODGE_OBJECTION: _public,
    Action.RESOLVE_OBJECTION: rule(OFFICE),
    Action.SUBMIT_REPORT: rule(INSTITUTION_ROLES, _acts_for, scope=scope_of),
    # Fees are the institution's own to set and disclose (notice 四(六)4).
    Action.CHANGE_FEES: rule(INSTITUTION_ROLES, _acts_for, scope=scope_of),
    Action.ROTATE_KEY: rule(OFFICE | INSTITUTION_ROLES, _key_holder, scope=scope_of),
    # Only the office: marking a key compromised casts doubt on everything it signed.
    Action.COMPROMISE_KEY: rule(OFFICE),
    Action.SET_HOLIDAYS: rule(OFFICE),
    Action.VIEW: _public,
    Action.BROWSE: _public,
    Action.READ_OBJECTION_TEXT: rule(REVIEWERS),
    # The queue of overdue annual reports: the office, and each province for its own.
    Action.VIEW_OVERDUE_REPORTS: rule(
        {Role.OFFICE_ADMIN, Role.PROVINCIAL_REVIEWER}, _acts_for, scope=scope_of
    ),
}


def decide(principal: Principal, action: Action, resource: Resource = None) -> Decision:
    """May `principal` do `action` (on `resource`, a stored institution or an application's
    fields)? The refusal names the rule; `scope` says which institutions a list may show."""
    return _RULES[action](principal, action, resource)
