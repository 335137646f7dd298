"""What every page handler needs from the app: a resolvers `Context` for the public (the same
one GraphQL builds, anonymous), and the allowances it spends from (the API's own, shared).

A page is a client of the domain through `resolvers/`, never a second implementation: the same
functions, limits and personal-data rules as `/graphql`."""

from __future__ import annotations

from typing import Any

from starlette.requests import Request

from registry.access.auth import ANONYMOUS
from resolvers.context import Context
from service.ratelimit import Allowances, Decision, client_key
from service.request_context import resolver_context

# What one page costs in query points: about what the same answer costs over GraphQL (a page
# of the directory is a connection of 20 rows).
READ_COST = 1
LIST_COST = 20


class Throttled(Exception):
    """An allowance is spent: the page answers 429 with `Retry-After`."""

    def __init__(self, decision: Decision) -> None:
        super().__init__("throttled")
        self.decision = decision


def context(request: Request) -> Context:
    """The resolvers' context for an anonymous caller: pages never read a bearer token."""
    ctx = resolver_context(request)
    ctx.loaders["principal"] = ANONYMOUS  # resolvers.auth reads the caller from here
    return ctx


async def spend(request: Request, *, points: int, personal: int = 0) -> Decision:
    """Charge this page to its client, as `/graphql` charges a query: `points`, and `personal`
    uses of a personal look-up (one per look-up made), in the count every process shares.
    `Throttled` when either is spent."""
    state: Any = request.app.state
    allowances: Allowances = state.allowances
    windows = state.rate_windows
    key = client_key(request, None, state.api.trust_forwarded_for)
    rate = await allowances.points.spend(windows, key, points)
    if not rate.allowed:
        raise Throttled(rate)
    if personal:
        # For the access log and the middleware, as for a `@personal` GraphQL field.
        request.scope.setdefault("state", {})["personal"] = True
        used = await allowances.personal.spend(windows, key, personal)
        if not used.allowed:
            raise Throttled(used)
    return rate
