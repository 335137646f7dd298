"""What a request learns once this process has been told to stop.

At a stop signal uvicorn closes the connections it knows of once their response is out and gives
the requests in flight `GRACEFUL_S` (service/serving.py). A connection accepted in that very
instant, whose protocol starts after uvicorn's round of closing, is never told: a client that
keeps it alive goes on sending requests until the graceful timeout cancels one mid-flight — the
client loses its answer and the log gets a traceback. So the process watches the stop signal
itself (chained before the server's own handler, which still does the stopping): from then on a
request that starts is answered 503 `SERVER_STOPPING` with `Retry-After`, and every response,
those of the requests in flight included, closes its connection. A client sends again, to
another worker or machine, or to this one once it is back.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import threading
from collections.abc import Callable
from types import FrameType
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.http_problem import HttpProblem

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
RETRY_AFTER_S = 1
DRAIN_S = 0.5  # a request answered 503 has this long for what is left of its body
DRAIN_BYTES = 64 * 1024

Handler = Callable[[int, FrameType | None], Any]


class StopWatch:
    """Whether a stop signal has reached this process since `install`."""

    def __init__(self) -> None:
        self.stopping = False
        self._previous: dict[int, Handler] = {}

    def install(self) -> None:
        """Watch the stop signals, each handler chained before the one in place — a server's
        (uvicorn's), which does the stopping. Only in the main thread, where signals arrive, and
        only over a server's handler (not the default action, not Python's KeyboardInterrupt,
        not this watch's own): otherwise nothing is installed."""
        if threading.current_thread() is not threading.main_thread():
            return
        for number in STOP_SIGNALS:
            previous = signal.getsignal(number)
            if not callable(previous) or previous is signal.default_int_handler:
                continue  # the default action, or Python's KeyboardInterrupt: no server's
            if previous != self._handle and number not in self._previous:
                self._previous[number] = previous
                signal.signal(number, self._handle)

    def uninstall(self) -> None:
        """Put back the handlers `install` chained before, where ours is still in place. Where
        it is not (another handler was put over it), ours stays chained to its previous one."""
        for number, previous in list(self._previous.items()):
            if signal.getsignal(number) == self._handle:
                signal.signal(number, previous)
                del self._previous[number]

    def _handle(self, number: int, frame: FrameType | None) -> None:
        self.stopping = True
        self._previous[number](number, frame)


class StoppingMiddleware:
    """Once `watch` says stopping: a new request gets 503 `SERVER_STOPPING`; every response closes
    its connection."""

    def __init__(self, app: ASGIApp, watch: StopWatch) -> None:
        self.app = app
        self.watch = watch

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if self.watch.stopping:
            if not _expects_continue(scope):
                await _drain(receive)  # with `Expect: 100-continue` reading would invite it
            request_id = scope.get("state", {}).get("request_id")
            response = _stopping().response(retry_after=RETRY_AFTER_S, requestId=request_id)
            await response(scope, receive, send)
            return

        async def send_closing(message: Message) -> None:
            if message["type"] == "http.response.start" and self.watch.stopping:
                kept = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"connection"]
                message["headers"] = [*kept, (b"connection", b"close")]
            await send(message)

        await self.app(scope, receive, send_closing)


def _expects_continue(scope: Scope) -> bool:
    return any(k == b"expect" and v.lower() == b"100-continue" for k, v in scope["headers"])


async def _drain(receive: Receive) -> None:
    """Read what little body has come (a server that closes with unread bytes in its socket
    resets the connection, and the client loses the answer); a slow or large one is left."""
    seen = 0
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(DRAIN_S):
            while seen <= DRAIN_BYTES:
                message = await receive()
                seen += len(message.get("body", b""))
                if message["type"] != "http.request" or not message.get("more_body"):
                    return


def _stopping() -> HttpProblem:
    return HttpProblem(
        503,
        "SERVER_STOPPING",
        "the server is stopping: send the request again in a moment",
        close=True,
    )
