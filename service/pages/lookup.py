"""Certificate look-up by number and name, and by ID number and name: POST forms, so no personal
value lands in a URL, an access-log line or the browser's history. Each submission is one use of
the personal allowance shared with `/graphql`; every answer is `no-store`. An unknown number and
a wrong name answer the same page. The ID number is never written back into a page, nor is
anything that may be one typed into another field."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from resolvers import certificates as rcert
from resolvers.api import CertificateNumberError, IdNumberError
from service.pages.answers import page, read_form, written_back
from service.pages.certificate_view import view
from service.pages.context import READ_COST, context, spend
from service.pages.render import respond

MAX_FIELD = 200  # longer than any name or number: refused before the look-up


def _fields(form: dict[str, str], names: tuple[str, ...]) -> tuple[dict[str, str], dict[str, str]]:
    """The named fields, trimmed, and an error code per field that is missing or too long."""
    values = {n: form.get(n, "").strip() for n in names}
    errors = {n: "REQUIRED" for n, v in values.items() if not v}
    errors |= {n: "TOO_LONG" for n, v in values.items() if len(v) > MAX_FIELD}
    return values, errors


@page
async def lookup_form(request: Request) -> Response:
    return respond(request, "lookup.html", form="", values={}, errors={})


@page
async def by_number(request: Request) -> Response:
    form = await read_form(request)
    await spend(request, points=READ_COST, personal=1)
    values, errors = _fields(form, ("number", "name"))
    if errors:
        return _refused(request, "number", values, errors)
    try:
        found = await rcert.by_number(context(request), values["number"], values["name"])
    except CertificateNumberError as error:
        return _refused(request, "number", values, {"number": error.code})
    if found is None:
        return respond(request, "lookup_result.html", private=True, certificates=[])
    shown = [await view(context(request), found)]
    return respond(request, "lookup_result.html", private=True, certificates=shown)


@page
async def by_holder(request: Request) -> Response:
    form = await read_form(request)
    await spend(request, points=READ_COST, personal=1)
    values, errors = _fields(form, ("id_number", "name"))
    values["id_number"] = ""  # never written back into a page
    if errors:
        return _refused(request, "holder", values, errors)
    ctx = context(request)
    try:
        found = await rcert.by_holder(ctx, form["id_number"].strip(), values["name"])
    except IdNumberError as error:
        return _refused(request, "holder", values, {"id_number": error.code})
    shown = [await view(ctx, cert) for cert in found]
    return respond(request, "lookup_result.html", private=True, certificates=shown)


def _refused(
    request: Request, form: str, values: dict[str, str], errors: dict[str, str]
) -> Response:
    """The form again, each field's problem next to it (400, no-store), without what may be an ID
    number (typed into the number field, say)."""
    values = {k: written_back(v) for k, v in values.items()}
    return respond(
        request,
        "lookup.html",
        status=400,
        private=True,
        form=form,
        values=values,
        errors=errors,
    )


routes = [
    Route("/lookup", lookup_form, methods=["GET"]),
    Route("/lookup/number", by_number, methods=["POST"]),
    Route("/lookup/holder", by_holder, methods=["POST"]),
]
