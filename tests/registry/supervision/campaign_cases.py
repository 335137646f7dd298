"""What the supervision tests share: a directory of province 35 with a roster, and campaigns
announced two hours back whose seed exists from one hour back, so they can be drawn now."""

from __future__ import annotations

import datetime as dt

from registry.access.auth import Principal, Role
from registry.calendar import clock
from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database
from registry.supervision import campaigns, roster
from registry.supervision.draw import DrawRules
from tests.factories import listed_institution

OFFICE = Principal(Role.OFFICE_ADMIN, "t", "tok-office")
ANNOUNCED = clock.now().replace(microsecond=0) - dt.timedelta(hours=2)
SEED_EXISTS = ANNOUNCED + dt.timedelta(hours=1)


async def directory_of_35(db: Database, listed: list[str], badges: list[str]) -> None:
    """`listed` on the directory (evaluation, province 35), one inspector of 35 per badge."""
    await catalogue.seed_reference(db)
    for uscc in listed:
        await listed_institution(db, uscc)
    for i, badge in enumerate(badges):
        await roster.add(db, OFFICE, name=f"检查员{i}", province="35", badge=badge)


def campaign_of_35(
    key: str, sample: int, *, corrects: str | None = None, reason: str | None = None
) -> campaigns.CampaignInput:
    """An announcement over the evaluation institutions of 35 listed the day before, one
    inspector each."""
    rules = DrawRules(("EVALUATION",), ("35",), ANNOUNCED.date() - dt.timedelta(days=1), sample, 1)
    year = clock.today().year
    return campaigns.CampaignInput(
        key, "抽查", year, "公告后的开奖号码", rules, SEED_EXISTS, corrects, reason
    )


async def announce(db: Database, spec: campaigns.CampaignInput) -> campaigns.Campaign:
    """`spec` announced by the office at ANNOUNCED."""
    campaign, _ = await campaigns.announce(db, OFFICE, spec, now=ANNOUNCED)
    return campaign
