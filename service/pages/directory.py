"""The two directories (training and evaluation institutions) with the API's filters — kind,
province, occupation (either edition's code), level, listed on a day, in publicity, search — and
paging by the API's cursors; every list and count comes from `resolvers.institutions`."""

from __future__ import annotations

import datetime as dt
from typing import Final

from starlette.datastructures import QueryParams
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from resolvers import catalogue as rc
from resolvers import institutions as ri
from resolvers.api import ArgumentError, DirectoryFilter, Kind, today
from resolvers.context import Context
from service.pages.answers import page
from service.pages.context import LIST_COST, context, spend
from service.pages.render import respond

PAGE_SIZE: Final = 20
FILTERS: Final = ("kind", "province", "occupation", "level", "listed_on", "in_publicity", "search")


def _choice(params: QueryParams, name: str, allowed: dict[str, object], code: str) -> object:
    text = params.get(name, "")
    if text == "":
        return None
    if text not in allowed:
        raise ArgumentError(f"`{name}` is not one of {', '.join(allowed)}", code, argument=name)
    return allowed[text]


def _date(params: QueryParams, name: str) -> dt.date | None:
    text = params.get(name, "")
    if text == "":
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise ArgumentError(
            f"`{name}` is a date, YYYY-MM-DD", "INVALID_DATE", argument=name
        ) from None


async def directory_filter(ctx: Context, params: QueryParams) -> DirectoryFilter:
    """The API's `institutions` filter from the query string, each value checked as the API
    checks it (the same codes)."""
    province = params.get("province") or None
    if province is not None and province not in {p.code for p in await rc.provinces(ctx)}:
        raise ArgumentError(
            "`province` is a two-digit code (GB/T 2260)", "UNKNOWN_PROVINCE", argument="province"
        )
    kind = _choice(params, "kind", {k.value: k for k in Kind}, "INVALID_KIND")
    level = _choice(params, "level", {"1": 1, "2": 2, "3": 3}, "INVALID_LEVEL")
    publicity = _choice(params, "in_publicity", {"1": True}, "INVALID_ARGUMENT")
    return DirectoryFilter(
        kind=kind if isinstance(kind, Kind) else None,
        province=province,
        occupation=await ri.resolve_occupation(ctx, params.get("occupation") or None),
        level=level if isinstance(level, int) else None,
        listed_on=_date(params, "listed_on"),
        search=params.get("search") or None,
        in_publicity=True if publicity else None,
    )


@page
async def institutions(request: Request) -> Response:
    await spend(request, points=LIST_COST)
    ctx = context(request)
    params = request.query_params
    found = await ri.institutions(
        ctx, await directory_filter(ctx, params), first=PAGE_SIZE, after=params.get("after") or None
    )
    occupations = await rc.occupations(ctx, field=None, search=None, first=100, after=None)
    return respond(
        request,
        "directory.html",
        page=found,
        total=await found.count(),
        chosen={name: params.get(name, "") for name in FILTERS},
        provinces=await rc.provinces(ctx),
        occupations=[occ for _, occ in occupations.items],
        kinds=[k.value for k in Kind],
        today=today(),
        next_cursor=found.items[-1][0] if found.has_next_page else None,
    )


routes = [Route("/institutions", institutions, methods=["GET"])]
