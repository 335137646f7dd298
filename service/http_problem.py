"""A request refused before (or instead of) execution: an HTTP status and a stable code."""

from __future__ import annotations

from typing import Any

from service.ratelimit import Decision


class HttpProblem(Exception):
    """`status` and `code` are the answer; `close` asks the server to drop the connection after
    it (the body was not read to its end); `rate` is the window that refused, for its headers."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        rate: Decision | None = None,
        *,
        close: bool = False,
        **extensions: Any,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.rate = rate
        self.close = close
        self.extensions = extensions

    def errors(self, **more: Any) -> dict[str, Any]:
        """The answer's JSON body, the shape every refused request has (GraphQL over HTTP):
        `{"errors": [{"message", "extensions": {"code", …}}]}`; `more` adds extensions."""
        extensions = {"code": self.code, **self.extensions, **more}
        return {"errors": [{"message": self.message, "extensions": extensions}]}
