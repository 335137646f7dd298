"""The transport under a careless or hostile client, against real uvicorn on a real socket: a
body nested thousands deep (400, not a 500 with a traceback), a client that hangs up mid-body
(one log line, no traceback), a body that dribbles (408 after the body deadline), and a body
over the limit sent without `Expect: 100-continue` (the 413 reaches the client)."""

from __future__ import annotations

import asyncio
import json
import socket
import urllib.error
import urllib.request
from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from registry.settings import Settings
from registry.storage.db import Database
from service.api_config import ApiConfig
from service.app import create_app
from tests import privacy
from tests.conftest import serving

LIMIT = 64 * 1024


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def server(db: Database, settings: Settings) -> AsyncIterator[str]:
    api = ApiConfig(max_body_bytes=LIMIT, body_timeout_s=1)
    async with serving(create_app(settings, db=db, api=api)) as url:
        yield url


def _post(url: str, body: bytes, accept: str = "application/graphql-response+json") -> tuple:
    """POST with Python's urllib (no `Expect: 100-continue`): status, headers and JSON body."""
    request = urllib.request.Request(
        url + "/graphql",
        data=body,
        headers={"content-type": "application/json", "accept": accept},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.headers, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, error.headers, json.loads(error.read())


def _address(url: str) -> tuple[str, int]:
    host, port = url.removeprefix("http://").split(":")
    return host, int(port)


@pytest.mark.parametrize("shape", ["[", '{"a":', '{"query": "{ __typename }", "variables": {"v":'])
async def test_a_body_nested_thousands_deep_is_a_400(server: str, shape: str) -> None:
    body = (shape * 5000).encode()
    body = body[: LIMIT - 10]
    status, headers, answer = await asyncio.to_thread(_post, server, body)
    assert status == 400, answer
    assert answer["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
    assert headers["content-type"].startswith("application/graphql-response+json")


async def test_a_variable_nested_past_the_depth_limit_is_refused(server: str) -> None:
    nested = "[" * 200 + "]" * 200  # valid JSON, under Python's recursion limit
    body = f'{{"query": "{{ __typename }}", "variables": {{"v": {nested}}}}}'.encode()
    status, _, answer = await asyncio.to_thread(_post, server, body)
    assert status == 400 and answer["errors"][0]["extensions"]["code"] == "BAD_REQUEST"


@pytest.mark.parametrize("size", [LIMIT + 1, 8_000_000])  # 8 MB: past the socket buffers
async def test_a_413_reaches_a_client_that_does_not_wait_for_100_continue(
    server: str, size: int
) -> None:
    body = b'{"query": "' + b" " * size + b'{ __typename }"}'
    for _ in range(3):  # a reset would show in one of a few tries
        status, _, answer = await asyncio.to_thread(_post, server, body)
        assert status == 413, answer
        assert answer["errors"][0]["extensions"]["code"] == "BODY_TOO_LARGE"


def _raw(url: str, head: bytes, parts: list[bytes], pause: float) -> bytes:
    """Send `head`, then each of `parts` `pause` seconds apart; return what the server said."""
    with socket.create_connection(_address(url), timeout=30) as sock:
        sock.sendall(head)
        answer = b""
        for part in parts:
            try:
                sock.sendall(part)
            except OSError:
                break  # the server has answered and closed
            sock.settimeout(pause)
            try:
                chunk = sock.recv(65536)
            except TimeoutError:
                continue
            answer += chunk
            if chunk:
                break
        sock.settimeout(30)
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


async def test_a_body_that_dribbles_is_cut_off_with_408(server: str) -> None:
    head = (
        b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        b"accept: application/graphql-response+json\r\ncontent-length: 40\r\n\r\n"
    )
    # One byte every 0.3 s against a 1 s body deadline (the server is set so): an idle timeout
    # would never fire. Not every 0.5 s: a byte sent at the very moment of the deadline lies unread
    # when the server closes, and the kernel then resets the connection, losing the 408 (CI saw it).
    answer = await asyncio.to_thread(_raw, server, head, [b"{"] * 12, 0.3)
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 408"), answer[:300]
    assert b"connection: close" in rest.lower()
    assert b'"REQUEST_TIMEOUT"' in rest


async def test_a_client_that_hangs_up_mid_body_leaves_one_line(server: str) -> None:
    before = len(privacy.CAPTURED_LOG_LINES)
    head = (
        b"POST /graphql HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\n"
        b"content-length: 10000\r\n\r\n"
    )

    def hang_up() -> None:
        with socket.create_connection(_address(server), timeout=10) as sock:
            sock.sendall(head + b'{"query": "{ __typ')

    for _ in range(5):
        await asyncio.to_thread(hang_up)
    for _ in range(200):  # until the server has noticed the five closed sockets
        lines = [json.loads(line) for line in privacy.CAPTURED_LOG_LINES[before:]]
        if len([line for line in lines if line.get("disconnected")]) >= 5:
            break
        await asyncio.sleep(0.05)
    assert not [line for line in lines if "exception" in line or line["level"] == "error"], lines
    hung_up = [line for line in lines if line.get("disconnected")]
    assert len(hung_up) == 5, lines
    assert all(line["status"] == 499 and line["route"] == "/graphql" for line in hung_up)
