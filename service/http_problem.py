"""A request refused before (or instead of) execution: an HTTP status and a stable code."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response

from service.ratelimit import Decision


class HttpProblem(Exception):
    """`status` and `code` are the answer; `close` asks the server to drop the connection after
    it (the body was not read to its end); `rate` is the window that refused, for its headers;
    `allow` the methods a 405 names (its `Allow` header)."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        rate: Decision | None = None,
        *,
        close: bool = False,
        allow: str | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.rate = rate
        self.close = close
        self.allow = allow
        self.extensions = extensions

    def errors(self, **more: Any) -> dict[str, Any]:
        """The answer's JSON body, the shape every refused request has (GraphQL over HTTP):
        `{"errors": [{"message", "extensions": {"code", …}}]}`; `more` adds extensions."""
        extensions = {"code": self.code, **self.extensions, **more}
        return {"errors": [{"message": self.message, "extensions": extensions}]}

    def response(self, *, retry_after: int | None = None, **more: Any) -> Response:
        """The answer as plain JSON (`errors`, `more` added to its extensions), never cached;
        `Retry-After` from the refusing window or `retry_after`; `Connection: close` when
        `close`; `Allow` when `allow`."""
        headers = {"cache-control": "no-store"}
        wait = self.rate.retry_after if self.rate is not None else retry_after
        if wait is not None:
            headers["retry-after"] = str(wait)
        if self.close:
            headers["connection"] = "close"
        if self.allow is not None:
            headers["allow"] = self.allow
        return Response(
            json.dumps(self.errors(**more), ensure_ascii=False),
            self.status,
            headers,
            media_type="application/json; charset=utf-8",
        )
