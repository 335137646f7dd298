"""Idempotent creates of supervision under concurrent retries: one announcement per key, one
finding per campaign and institution, whatever the order the requests arrive in."""

from __future__ import annotations

import asyncio

import pytest

from registry.problems import Rejected
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.supervision import campaigns, findings
from tests.factories import make_uscc
from tests.registry.supervision.campaign_cases import (
    ANNOUNCED,
    OFFICE,
    campaign_of_35,
    directory_of_35,
)

LISTED = [make_uscc(700 + i) for i in range(2)]


def spec(key: str) -> campaigns.CampaignInput:
    return campaign_of_35(key, 2)


@pytest.fixture(scope="module", autouse=True)
async def directory_and_roster(db: Database) -> None:
    await directory_of_35(db, LISTED, ["RC-0000", "RC-0001"])


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
