"""Rate limits per client, spent by query cost, in fixed windows (GitHub's model), one count for
every process of the registry.

Windows are aligned to the clock (each hour on the hour for a 3,600 s window): every client's
window resets at the same moment, so `x-ratelimit-reset` is the same for every client and says
nothing about when this one began, and two clients with the same history get the same headers.

One count for all processes: a client's window is counted by a `WindowCounter` shared by every
process (the database: `service/rate_windows.py`; a deployment may back the same interface by
another store), so N processes allow the limit once, not N times.

A local allowance, so that a request does not always pay a round trip: a process takes points
from the shared count in leases of `limit // 100` points (1 %; 0 below a limit of 100, so the
personal allowance of 30 is counted exactly, every look-up asking the database) beyond what the
request needs, and spends what it leased locally until it runs out. A lease is counted as spent
the moment it is taken, so **a client never exceeds its limit, by any number of processes**. The
price runs the other way: points one process leased and has not spent are not available to the
others, so a client spreading its requests over N processes may be refused up to
(N - 1) × lease points early in a window (50 points of 5,000 per other process by default).
A refusal costs no round trip once the process knows the count is past what the request needs
(the shared count never decreases within a window).
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from dataclasses import dataclass
from typing import Protocol

from starlette.requests import Request

MAX_CLIENTS = 100_000  # bounded memory: the least recently seen clients are forgotten first
LEASE_SHARE = 100  # a lease is 1/100 of the limit
EXPIRY_GRACE_S = 60  # a window's count outlives the window by this (clocks of processes differ)


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


class WindowCounter(Protocol):
    """The shared count of every client's windows: what a store must offer to hold them."""

    async def take(self, window: str, amount: int, limit: int, expires_at: float) -> int | None:
        """Add `amount` to `window`'s count if the total stays within `limit`, atomically with
        respect to every other process; the new total, or None (nothing added). The count may be
        forgotten after `expires_at` (epoch seconds)."""
        ...

    async def read(self, window: str) -> int:
        """The window's count (0 when it has none)."""
        ...


@dataclass
class _Local:
    start: float  # the window this is about
    known: int = 0  # the shared count as this process last saw it (it never decreases)
    left: int = 0  # points leased by this process and not spent yet
    leasing: bool = False  # a request is taking a lease: the others take what they need only


class SharedWindowLimiter:
    """One allowance (`name`: points, personal look-ups) of `limit` per client and window."""

    def __init__(self, name: str, limit: int, window_s: int) -> None:
        self.name = name
        self.limit = limit
        self.window_s = window_s
        self.lease = limit // LEASE_SHARE
        self._local: OrderedDict[str, _Local] = OrderedDict()

    def _here(self, key: str, start: float) -> _Local:
        local = self._local.get(key)
        if local is None or local.start != start:
            local = self._local[key] = _Local(start)
        self._local.move_to_end(key)
        while len(self._local) > MAX_CLIENTS:
            self._local.popitem(last=False)
        return local

    def window_id(self, key: str, start: float) -> str:
        """The window's id in the shared count: the allowance (a changed limit or window starts
        a new count), the window's start and the client, digested (no address is stored)."""
        text = f"{self.name}:{self.limit}/{self.window_s}|{int(start)}|{key}"
        return hashlib.sha256(text.encode()).hexdigest()[:32]

    async def spend(
        self, counter: WindowCounter, key: str, cost: int, now: float | None = None
    ) -> Decision:
        """Spend `cost` if it fits in what is left of the client's window across all processes;
        otherwise refuse and spend nothing."""
        now = time.time() if now is None else now
        start = now - now % self.window_s
        local = self._here(key, start)
        if cost <= local.left:
            local.left -= cost
            return self._decision(True, local, cost)
        need = cost - local.left
        if local.known + need > self.limit:
            return self._decision(False, local, cost)
        held, local.left = local.left, 0  # this request holds them while it asks
        leasing = bool(self.lease) and not local.leasing  # one lease at a time per client
        local.leasing = local.leasing or leasing
        try:
            taken = await self._take(counter, key, local, need, self.lease if leasing else 0)
        finally:
            local.leasing = local.leasing and not leasing
        if taken is None:
            local.left += held
            return self._decision(False, local, cost)
        local.left += held + taken - cost
        return self._decision(True, local, cost)

    async def _take(
        self, counter: WindowCounter, key: str, local: _Local, need: int, lease: int
    ) -> int | None:
        """Take `need` points and, when it fits, a `lease` beyond them from the shared count;
        what was taken, or None (nothing taken; the count, read, is then `local.known`)."""
        window = self.window_id(key, local.start)
        expires = local.start + self.window_s + EXPIRY_GRACE_S
        for extra in (lease, 0) if lease else (0,):
            if extra and local.known + need + extra > self.limit:
                continue  # a lease would not fit: ask for what the request needs only
            total = await counter.take(window, need + extra, self.limit, expires)
            if total is not None:
                local.known = max(local.known, total)
                return need + extra
        local.known = max(local.known, await counter.read(window))
        return None

    def _decision(self, allowed: bool, local: _Local, cost: int) -> Decision:
        used = max(0, local.known - local.left)
        return Decision(
            allowed,
            self.limit,
            used,
            max(0, self.limit - used),
            local.start + self.window_s,
            cost,
        )


@dataclass(frozen=True)
class Allowances:
    """The two allowances a client spends, whichever door it uses (GraphQL or the pages): query
    points by cost, and personal look-ups, one per use. One pair per app, so that the pages are
    not a second, fresh allowance beside the API's; both counted in the `WindowCounter` every
    process shares."""

    points: SharedWindowLimiter
    personal: SharedWindowLimiter
    window_s: int

    @classmethod
    def of(cls, points: int, personal: int, window_s: int) -> Allowances:
        return cls(
            SharedWindowLimiter("points", points, window_s),
            SharedWindowLimiter("personal", personal, window_s),
            window_s,
        )


def client_key(request: Request, token_id: str | None, trust_forwarded_for: bool) -> str:
    """Whom a request's spending is charged to: its token, else its address — where the
    deployment says a proxy sets `X-Forwarded-For`, the last hop, the address the proxy itself
    saw: what a client writes into the header stands left of it."""
    if token_id:
        return f"token:{token_id}"
    if trust_forwarded_for and (hop := _last_forwarded_hop(request)):
        return "ip:" + hop
    return "ip:" + (request.client.host if request.client else "unknown")


def _last_forwarded_hop(request: Request) -> str | None:
    hops = ",".join(request.headers.getlist("x-forwarded-for")).split(",")
    last = hops[-1].strip()
    return last or None
