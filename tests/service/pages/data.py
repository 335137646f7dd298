"""The registry the page tests read: the demo (institutions, one in publicity, published
certificates with one revoked) and a supervision campaign announced and drawn, built once per
test module through the domain's own functions."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pytest

from registry.access.auth import Principal, Role
from registry.access.personal import PersonalData
from registry.calendar import clock
from registry.demo import certificates as demo_certificates
from registry.demo import directory as demo
from registry.institutions import fees
from registry.institutions.application import FeeInput
from registry.institutions.model import PriorityBasis, Status
from registry.settings import Settings
from registry.storage.db import Database
from registry.supervision import campaigns, roster
from registry.supervision.draw import DrawRules
from tests.factories import GENERATED_ID_NUMBERS, listed_institution, make_uscc

OFFICE = Principal(Role.OFFICE_ADMIN, "t", "tok-office")


@dataclass(frozen=True)
class PagesData:
    number: str  # a valid published certificate
    name: str  # its holder's name
    card: str  # its holder's ID number (never to appear in a page)
    revoked: str  # a revoked certificate's number
    revoked_name: str
    publicity: str  # USCC of an institution whose publicity takes objections today
    listed: str  # USCC of a listed evaluation institution
    campaign: str  # id of a drawn campaign
    obliged: str  # USCC of a listed institution with overdue reports, a fee change and priority


async def _campaign(db: Database) -> str:
    announced = clock.now().replace(microsecond=0) - dt.timedelta(hours=2)
    for i in range(2):
        await roster.add(db, OFFICE, name=f"检查员{i}", province="11", badge=f"BJ-{i:04d}")
    rules = DrawRules(("EVALUATION", "TRAINING"), (), announced.date() - dt.timedelta(days=1), 2, 1)
    spec = campaigns.CampaignInput(
        "pages-campaign-1",
        "2026 年数字技术工程师培育项目机构抽查",
        clock.today().year,
        "公告后的福利彩票开奖号码",
        rules,
        announced + dt.timedelta(hours=1),
    )
    campaign, _ = await campaigns.announce(db, OFFICE, spec, now=announced)
    await campaigns.draw_campaign(db, OFFICE, campaign.id, "2026-12-04 开奖 03 07 12 19 25 31")
    return campaign.id


OBLIGED_EVIDENCE = "《人工智能工程技术人员国家职业技术技能标准》起草单位"


async def _obliged(db: Database) -> str:
    """A listed evaluation institution that claimed priority (standard developer), listed two
    years ago and has sent no annual report since (so some are overdue), whose fees changed
    today."""
    uscc = make_uscc(1650)
    await listed_institution(
        db,
        uscc,
        filed=f"{clock.today().year - 2}-01-10",
        priority=PriorityBasis.STANDARD_DEVELOPER,
        priority_evidence=OBLIGED_EVIDENCE,
    )
    me = Principal(Role.EVALUATION_INSTITUTION, "t", "t-inst", institution=uscc)
    change = [FeeInput("考核费", 880.0, "人次")]
    await fees.change_fees(db, me, uscc, change, clock.today(), "按服务成本调整")
    return uscc


async def build(db: Database, settings: Settings) -> PagesData:
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REGISTRY_DEMO_CERTIFICATES", "8")
        await demo.seed_demo(db, settings)
        await demo_certificates.seed_certificates(db, settings)
    valid = await db.certificates.find_one({"status": "PUBLISHED"}, sort=[("_id", 1)])
    revoked = await db.certificates.find_one({"status": "REVOKED"})
    assert valid is not None and revoked is not None
    result = await db.results.find_one({"batch": valid["batch"], "id_hash": valid["id_hash"]})
    assert result is not None
    card = PersonalData(settings.master_key()).decrypt(result["id_enc"])
    # The privacy sweep (tests/privacy.py) then looks for it in every page and log line served.
    GENERATED_ID_NUMBERS.add(card)
    today = clock.today().isoformat()
    publicity = await db.institutions.find_one(
        {"status": Status.PUBLICIZED.value, "publicity.end": {"$gte": today}}
    )
    listed = await db.institutions.find_one(
        {"status": Status.LISTED.value, "kind": "EVALUATION", "valid_until": {"$gt": today}}
    )
    assert publicity is not None and listed is not None
    return PagesData(
        number=valid["_id"],
        name=valid["name"],
        card=card,
        revoked=revoked["_id"],
        revoked_name=revoked["name"],
        publicity=publicity["_id"],
        listed=listed["_id"],
        campaign=await _campaign(db),
        obliged=await _obliged(db),
    )
