"""Once a stop signal has come (service/stopping.py): the signal is seen and passed on to the
server's own handler; a request that starts is answered 503 `SERVER_STOPPING` and its connection
closed; a request in flight is answered and its connection closed. Real uvicorn on a socket, the
registry's own app; the real signal in the served process is tests/service/test_clean_stop.py's."""

from __future__ import annotations

import asyncio
import json
import signal
import socket
import threading
from collections.abc import Iterator
from types import FrameType
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from registry.settings import Settings
from registry.storage.db import Database
from service.app import create_app
from service.stopping import StoppingMiddleware, StopWatch
from tests.conftest import serving


@pytest.fixture
def recorded() -> Iterator[list[int]]:
    """SIGTERM handled by a recorder for the test (as a server's handler would be)."""
    seen: list[int] = []

    def record(number: int, frame: FrameType | None) -> None:
        seen.append(number)

    before = signal.signal(signal.SIGTERM, record)
    try:
        yield seen
    finally:
        signal.signal(signal.SIGTERM, before)


def test_the_signal_is_seen_and_passed_on_then_the_handler_put_back(recorded: list[int]) -> None:
    handler = signal.getsignal(signal.SIGTERM)
    watch = StopWatch()
    watch.install()
    try:
        watch.install()  # a second install does not chain the watch to itself
        assert signal.getsignal(signal.SIGTERM) != handler
        signal.raise_signal(signal.SIGTERM)
        assert watch.stopping
        assert recorded == [signal.SIGTERM]  # the server's handler still does the stopping
    finally:
        watch.uninstall()
    assert signal.getsignal(signal.SIGTERM) == handler


def test_two_watches_undone_out_of_order_still_pass_the_signal_on(recorded: list[int]) -> None:
    handler = signal.getsignal(signal.SIGTERM)
    first, second = StopWatch(), StopWatch()
    first.install()
    second.install()
    first.uninstall()  # not on top: stays chained
    second.uninstall()  # puts `first` back, which still knows the recorder
    try:
        signal.raise_signal(signal.SIGTERM)
        assert recorded == [signal.SIGTERM] and first.stopping
    finally:
        first.uninstall()
    assert signal.getsignal(signal.SIGTERM) == handler


def test_nothing_is_installed_off_the_main_thread_or_over_a_default() -> None:
    watch = StopWatch()
    failures: list[BaseException] = []

    def install() -> None:
        try:
            watch.install()
        except BaseException as error:  # a ValueError here would only be a thread's warning
            failures.append(error)

    before = {number: signal.getsignal(number) for number in (signal.SIGINT, signal.SIGTERM)}
    thread = threading.Thread(target=install)
    thread.start()
    thread.join()
    assert failures == []
    assert {n: signal.getsignal(n) for n in before} == before
    term = signal.signal(signal.SIGTERM, signal.SIG_DFL)
    interrupt = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        watch.install()  # no server's handler to chain: the defaults stay
        assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGTERM, term)
        signal.signal(signal.SIGINT, interrupt)
    assert not watch.stopping


def _app(watch: StopWatch, entered: asyncio.Event, release: asyncio.Event) -> Any:
    async def slow(request: Request) -> PlainTextResponse:
        entered.set()
        await release.wait()
        return PlainTextResponse("done")

    async def quick(request: Request) -> PlainTextResponse:
        await request.body()
        return PlainTextResponse("ok")

    routes = [Route("/slow", slow), Route("/quick", quick, methods=["GET", "POST"])]
    return StoppingMiddleware(Starlette(routes=routes), watch)


async def test_a_request_in_flight_is_answered_and_its_connection_closed() -> None:
    watch, entered, release = StopWatch(), asyncio.Event(), asyncio.Event()
    async with serving(_app(watch, entered, release)) as url, httpx.AsyncClient() as http:
        before = await http.get(url + "/quick")
        assert before.status_code == 200 and "connection" not in before.headers
        flight = asyncio.create_task(http.get(url + "/slow"))
        await entered.wait()
        watch.stopping = True  # the signal arrives while /slow is being answered
        release.set()
        answer = await flight
        assert answer.status_code == 200 and answer.text == "done"
        assert answer.headers["connection"] == "close"


def _raw(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        answer = b""
        while chunk := sock.recv(65536):  # the server closes the connection
            answer += chunk
        return answer


async def test_a_request_that_starts_after_the_signal_gets_503_and_the_connection_closes() -> None:
    watch = StopWatch()
    watch.stopping = True
    async with serving(_app(watch, asyncio.Event(), asyncio.Event())) as url:
        # Two requests on one keep-alive connection: the second is never read.
        body = b'{"query": "{ __typename }"}'
        post = b"POST /quick HTTP/1.1\r\nhost: x\r\ncontent-length: %d\r\n\r\n%s" % (
            len(body),
            body,
        )
        answer = await asyncio.to_thread(
            _raw, url, post + b"GET /quick HTTP/1.1\r\nhost: x\r\n\r\n"
        )
    head, _, payload = answer.partition(b"\r\n\r\n")
    lines = head.decode().lower().split("\r\n")
    assert lines[0].startswith("http/1.1 503")
    assert {"connection: close", "retry-after: 1", "cache-control: no-store"} <= set(lines)
    error = json.loads(payload)["errors"][0]
    assert error["extensions"]["code"] == "SERVER_STOPPING"
    assert answer.count(b"HTTP/1.1") == 1  # closed after the first answer


async def test_the_registry_answers_every_route_so_once_stopping(
    db: Database, settings: Settings
) -> None:
    app = create_app(settings, db=db)
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as http:
        assert (await http.get("/healthz")).status_code == 200
        app.state.stop_watch.stopping = True
        for answer in [
            await http.get("/healthz"),  # a load balancer takes the instance out
            await http.post("/graphql", json={"query": "{ __typename }"}),
        ]:
            assert answer.status_code == 503, answer.text
            assert answer.json()["errors"][0]["extensions"]["code"] == "SERVER_STOPPING"
            assert answer.headers["connection"] == "close"
            # Logged like any request, and the body names it as every refusal's does.
            assert (
                answer.json()["errors"][0]["extensions"]["requestId"]
                == (answer.headers["x-request-id"])
            )


async def test_a_request_expecting_100_continue_is_refused_without_inviting_its_body() -> None:
    watch = StopWatch()
    watch.stopping = True
    async with serving(_app(watch, asyncio.Event(), asyncio.Event())) as url:
        head = (
            b"POST /quick HTTP/1.1\r\nhost: x\r\ncontent-length: 10\r\nexpect: 100-continue\r\n\r\n"
        )
        answer = await asyncio.to_thread(_raw, url, head)  # the body is never sent
    assert answer.startswith(b"HTTP/1.1 503"), answer[:200]  # no "100 Continue" first
    assert b"100 Continue" not in answer
