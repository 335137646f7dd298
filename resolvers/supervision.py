"""Resolvers of supervision (双随机、一公开): thin calls into `registry.supervision`."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from registry.errors import Forbidden, NotFound
from registry.problems import Problem, Rejected
from registry.supervision import campaigns, findings, roster
from registry.supervision.policy import decide
from registry.supervision.rules import Action
from resolvers.auth import principal
from resolvers.context import Context
from resolvers.errors import PublicError, public
from resolvers.pagination import check_first, decode_cursor, encode_cursor

CURSOR_KIND = "campaign"
T = TypeVar("T")


@dataclass
class Outcome:
    value: Any = None
    replayed: bool = False
    problems: list[Problem] = field(default_factory=list)


async def _run(work: Callable[[], Awaitable[T]]) -> Outcome:
    try:
        return Outcome(value=await work())
    except Rejected as rejected:
        return Outcome(problems=list(rejected.problems))
    except (Forbidden, NotFound) as error:
        raise public(error) from None


async def add_inspector(
    ctx: Context, name: str, province: str, badge: str, affiliation: str | None
) -> Outcome:
    who = await principal(ctx)
    return await _run(
        lambda: roster.add(
            ctx.db, who, name=name, province=province, badge=badge, affiliation=affiliation
        )
    )


async def retire_inspector(ctx: Context, inspector_id: str) -> Outcome:
    who = await principal(ctx)
    return await _run(lambda: roster.retire(ctx.db, who, inspector_id))


async def inspectors(ctx: Context, province: str | None) -> list[roster.RosterEntry]:
    return await roster.listing(ctx.db, province, viewer=await principal(ctx))


async def announce(ctx: Context, spec: campaigns.CampaignInput) -> Outcome:
    who = await principal(ctx)
    outcome = await _run(lambda: campaigns.announce(ctx.db, who, spec))
    if outcome.value is not None:
        outcome.value, outcome.replayed = outcome.value
    return outcome


async def draw(ctx: Context, cid: str, seed: str) -> Outcome:
    who = await principal(ctx)
    return await _run(lambda: campaigns.draw_campaign(ctx.db, who, cid, seed))


async def record_finding(ctx: Context, spec: findings.FindingInput) -> Outcome:
    who = await principal(ctx)
    return await _run(lambda: findings.record(ctx.db, who, spec))


async def publish_results(ctx: Context, cid: str, summary: str | None) -> Outcome:
    who = await principal(ctx)
    return await _run(lambda: campaigns.publish_results(ctx.db, who, cid, summary))


async def campaign(ctx: Context, cid: str) -> campaigns.Campaign | None:
    return await campaigns.get(ctx.db, cid, viewer=await principal(ctx))


async def campaign_page(
    ctx: Context, year: int | None, first: int, after: str | None
) -> tuple[list[tuple[str, campaigns.Campaign]], bool, bool]:
    check_first(first)
    after_key = decode_cursor(CURSOR_KIND, after)
    viewer = await principal(ctx)
    items, more = await campaigns.page(
        ctx.db, year=year, limit=first, after=after_key, viewer=viewer
    )
    return [(encode_cursor(CURSOR_KIND, c.id), c) for c in items], more, after_key is not None


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
        first = rejected.problems[0]
        raise PublicError(first.message, first.code, argument="id") from None
    except NotFound as error:
        raise public(error) from None
