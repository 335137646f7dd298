"""The statistics' counters are read once per audit-chain head, and never kept longer: a change
made through the registry shows at once; a write to the counters around the registry (no audit
entry) shows with the next audited change; other filters are answered from the same read."""

from __future__ import annotations

import asyncio

import pytest

from registry.access.auth import Principal, Role
from registry.certificates import revocation
from registry.certificates.model import CertificateStatus
from registry.reports import rebuild, snapshot, statistics
from registry.settings import Settings
from registry.storage.collections import Collection
from registry.storage.db import Database
from tests.registry.reports.data import build

OFFICE = Principal(Role.OFFICE_ADMIN, "t", "tok-office")


@pytest.fixture(scope="module", autouse=True)
async def data(db: Database, settings: Settings) -> None:
    await build(db, settings, 760)


async def totals(db: Database) -> dict[str, int]:
    return (await statistics.aggregate(db, []))[0].counts


async def published_numbers(db: Database) -> list[str]:
    found = db.certificates.find({"status": CertificateStatus.PUBLISHED}, {"_id": 1})
    return [d["_id"] async for d in found]


async def test_a_change_through_the_registry_shows_at_once(db: Database) -> None:
    before = await totals(db)
    head = await snapshot.version(db)
    number = (await published_numbers(db))[0]
    await revocation.revoke(db, OFFICE, number, "快照测试")
    assert await snapshot.version(db) > head
    after = await totals(db)
    assert after["certificates_revoked"] == before["certificates_revoked"] + 1
    assert after["certificates_issued"] == before["certificates_issued"]  # revoked still issued


async def test_the_counters_are_remembered_until_the_chain_moves(db: Database) -> None:
    before = await totals(db)
    progress_before = await statistics.progress(db)
    # A write to the counters around the registry: no audit entry, so the remembered figures
    # stand ...
    group = await db[Collection.STATISTICS].find_one({"counts.certificates_issued": {"$gt": 0}})
    assert group is not None
    await db[Collection.STATISTICS].update_one(
        {"_id": group["_id"]}, {"$inc": {"counts.certificates_issued": 100}}
    )
    assert await totals(db) == before
    assert await statistics.progress(db) == progress_before
    # ... until the next audited change, which brings it in with the change itself.
    await revocation.revoke(db, OFFICE, (await published_numbers(db))[1], "快照测试")
    after = await totals(db)
    assert after["certificates_issued"] == before["certificates_issued"] + 100
    assert after["certificates_revoked"] == before["certificates_revoked"] + 1
    # The rebuild (audited) puts the recount back, and the figures follow at once.
    await rebuild.rebuild(db)
    assert (await totals(db))["certificates_issued"] == before["certificates_issued"]


async def test_every_filter_is_answered_from_the_same_aggregate(db: Database) -> None:
    rows = await statistics.aggregate(db, [statistics.Dimension.PROVINCE])
    assert len(rows) >= 2
    for row in rows:
        only = await statistics.aggregate(db, [], statistics.StatsFilter(province=row.province))
        assert only[0].counts == row.counts


async def test_concurrent_requests_share_one_computation(db: Database) -> None:
    await revocation.revoke(db, OFFICE, (await published_numbers(db))[3], "快照测试")
    calls = 0

    async def compute() -> int:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)  # long enough for the others to arrive while it runs
        return calls

    answers = await asyncio.gather(
        *(snapshot.remembered(db, "test-shared", compute) for _ in range(5))
    )
    assert answers == [1] * 5 and calls == 1
