"""Request id, access log and metrics, as one pure ASGI middleware (no body buffering).

A client that hangs up before its body has arrived is not an error of ours: its request is one
access-log line with status 499 (nginx's "client closed request") and `disconnected`, not a
traceback (1,200 aborted uploads once wrote 4 MB of them)."""

from __future__ import annotations

import logging
import re
import time
import uuid

from starlette.requests import ClientDisconnect
from starlette.routing import Match
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.logs import request_id_var
from service.metrics import observe

log = logging.getLogger("registry.access")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
CLIENT_CLOSED = 499  # the status logged for a request whose client went away mid-body


class RequestContextMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _CLIENT_ID.match(incoming) else uuid.uuid4().hex
        token = request_id_var.set(request_id)
        scope.setdefault("state", {})["request_id"] = request_id
        status = 500
        started = time.perf_counter()

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [
                    *message.get("headers", []),
                    (b"x-request-id", request_id.encode()),
                    *_timing(scope, started),
                ]
            await send(message)

        disconnected = False
        try:
            await self.app(scope, receive, send_with_id)
        except ClientDisconnect:
            disconnected, status = True, CLIENT_CLOSED
        finally:
            elapsed = time.perf_counter() - started
            route = _route_template(scope)
            observe(scope["method"], route, status, elapsed)
            extra = {"status": status, "duration_ms": round(elapsed * 1000, 2), "route": route}
            if scope["state"].get("personal"):
                # Set by the GraphQL endpoint for fields marked `@personal`: the line says a
                # personal look-up was made; like every line, it never carries the query.
                extra["personal"] = True
            if disconnected:
                extra["disconnected"] = True
            log.info("%s %s %s", scope["method"], route, status, extra=extra)
            request_id_var.reset(token)


def _timing(scope: Scope, started: float) -> list[tuple[bytes, bytes]]:
    """Server time up to the response head, for clients and the abuse tests; none on a response
    that resolved a `@personal` field, where a cache hit would show (a known number answers
    faster than an unknown one) what the body does not (docs/api.md, "What a look-up reveals")."""
    if scope["state"].get("personal"):
        return []
    spent = (time.perf_counter() - started) * 1000
    return [(b"server-timing", f"app;dur={spent:.1f}".encode())]


def _route_template(scope: Scope) -> str:
    app = scope.get("app")
    router = getattr(app, "router", None)
    for route in getattr(router, "routes", []):
        match, _ = route.matches(scope)
        if match == Match.FULL:
            return str(getattr(route, "path", "other"))
    return "other"
