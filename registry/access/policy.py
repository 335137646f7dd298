"""The shape of every access decision: one function per workflow answers
`decide(principal, action, resource) -> Decision`.

Mutations ask it before they write (`decide(...).require()`), queries ask it before they answer
one record, and list queries ask it with no resource and filter by the `Scope` it returns, so
what a caller may list and what it may open are the same rule. The API layer only asks.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from registry.access.auth import Principal, Role
from registry.errors import Forbidden


@dataclass(frozen=True)
class Scope:
    """The records a caller may see: those whose fields equal `match` (all when it is empty),
    or none at all."""

    match: Mapping[str, Any] = field(default_factory=dict)
    nothing: bool = False

    def admits(self, doc: Mapping[str, Any]) -> bool:
        return not self.nothing and all(doc.get(k) == v for k, v in self.match.items())

    def query(self) -> dict[str, Any]:
        """The same rule as a MongoDB filter."""
        if self.nothing:
            return {"_id": {"$in": []}}
        return dict(self.match)

    def narrow(self, query: Mapping[str, Any]) -> dict[str, Any]:
        """`query` restricted to this scope (itself when the scope is everything)."""
        extra = self.query()
        return {"$and": [dict(query), extra]} if extra else dict(query)


EVERYTHING = Scope()
NOTHING = Scope(nothing=True)


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str = ""
    scope: Scope = EVERYTHING

    def require(self) -> Decision:
        """This decision if it allows, else `Forbidden` with its reason."""
        if not self.allowed:
            raise Forbidden(self.reason)
        return self


def allow(scope: Scope = EVERYTHING) -> Decision:
    return Decision(True, scope=scope)


def deny(reason: str) -> Decision:
    return Decision(False, reason, NOTHING)


def who(principal: Principal) -> str:
    """How a refusal names the caller."""
    return principal.role.value if principal.role else "the public (no token)"


def by_role(principal: Principal, roles: Iterable[Role], action: str) -> Decision:
    """Allowed when the caller holds one of `roles`; the refusal names them and the caller."""
    allowed = frozenset(roles)
    if principal.role is not None and principal.role in allowed:
        return allow()
    names = ", ".join(sorted(r.value for r in allowed))
    return deny(f"{action} may be called by {names}; you are {who(principal)}")


def check_resource(decision: Decision, resource: Mapping[str, Any] | None, reason: str) -> Decision:
    """`decision`, narrowed to `resource`: refused when the resource lies outside its scope."""
    if not decision.allowed or resource is None or decision.scope.admits(resource):
        return decision
    return deny(reason)


# A condition on a resource beyond the role: the reason to refuse, or None.
Check = Callable[[Principal, str, Mapping[str, Any]], str | None]
# One workflow's answer for one action: (principal, action, resource) -> Decision.
Rule = Callable[[Principal, str, Mapping[str, Any] | None], Decision]


def everything(principal: Principal) -> Scope:
    return EVERYTHING


def rule(
    roles: Iterable[Role] | None,
    *checks: Check,
    scope: Callable[[Principal], Scope] = everything,
) -> Rule:
    """The decision for one action: the caller holds one of `roles` (None: anyone, the public
    included); with a resource, every check passes (the first refusal wins). Allowed answers
    carry `scope(principal)`, the filter of what a list of such resources may show."""
    allowed = None if roles is None else frozenset(roles)

    def decide(principal: Principal, action: str, resource: Mapping[str, Any] | None) -> Decision:
        if allowed is not None:
            by_roles = by_role(principal, allowed, action)
            if not by_roles.allowed:
                return by_roles
        if resource is not None:
            for check in checks:
                reason = check(principal, action, resource)
                if reason is not None:
                    return deny(reason)
        return allow(scope(principal))

    return decide


def authorizer(
    decide: Callable[[Principal, Any, Mapping[str, Any] | None], Decision],
    principal: Principal,
    action: Any,
) -> Callable[[Mapping[str, Any]], None]:
    """`decide(principal, action, record).require()` as the store's `authorize` hook."""

    def check(record: Mapping[str, Any]) -> None:
        decide(principal, action, record).require()

    return check
