"""A correction is a new campaign, never a second seed: it names the campaign it corrects and says
why, publicly; the corrected campaign takes no seed, finding or publication any more."""

from __future__ import annotations

import pytest

from registry.access.auth import Principal, Role
from registry.errors import Forbidden
from registry.problems import Rejected
from registry.storage.db import Database
from registry.supervision import campaigns, findings
from registry.supervision.rules import CampaignStatus, FindingAction, Outcome
from tests.factories import make_uscc
from tests.registry.supervision.campaign_cases import (
    ANNOUNCED,
    OFFICE,
    announce,
    campaign_of_35,
    directory_of_35,
)

PROV35 = Principal(Role.PROVINCIAL_REVIEWER, "t", "tok-35", province="35")
LISTED = [make_uscc(400 + i) for i in range(3)]


@pytest.fixture(scope="module", autouse=True)
async def directory_and_roster(db: Database) -> None:
    await directory_of_35(db, LISTED, ["CR-0001"])


async def _announce(
    db: Database, key: str, corrects: str | None = None, reason: str | None = None
) -> campaigns.Campaign:
    return await announce(db, campaign_of_35(key, 2, corrects=corrects, reason=reason))


async def test_a_correction_replaces_a_drawn_campaign_publicly(db: Database) -> None:
    wrong = await _announce(db, "correct-me-0001")
    drawn = await campaigns.draw_campaign(db, OFFICE, wrong.id, "copied wrongly")
    reason = "开奖号码抄录错误，按公告来源重新抽取"
    fix = await _announce(db, "correction-0001", corrects=wrong.id, reason=reason)
    assert fix.corrects == wrong.id and fix.correction_reason == reason
    assert fix.status is CampaignStatus.ANNOUNCED and fix.seed is None
    old = await campaigns.get(db, wrong.id)
    assert old is not None and old.status is CampaignStatus.CORRECTED
    assert old.corrected_by == fix.id and old.seed == "copied wrongly"
    assert old.selection == drawn.selection  # the corrected draw stays public as it was
    # The corrected campaign takes no other seed, no finding and no publication.
    with pytest.raises(Rejected) as caught:
        await campaigns.draw_campaign(db, OFFICE, wrong.id, "a better seed")
    assert caught.value.problems[0].code == "CAMPAIGN_CORRECTED"
    uscc = (drawn.selection or ())[0].uscc
    compliant = findings.FindingInput(wrong.id, uscc, Outcome.COMPLIANT, FindingAction.NONE, "")
    with pytest.raises(Rejected) as caught:
        await findings.record(db, OFFICE, compliant)
    assert caught.value.problems[0].code == "CAMPAIGN_CORRECTED"
    with pytest.raises(Rejected) as caught:
        await campaigns.publish_results(db, OFFICE, wrong.id, None)
    assert caught.value.problems[0].code == "CAMPAIGN_CORRECTED"
    # Corrected once: a second correction of it is refused; the announcement retried replays.
    with pytest.raises(Rejected) as caught:
        await _announce(db, "correction-0002", corrects=wrong.id, reason="again")
    assert caught.value.problems[0].code == "ILLEGAL_TRANSITION"
    retry = campaign_of_35("correction-0001", 2, corrects=wrong.id, reason=reason)
    again, replayed = await campaigns.announce(db, OFFICE, retry, now=ANNOUNCED)
    assert replayed and again.id == fix.id


async def test_a_correction_says_why_and_may_not_undo_inspections(db: Database) -> None:
    target = await _announce(db, "correct-me-0002")
    for corrects, reason, code in (
        (target.id, " ", "CORRECTION_REASON_REQUIRED"),
        (None, "a reason without a campaign", "CORRECTS_REQUIRED"),
    ):
        with pytest.raises(Rejected) as caught:
            await _announce(db, "correction-bad-01", corrects=corrects, reason=reason)
        assert [p.code for p in caught.value.problems] == [code]
    with pytest.raises(Forbidden):  # an office campaign is corrected by the office only
        await campaigns.announce(
            db,
            PROV35,
            campaign_of_35("correction-prov-01", 2, corrects=target.id, reason="x"),
            now=ANNOUNCED,
        )
    with pytest.raises(Forbidden):  # asked before the input is checked: who before what
        await campaigns.announce(
            db, PROV35, campaign_of_35("correction-prov-02", 0, corrects=target.id, reason="")
        )
    assert (await campaigns.get(db, target.id)).status is CampaignStatus.ANNOUNCED  # type: ignore[union-attr]
    inspected = await _announce(db, "correct-me-0003")
    drawn = await campaigns.draw_campaign(db, OFFICE, inspected.id, "inspected seed")
    uscc = (drawn.selection or ())[0].uscc
    await findings.record(
        db,
        OFFICE,
        findings.FindingInput(inspected.id, uscc, Outcome.COMPLIANT, FindingAction.NONE, ""),
    )
    with pytest.raises(Rejected) as caught:
        await _announce(db, "correction-bad-02", corrects=inspected.id, reason="too late")
    assert caught.value.problems[0].code == "FINDINGS_RECORDED"
    # Nothing was created by the refused corrections.
    for key in ("correction-bad-02", "correction-prov-01"):
        assert await db.supervision_campaigns.find_one({"idempotency_key": key}) is None
