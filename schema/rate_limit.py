"""`rateLimit`: what this request cost and what is left, as GitHub's API answers it."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.types import Info

from resolvers.context import Context


@strawberry.type(description="The caller's rate-limit window, after this request.")
class RateLimit:
    limit: int = strawberry.field(description="Points per window.")
    cost: int = strawberry.field(description="What this request cost.")
    used: int = strawberry.field(description="Points spent in this window, this request included.")
    remaining: int = strawberry.field(description="Points left in this window.")
    reset_at: dt.datetime = strawberry.field(description="When the window starts again.")


@strawberry.type
class RateLimitQuery:
    @strawberry.field(description="Cost of this query and the points left; null outside HTTP.")
    def rate_limit(self, info: Info[Context, None]) -> RateLimit | None:
        r = info.context.rate_limit
        if r is None:
            return None
        return RateLimit(
            limit=r.limit, cost=r.cost, used=r.used, remaining=r.remaining, reset_at=r.reset_at
        )
