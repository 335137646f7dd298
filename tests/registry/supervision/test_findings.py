"""Findings against the notice's 六(三): a violation that ends a listing cannot end in a suspension
only. The minimum consequence of each violation kind is one table
(`registry.supervision.rules.MINIMUM_CONSEQUENCE`); a finding lighter than it is refused before
anything is stored, and the consequence it requires runs on the directory."""

from __future__ import annotations

import pytest

from registry.institutions import directory
from registry.institutions.model import Status, Violation
from registry.problems import Rejected
from registry.storage.collections import Collection
from registry.storage.db import Database
from registry.supervision import campaigns, findings
from registry.supervision.rules import MINIMUM_CONSEQUENCE, FindingAction, Outcome
from tests.factories import make_uscc
from tests.registry.supervision.campaign_cases import (
    OFFICE,
    announce,
    campaign_of_35,
    directory_of_35,
)

LISTED = [make_uscc(600 + i) for i in range(8)]


@pytest.fixture(scope="module", autouse=True)
async def directory_and_roster(db: Database) -> None:
    await directory_of_35(db, LISTED, ["VF-0000", "VF-0001"])


async def _drawn(db: Database, key: str) -> campaigns.Campaign:
    campaign = await announce(db, campaign_of_35(key, 8))
    return await campaigns.draw_campaign(db, OFFICE, campaign.id, f"seed {key}")


def test_every_violation_of_the_notice_ends_the_listing() -> None:
    # 六(三): "一经调查核实，则退出……目录" for every violation it lists.
    assert set(MINIMUM_CONSEQUENCE) == set(Violation)
    assert set(MINIMUM_CONSEQUENCE.values()) == {FindingAction.REMOVE}


@pytest.mark.parametrize("violation", list(Violation))
async def test_a_violation_closed_with_a_suspension_only_is_refused(
    db: Database, violation: Violation
) -> None:
    campaign = await _drawn(db, f"violation-{violation.value.lower()}"[:40])
    target = LISTED[list(Violation).index(violation)]
    light = findings.FindingInput(
        campaign.id, target, Outcome.VIOLATION, FindingAction.SUSPEND, "经调查核实", violation
    )
    audit_before = await db[Collection.AUDIT_LOG].count_documents({})
    with pytest.raises(Rejected) as caught:
        await findings.record(db, OFFICE, light)
    assert [(p.field, p.code) for p in caught.value.problems] == [
        ("action", "CONSEQUENCE_BELOW_MINIMUM")
    ]
    for lighter in (FindingAction.NONE, FindingAction.RECTIFY):
        with pytest.raises(Rejected) as caught:
            await findings.record(
                db,
                OFFICE,
                findings.FindingInput(
                    campaign.id, target, Outcome.VIOLATION, lighter, "经调查核实", violation
                ),
            )
        assert [p.code for p in caught.value.problems] == ["CONSEQUENCE_BELOW_MINIMUM"]
    # Nothing stored, nothing audited, the directory unchanged.
    assert await db[Collection.SUPERVISION_FINDINGS].count_documents({"institution": target}) == 0
    assert await db[Collection.AUDIT_LOG].count_documents({}) == audit_before
    institution = await directory.get(db, target)
    assert institution is not None and institution.status is Status.LISTED


async def test_the_required_consequence_applies_to_the_directory_even_after_a_suspension(
    db: Database,
) -> None:
    # Suspended first (a deficiency found in one campaign), then a violation confirmed in the
    # next: the removal runs from SUSPENDED.
    target = LISTED[7]
    first = await _drawn(db, "violation-after-suspension-1")
    await findings.record(
        db,
        OFFICE,
        findings.FindingInput(
            first.id, target, Outcome.DEFICIENT, FindingAction.SUSPEND, "涉嫌转包，调查中"
        ),
    )
    suspended = await directory.get(db, target)
    assert suspended is not None and suspended.status is Status.SUSPENDED
    second = await _drawn(db, "violation-after-suspension-2")
    assert target in {a.uscc for a in second.selection or ()}
    finding = await findings.record(
        db,
        OFFICE,
        findings.FindingInput(
            second.id,
            target,
            Outcome.VIOLATION,
            FindingAction.REMOVE,
            "转包给目录外机构，经调查核实",
            Violation.SUBCONTRACTING,
        ),
    )
    assert finding.institution_status == Status.REMOVED.value
    removed = await directory.get(db, target)
    assert removed is not None and removed.status is Status.REMOVED
    assert removed.removal and removed.removal["violation"] == "SUBCONTRACTING"
