"""Resolvers of supervision (双随机、一公开): thin calls into `registry.supervision`.

Mutations return an `Outcome`; domain errors pass through and are shown by `schema/errors.py`."""

from __future__ import annotations

from registry.problems import Rejected
from registry.supervision import campaigns, findings, roster
from registry.supervision.policy import decide
from registry.supervision.rules import Action
from resolvers.auth import principal
from resolvers.context import Context
from resolvers.errors import ArgumentError
from resolvers.outcome import Outcome
from resolvers.pagination import Page, check_first, decode_cursor, page

CURSOR_KIND = "campaign"


async def add_inspector(
    ctx: Context, name: str, province: str, badge: str, affiliation: str | None
) -> Outcome[roster.RosterEntry]:
    who = await principal(ctx)
    return Outcome(
        await roster.add(
            ctx.db, who, name=name, province=province, badge=badge, affiliation=affiliation
        )
    )


async def retire_inspector(ctx: Context, inspector_id: str) -> Outcome[roster.RosterEntry]:
    who = await principal(ctx)
    return Outcome(await roster.retire(ctx.db, who, inspector_id))


async def inspectors(ctx: Context, province: str | None) -> list[roster.RosterEntry]:
    return await roster.listing(ctx.db, province, viewer=await principal(ctx))


async def announce(ctx: Context, spec: campaigns.CampaignInput) -> Outcome[campaigns.Campaign]:
    who = await principal(ctx)
    campaign, replayed = await campaigns.announce(ctx.db, who, spec)
    return Outcome(campaign, replayed=replayed)


async def draw(ctx: Context, cid: str, seed: str) -> Outcome[campaigns.Campaign]:
    who = await principal(ctx)
    return Outcome(await campaigns.draw_campaign(ctx.db, who, cid, seed))


async def record_finding(ctx: Context, spec: findings.FindingInput) -> Outcome[findings.Finding]:
    who = await principal(ctx)
    return Outcome(await findings.record(ctx.db, who, spec))


async def publish_results(
    ctx: Context, cid: str, summary: str | None
) -> Outcome[campaigns.Campaign]:
    who = await principal(ctx)
    return Outcome(await campaigns.publish_results(ctx.db, who, cid, summary))


async def campaign(ctx: Context, cid: str) -> campaigns.Campaign | None:
    return await campaigns.get(ctx.db, cid, viewer=await principal(ctx))


async def campaign_page(
    ctx: Context, year: int | None, first: int, after: str | None
) -> Page[campaigns.Campaign]:
    check_first(first)
    after_key = decode_cursor(CURSOR_KIND, after)
    viewer = await principal(ctx)
    items, more = await campaigns.page(
        ctx.db, year=year, limit=first, after=after_key, viewer=viewer
    )
    return page(
        CURSOR_KIND,
        items,
        lambda c: c.id,
        more=more,
        after=after_key,
        count=lambda: campaigns.count(ctx.db, year=year, viewer=viewer),
    )


async def campaign_findings(ctx: Context, cid: str, status: str) -> list[findings.Finding] | None:
    """None (not an empty list) while the findings are not public to this caller."""
    who = await principal(ctx)
    if not decide(who, Action.VIEW_FINDINGS, {"status": status}).allowed:
        return None
    return await findings.for_campaign(ctx.db, cid)


async def redraw(ctx: Context, cid: str) -> campaigns.RedrawReport:
    try:
        return await campaigns.redraw(ctx.db, cid)
    except Rejected as rejected:
        # The campaign is named by the `id` the client gave; the problem's own field means
        # nothing to a reader of this field.
        first = rejected.problems[0]
        raise ArgumentError(first.message, first.code, argument="id") from None
