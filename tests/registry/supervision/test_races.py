"""Idempotent creates of supervision under concurrent retries: one announcement per key, one
finding per campaign and institution, whatever the order the requests arrive in."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from registry.access.auth import Principal, Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.problems import Rejected
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.supervision import campaigns, findings, roster
from registry.supervision.draw import DrawRules
from tests.factories import listed_institution, make_uscc

OFFICE = Principal(Role.OFFICE_ADMIN, "t", "tok-office")
LISTED = [make_uscc(700 + i) for i in range(2)]
TODAY = clock.today()
ANNOUNCED = clock.now().replace(microsecond=0) - dt.timedelta(hours=2)


def spec(key: str) -> campaigns.CampaignInput:
    rules = DrawRules(("EVALUATION",), ("35",), TODAY - dt.timedelta(days=5), 2, 1)
    seed_exists = ANNOUNCED + dt.timedelta(hours=1)
    return campaigns.CampaignInput(
        key, "并发抽查", TODAY.year, "公告次日的开奖号码", rules, seed_exists
    )


@pytest.fixture(scope="module", autouse=True)
async def directory_and_roster(db: Database) -> None:
    await catalogue.seed_reference(db)
    for uscc in LISTED:
        await listed_institution(db, uscc)
    for i in range(2):
        await roster.add(db, OFFICE, name=f"检查员{i}", province="35", badge=f"RC-{i:04d}")


async def _entries(db: Database, action: str) -> int:
    return await db[Collection.AUDIT_LOG].count_documents({"action": action})


async def test_concurrent_announcements_with_one_key_make_one_campaign(db: Database) -> None:
    outcomes = await asyncio.gather(
        *(campaigns.announce(db, OFFICE, spec("race-campaign-01"), now=ANNOUNCED) for _ in range(6))
    )
    assert len({c.id for c, _ in outcomes}) == 1
    assert sorted(replayed for _, replayed in outcomes) == [False] + [True] * 5
    assert await db[Collection.SUPERVISION_CAMPAIGNS].count_documents({}) == 1
    assert await _entries(db, "supervision.announce") == 1


async def test_concurrent_findings_make_one_and_refuse_the_different_ones(db: Database) -> None:
    campaign, _ = await campaigns.announce(db, OFFICE, spec("race-campaign-02"), now=ANNOUNCED)
    drawn = await campaigns.draw_campaign(db, OFFICE, campaign.id, "seed-race")
    first, second = (a.uscc for a in drawn.selection or ())
    same = findings.FindingInput(
        campaign.id, first, findings.Outcome.COMPLIANT, findings.Action.NONE, ""
    )
    answers = await asyncio.gather(*(findings.record(db, OFFICE, same) for _ in range(6)))
    assert len(set(answers)) == 1
    assert await _entries(db, "supervision.recordFinding") == 1

    def deficient(details: str) -> findings.FindingInput:
        return findings.FindingInput(
            campaign.id, second, findings.Outcome.DEFICIENT, findings.Action.RECTIFY, details
        )

    results = await asyncio.gather(
        *(findings.record(db, OFFICE, deficient(f"问题{i}")) for i in range(4)),
        return_exceptions=True,
    )
    recorded = [r for r in results if isinstance(r, findings.Finding)]
    refused = [r for r in results if isinstance(r, Rejected)]
    assert len(recorded) == 1 and len(refused) == 3, results
    assert {r.code for r in refused} == {"FINDING_EXISTS"}
    assert await db[Collection.SUPERVISION_FINDINGS].count_documents({"institution": second}) == 1
