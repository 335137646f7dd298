"""Supervision campaigns (双随机、一公开) and their draws: the announcement (seed source, earliest
moment, population digest), the seed, the selection and the findings once published, all from
`resolvers.supervision`."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from resolvers import institutions as ri
from resolvers import supervision as rs
from resolvers.api import NotFound
from service.pages.answers import page
from service.pages.context import LIST_COST, READ_COST, context, spend
from service.pages.render import respond

PAGE_SIZE = 20


@page
async def campaigns(request: Request) -> Response:
    await spend(request, points=LIST_COST)
    ctx = context(request)
    found = await rs.campaign_page(ctx, None, PAGE_SIZE, request.query_params.get("after") or None)
    return respond(
        request,
        "campaigns.html",
        page=found,
        total=await found.count(),
        next_cursor=found.items[-1][0] if found.has_next_page else None,
    )


@page
async def campaign(request: Request) -> Response:
    await spend(request, points=READ_COST)
    ctx = context(request)
    found = await rs.campaign(ctx, request.path_params["cid"])
    if found is None:
        raise NotFound("no campaign with this id", code="CAMPAIGN_NOT_FOUND")
    selected = [a.uscc for a in found.selection or ()]
    names = {}
    for uscc in selected:
        inst = await ri.institution(ctx, uscc)
        names[uscc] = inst.name if inst else uscc
    return respond(
        request,
        "campaign.html",
        campaign=found,
        names=names,
        findings=await rs.campaign_findings(ctx, found.id, found.status.value),
    )


routes = [
    Route("/campaigns", campaigns, methods=["GET"]),
    Route("/campaigns/{cid}", campaign, methods=["GET"]),
]
