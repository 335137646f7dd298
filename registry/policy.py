"""The shape of every access decision: one function per workflow answers
`decide(principal, action, resource) -> Decision`.

Mutations ask it before they write (`decide(...).require()`), queries ask it before they answer
one record, and list queries ask it with no resource and filter by the `Scope` it returns, so
what a caller may list and what it may open are the same rule. The API layer only asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from registry.auth import Principal, Role
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
