"""The shared rate limiter on the real database: several processes' limiters (one
`SharedWindowLimiter` each, as each process has) over one count. Whatever the interleaving, a
client never spends more than its limit, and is refused only when what it spent plus what the
other processes hold leased leaves no room (the bound `service/ratelimit.py` states)."""

from __future__ import annotations

import asyncio
import random
import uuid

import pytest

from registry.storage.db import Database, make_client
from service.rate_windows import MongoWindows
from service.ratelimit import SharedWindowLimiter

NOW = 1_800_000_000.0  # inside one window of every size used here


@pytest.mark.parametrize("seed", range(12))
async def test_never_over_the_limit_and_never_refused_early_beyond_the_leases(
    db: Database, seed: int
) -> None:
    rng = random.Random(seed)
    limit = rng.choice([30, 100, 500, 5000])
    processes = [SharedWindowLimiter("points", limit, 3600) for _ in range(rng.randint(1, 4))]
    counter = MongoWindows(db)
    client = uuid.uuid4().hex
    spent = 0
    for _ in range(120):
        cost = rng.randint(1, max(1, limit // rng.choice([3, 10, 40])))
        here = rng.randrange(len(processes))
        decision = await processes[here].spend(counter, client, cost, now=NOW)
        if decision.allowed:
            spent += cost
        else:
            held = sum(p.lease for i, p in enumerate(processes) if i != here)
            assert spent + cost > limit - held, (spent, cost, limit)
        assert spent <= limit
    shared = await counter.read(processes[0].window_id(client, NOW - NOW % 3600))
    unspent = sum(p._local[client].left for p in processes if client in p._local)
    assert shared == spent + unspent


async def test_concurrent_spending_from_two_processes_stays_within_the_limit(
    db: Database,
) -> None:
    limit = 1000
    one, two = (SharedWindowLimiter("points", limit, 3600) for _ in range(2))
    counter = MongoWindows(db)
    decisions = await asyncio.gather(
        *((one if k % 2 else two).spend(counter, "racer", 7, now=NOW) for k in range(300))
    )
    allowed = sum(d.cost for d in decisions if d.allowed)
    assert limit - 2 * 10 - 7 < allowed <= limit


async def test_a_refusal_over_the_known_count_costs_no_round_trip(
    mongodb_uri: str, db: Database
) -> None:
    limiter = SharedWindowLimiter("personal", 3, 3600)
    client = make_client(mongodb_uri)
    counter = MongoWindows(client[db.name])
    for _ in range(3):
        assert (await limiter.spend(counter, "p", 1, now=NOW)).allowed
    assert not (await limiter.spend(counter, "p", 1, now=NOW)).allowed  # asked the database
    await client.close()  # nothing can reach the database any more
    refused = await limiter.spend(counter, "p", 1, now=NOW)
    assert not refused.allowed and refused.used == 3 and refused.remaining == 0
