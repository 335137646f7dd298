"""The answers every page handler shares: reading a form, a refused request as a page with its
stable code, and a handler wrapper that turns domain and client errors into those pages."""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from typing import Final

from starlette.requests import Request
from starlette.responses import Response

from credentials import holds_id_number
from resolvers.api import Conflict, Forbidden, InvalidInput, NotFound
from service.client_text import form_fields
from service.http_problem import HttpProblem
from service.pages.context import Throttled
from service.pages.render import respond
from service.request_body import read_body

# A form of the pages is a few short fields; anything larger is refused unread.
MAX_FORM_BYTES: Final = 16_384
FORM: Final = "application/x-www-form-urlencoded"

Handler = Callable[[Request], Awaitable[Response]]


class PageProblem(Exception):
    """A request refused with `status` and a stable `code` (shown on the page)."""

    def __init__(self, status: int, code: str, detail: str = "") -> None:
        super().__init__(code)
        self.status, self.code, self.detail = status, code, detail


async def read_form(request: Request) -> dict[str, str]:
    """The posted form's fields (the last value of each), as typed; text that is not valid
    Unicode is HttpProblem 400 `BAD_REQUEST` (shown as a page by `page`)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != FORM:
        raise PageProblem(415, "UNSUPPORTED_MEDIA_TYPE")
    raw = await read_body(request, MAX_FORM_BYTES, request.app.state.api.body_timeout_s)
    return form_fields(raw)


def written_back(value: str) -> str:
    """A field a refused form shows again: as typed, unless it may hold an ID number (typed into
    the wrong box), which no page shows."""
    return "" if holds_id_number(value) else value


def problem_page(
    request: Request, status: int, code: str, detail: str = "", **headers: str
) -> Response:
    return respond(
        request,
        "problem.html",
        status=status,
        private=True,
        headers=headers,
        status_code=status,
        code=code,
        detail=detail,
    )


def _status(error: Exception) -> int:
    for kind, status in ((NotFound, 404), (Forbidden, 403), (Conflict, 409)):
        if isinstance(error, kind):
            return status
    return 400  # InvalidInput: the client's mistake, with its code


def page(handler: Handler) -> Handler:
    """`handler`, its client errors shown as pages with their codes (never a 500 for them)."""

    @functools.wraps(handler)
    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except Throttled as throttled:
            retry = str(throttled.decision.retry_after)
            return problem_page(request, 429, "THROTTLED", **{"retry-after": retry})
        except PageProblem as p:
            return problem_page(request, p.status, p.code, p.detail)
        except HttpProblem as p:  # the body reader's limits
            return problem_page(request, p.status, p.code)
        except (InvalidInput, NotFound, Forbidden, Conflict) as error:
            return problem_page(request, _status(error), error.code, error.message)

    return wrapped
