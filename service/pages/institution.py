"""An institution's public page: its scope, listing periods, fees with their changes and effective
days, the priority it claimed in the selection, history, annual reports with those overdue, and
metrics, and — while its publicity takes objections — the end date and a form to lodge one,
which calls the same resolver as the GraphQL `lodgeObjection` mutation."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from resolvers import catalogue as rc
from resolvers import institutions as ri
from resolvers import loaders
from resolvers import training as rt
from resolvers.api import ArgumentError, Institution, NotFound, Rejected, today, whole_number
from resolvers.context import Context
from service.pages.answers import page, read_form, written_back
from service.pages.context import READ_COST, context, spend
from service.pages.render import respond

FIRST_YEAR = 2021


def _year(request: Request) -> int:
    text = request.query_params.get("year", "")
    if text == "":
        return today().year
    year = whole_number(text, 4)
    if year is None or not FIRST_YEAR <= year <= today().year:
        raise ArgumentError(
            f"`year` is a year from {FIRST_YEAR} to this one", "INVALID_YEAR", argument="year"
        )
    return year


async def _institution(ctx: Context, uscc: str) -> Institution:
    found = await ri.institution(ctx, uscc)
    if found is None:
        raise NotFound("no institution with this code", code="INSTITUTION_NOT_FOUND")
    return found


async def _page(
    request: Request,
    ctx: Context,
    inst: Institution,
    *,
    status: int = 200,
    private: bool = False,
    lodged: str | None = None,
    problems: tuple[str, ...] = (),
    text: str = "",
) -> Response:
    year = _year(request)
    scope_codes = sorted({entry.occupation for entry in inst.scope})
    occupations = await loaders.occupations_by_code(ctx, scope_codes)
    reports = (await loaders.reports_by_institution(ctx, [inst.uscc]))[0]
    return respond(
        request,
        "institution.html",
        status=status,
        private=private,
        inst=inst,
        status_now=inst.effective_status(today()),
        takes_objections=inst.takes_objections(today()),
        province_names={p.code: p.name for p in await rc.provinces(ctx)},
        sector_name=ri.sector_name(inst.sector),
        occupation_names={c: o.name for c, o in zip(scope_codes, occupations, strict=True) if o},
        reports=reports,
        # The same derivation as GraphQL's `overdueReports` (notice 四(六)1).
        overdue=ri.overdue_reports(inst, reports),
        metrics=await rt.institution_metrics(ctx, inst.uscc, year),
        year=year,
        years=list(range(today().year, FIRST_YEAR - 1, -1)),
        lodged=lodged,
        problems=problems,
        text=text,
    )


@page
async def institution(request: Request) -> Response:
    await spend(request, points=READ_COST)
    ctx = context(request)
    return await _page(request, ctx, await _institution(ctx, request.path_params["uscc"]))


@page
async def objection(request: Request) -> Response:
    """Lodge an objection: the GraphQL mutation's resolver, its problems shown by the form."""
    form = await read_form(request)
    await spend(request, points=READ_COST)
    ctx = context(request)
    uscc = request.path_params["uscc"]
    text = form.get("text", "")
    try:
        lodged = await ri.lodge_objection(ctx, uscc, text)
    except Rejected as rejected:
        inst = await _institution(ctx, uscc)
        codes = tuple(p.code for p in rejected.problems)
        return await _page(
            request, ctx, inst, status=400, private=True, problems=codes, text=written_back(text)
        )
    done = lodged.value
    assert done is not None  # a refusal is raised, never returned
    return await _page(request, ctx, done.institution, private=True, lodged=done.objection_id)


routes = [
    Route("/institutions/{uscc}", institution, methods=["GET"]),
    Route("/institutions/{uscc}/objection", objection, methods=["POST"]),
]
