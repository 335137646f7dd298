"""Reading a request body within a size and a time: what a client that sends too much, too
slowly, or too deeply nested gets (GraphQL over HTTP: 413, 408, 400), instead of a reset
connection, a held worker or a 500.

- Too large: the answer is 413. A client that sends its body without waiting for
  `Expect: 100-continue` (Python's urllib, curl with small bodies) reads an answer only after it
  has written its body, and a server that closes with unread bytes in its socket resets the
  connection and loses the 413 on the way. So the rest of the body is read and dropped, up to
  `DISCARD_BYTES`, before answering; past that the connection is closed (`Connection: close`).
- Too slow: the whole body must arrive within `timeout_s` (a deadline, not an idle timeout, so a
  body that dribbles a byte at a time is cut off too): 408, and the connection is closed.
- A client that goes away mid-body raises Starlette's `ClientDisconnect`; the access-log
  middleware turns it into one line (`service/middleware.py`).
"""

from __future__ import annotations

import asyncio

from starlette.requests import Request

from registry.whole_numbers import whole_number
from service.http_problem import HttpProblem

DISCARD_BYTES = 16 * 1024 * 1024  # read and dropped at most, to deliver a 413 on a full socket


def _too_large(limit: int, *, close: bool) -> HttpProblem:
    return HttpProblem(413, "BODY_TOO_LARGE", f"the body is limited to {limit} bytes", close=close)


async def _collect(request: Request, limit: int) -> bytes:
    declared = whole_number(request.headers.get("content-length", ""), 20)
    if declared is not None and declared > DISCARD_BYTES:
        raise _too_large(limit, close=True)  # more than is worth reading to say no
    body = bytearray()
    seen = 0
    async for chunk in request.stream():
        seen += len(chunk)
        if seen > DISCARD_BYTES:
            raise _too_large(limit, close=True)
        if seen <= limit:
            body += chunk
    if seen > limit:
        raise _too_large(limit, close=False)  # all of it read: the connection can go on
    return bytes(body)


async def read_body(request: Request, limit: int, timeout_s: float) -> bytes:
    """The body, at most `limit` bytes and all of it within `timeout_s` seconds; else
    HttpProblem 413 or 408. `ClientDisconnect` passes through."""
    try:
        async with asyncio.timeout(timeout_s):
            return await _collect(request, limit)
    except TimeoutError:
        raise HttpProblem(
            408,
            "REQUEST_TIMEOUT",
            f"the body did not arrive within {timeout_s:g} s",
            close=True,
        ) from None
