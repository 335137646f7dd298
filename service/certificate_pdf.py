"""`/certificate.pdf`: the printable certificate (专业技术等级证书) as a one-page A4 PDF, found by
its number and the holder's name under the same rules as the GraphQL look-up
(`certificate(number, holderName)`): the same domain function and look-up cache, the same
personal allowance (one look-up a download) and `Cache-Control: no-store`.

| route                          | parameters                                   | answer            |
| ------------------------------ | -------------------------------------------- | ----------------- |
| `POST /certificate.pdf`        | form body (`application/x-www-form-urlencoded`): `number`, `holderName` | the PDF, no-store |
| `GET /certificate.pdf`         | query string: `number`, `holderName`          | the PDF, no-store |
| `HEAD /certificate.pdf`        | —                                            | 405 `METHOD_NOT_ALLOWED`, `Allow: GET, POST` |

POST is what a page's download button sends, so that the name lands in no URL, browser history
or proxy log (the registry's own access log never carries a query string). An unknown number,
an unpublished certificate and another holder's name all answer the same 404 `NOT_FOUND`.
Errors are JSON, `{"errors": [{"message", "extensions": {"code"}}]}`, as `/graphql` refuses a
request. The page is drawn by `registry.printing.certificate_pdf` (docs/printing.md).

HEAD is not served (Starlette adds it to every GET route; this one takes it off): its headers
would cost what the GET costs, a personal look-up and a second of a core to draw the PDF, only
to say its length, and a link checker's HEAD would spend a holder's look-ups for nothing.
"""

from __future__ import annotations

import asyncio
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.certificates.numbers import CertificateNumberError
from registry.certificates.printable import CertificateRevoked, printable
from registry.printing.certificate_pdf import render
from registry.printing.fonts import FontMissing
from service.client_text import form_fields
from service.http_problem import HttpProblem
from service.pages.context import Throttled, spend
from service.request_body import read_body

__all__ = ["routes"]

MAX_BODY: Final = 4096  # a number and a name, form-encoded
BODY_TIMEOUT_S: Final = 10.0
POINTS: Final = 10  # of the hourly query allowance: a PDF costs about a second of one core
FORM: Final = "application/x-www-form-urlencoded"


async def _parameters(request: Request) -> dict[str, str]:
    """`number` and `holderName` from the query string (GET) or the form body (POST)."""
    if request.method != "POST":  # GET: the route takes no other method (`routes`)
        return dict(request.query_params)
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != FORM:
        raise HttpProblem(415, "UNSUPPORTED_MEDIA_TYPE", f"send the form as {FORM}")
    return form_fields(await read_body(request, MAX_BODY, BODY_TIMEOUT_S))


def _required(params: dict[str, str], name: str) -> str:
    value = params.get(name, "")
    if not value.strip():
        raise HttpProblem(400, "BAD_REQUEST", f"`{name}` is required")
    return value


async def _spend(request: Request) -> None:
    """One personal look-up and `POINTS` query points, from the allowances `/graphql` and the
    pages spend (`service.pages.context.spend`)."""
    try:
        await spend(request, points=POINTS, personal=1)
    except Throttled as throttled:
        decision = throttled.decision
        raise HttpProblem(
            429,
            "THROTTLED",
            f"the allowance of {decision.limit} per window is spent; retry after the reset",
            rate=decision,
        ) from None


async def _pdf(request: Request) -> tuple[str, bytes]:
    """The certificate's number (as the look-up normalised it) and its PDF."""
    params = await _parameters(request)
    number, holder_name = _required(params, "number"), _required(params, "holderName")
    await _spend(request)
    state: Any = request.app.state
    try:
        found = await printable(
            state.db, number, holder_name, state.settings.base_url, state.certificates
        )
    except (CertificateNumberError, CertificateRevoked) as error:
        status = 409 if isinstance(error, CertificateRevoked) else 400
        raise HttpProblem(status, error.code, error.message) from None
    if found is None:
        raise HttpProblem(404, "NOT_FOUND", "no certificate with this number and name")
    try:
        return found.number, await asyncio.to_thread(render, found)
    except FontMissing as error:
        raise HttpProblem(503, error.code, error.message) from None


async def certificate_pdf(request: Request) -> Response:
    try:
        number, pdf = await _pdf(request)
    except HttpProblem as problem:
        return problem.response()
    return Response(
        pdf,
        media_type="application/pdf",
        headers={
            "cache-control": "no-store",
            "content-disposition": f'attachment; filename="certificate-{number}.pdf"',
        },
    )


def _get_and_post(route: Route) -> Route:
    """`route` for GET and POST only: without the HEAD Starlette adds to a GET route, so that a
    HEAD is the app's 405 naming `Allow: GET, POST` (`service/app.py`)."""
    assert route.methods is not None
    route.methods.discard("HEAD")
    return route


routes = [_get_and_post(Route("/certificate.pdf", certificate_pdf, methods=["GET", "POST"]))]
