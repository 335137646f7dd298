"""Occupations (both editions' codes, their directions) by field, and the national standards:
`resolvers.catalogue`, as the API lists them."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from resolvers import catalogue as rc
from service.pages.answers import page
from service.pages.context import LIST_COST, context, spend
from service.pages.render import respond

PAGE_SIZE = 50


@page
async def occupations(request: Request) -> Response:
    await spend(request, points=LIST_COST)
    ctx = context(request)
    params = request.query_params
    field = params.get("field") or None
    found = await rc.occupations(
        ctx,
        field=field,
        search=params.get("search") or None,
        first=PAGE_SIZE,
        after=params.get("after") or None,
    )
    return respond(
        request,
        "occupations.html",
        page=found,
        total=await found.count(),
        fields=await rc.fields(ctx),
        levels=await rc.levels(ctx),
        chosen={"field": field or "", "search": params.get("search", "")},
        next_cursor=found.items[-1][0] if found.has_next_page else None,
    )


@page
async def standards(request: Request) -> Response:
    await spend(request, points=LIST_COST)
    ctx = context(request)
    found = await rc.standards(ctx, None)
    codes = sorted({code for s in found for code in s.occupations})
    named = {code: await rc.occupation_by_key(ctx, code) for code in codes}
    return respond(
        request,
        "standards.html",
        standards=found,
        occupation_names={c: o.name for c, o in named.items() if o},
    )


routes = [
    Route("/occupations", occupations, methods=["GET"]),
    Route("/standards", standards, methods=["GET"]),
]
