"""Rate limits per client, spent by query cost, in fixed windows (GitHub's model).

Windows are aligned to the clock (each hour on the hour for a 3,600 s window): every client's
window resets at the same moment, so `x-ratelimit-reset` is the same for every client and says
nothing about when this one began, and two clients with the same history get the same headers.

In-process: each service process counts on its own, so with N processes behind a load balancer a
client may spend up to N times the limit. Deployments that need one shared count put it in front
(the load balancer) or run one process per client pool; `docs/api.md` says so.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from dataclasses import dataclass

from starlette.requests import Request

MAX_CLIENTS = 100_000  # bounded memory: the least recently seen clients are forgotten first


@dataclass(frozen=True)
class Decision:
    allowed: bool
    limit: int
    used: int
    remaining: int
    reset_at: float  # epoch seconds
    cost: int

    @property
    def retry_after(self) -> int:
        return max(1, math.ceil(self.reset_at - time.time()))


class FixedWindowLimiter:
    def __init__(self, limit: int, window_s: int) -> None:
        self.limit = limit
        self.window_s = window_s
        self._windows: OrderedDict[str, tuple[float, int]] = OrderedDict()

    def _window(self, key: str, now: float) -> tuple[float, int]:
        current = now - now % self.window_s
        start, used = self._windows.get(key, (current, 0))
        if start != current:
            start, used = current, 0
        return start, used

    def peek(self, key: str, now: float | None = None) -> Decision:
        now = time.time() if now is None else now
        start, used = self._window(key, now)
        return Decision(True, self.limit, used, max(0, self.limit - used), start + self.window_s, 0)

    def spend(self, key: str, cost: int, now: float | None = None) -> Decision:
        """Spend `cost` if it fits in what is left; otherwise refuse and spend nothing."""
        now = time.time() if now is None else now
        start, used = self._window(key, now)
        allowed = used + cost <= self.limit
        if allowed:
            used += cost
        self._windows[key] = (start, used)
        self._windows.move_to_end(key)
        while len(self._windows) > MAX_CLIENTS:
            self._windows.popitem(last=False)
        return Decision(
            allowed, self.limit, used, max(0, self.limit - used), start + self.window_s, cost
        )


@dataclass(frozen=True)
class Allowances:
    """The two allowances a client spends, whichever door it uses (GraphQL or the pages): query
    points by cost, and personal look-ups, one per use. One pair per app, so that the pages are
    not a second, fresh allowance beside the API's."""

    points: FixedWindowLimiter
    personal: FixedWindowLimiter
    window_s: int

    @classmethod
    def of(cls, points: int, personal: int, window_s: int) -> Allowances:
        return cls(
            FixedWindowLimiter(points, window_s), FixedWindowLimiter(personal, window_s), window_s
        )


def client_key(request: Request, token_id: str | None, trust_forwarded_for: bool) -> str:
    """Whom a request's spending is charged to: its token, else its address (the first
    `X-Forwarded-For` hop only where the deployment says a proxy sets it)."""
    if token_id:
        return f"token:{token_id}"
    if trust_forwarded_for and (forwarded := request.headers.get("x-forwarded-for")):
        return "ip:" + forwarded.split(",")[0].strip()
    return "ip:" + (request.client.host if request.client else "unknown")
