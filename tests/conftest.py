"""Shared fixtures: one real embedded SecantusDB server per test run (or the MongoDB named by
REGISTRY_TEST_MONGODB_URI), a fresh database per test module, and a real uvicorn server on a
loopback port for HTTP tests. Nothing here is a mock."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
import uvicorn

from registry.settings import Settings
from registry.storage.db import Database, make_client
from registry.storage.embedded import EmbeddedServer
from registry.storage.indexes import create_indexes
from service.logs import JsonFormatter
from tests import privacy
from tests.factories import MASTER_KEY_B64


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def mongodb_uri(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[str]:
    external = os.environ.get("REGISTRY_TEST_MONGODB_URI")
    if external:
        yield external
        return
    server = EmbeddedServer(tmp_path_factory.mktemp("embedded"))
    await server.start()
    try:
        yield server.uri
    finally:
        await server.stop()


@contextlib.asynccontextmanager
async def _fresh_database(
    mongodb_uri: str, request: pytest.FixtureRequest
) -> AsyncIterator[Database]:
    client = make_client(mongodb_uri)
    module = request.module.__name__.rsplit(".", 1)[-1][:30]
    database = client[f"t_{module}_{uuid.uuid4().hex[:8]}"]
    await create_indexes(database)
    try:
        yield database
    finally:
        await client.drop_database(database.name)
        await client.close()


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def db(mongodb_uri: str, request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """A fresh database for this test module, dropped afterwards."""
    async with _fresh_database(mongodb_uri, request) as database:
        yield database


@pytest_asyncio.fixture(loop_scope="session")
async def fresh_db(mongodb_uri: str, request: pytest.FixtureRequest) -> AsyncIterator[Database]:
    """A fresh database for this one test, dropped afterwards (for tests that assert on a whole
    collection: the audit chain, the log)."""
    async with _fresh_database(mongodb_uri, request) as database:
        yield database


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory, mongodb_uri: str) -> Settings:
    data_dir: Path = tmp_path_factory.mktemp("data")
    return Settings.from_env(
        {
            "REGISTRY_DATA_DIR": str(data_dir),
            "REGISTRY_MONGODB_URI": mongodb_uri,
            "REGISTRY_MASTER_KEY": MASTER_KEY_B64,
        }
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class _CaptureLogs(logging.Handler):
    def __init__(self) -> None:
        super().__init__()
        self.setFormatter(JsonFormatter())

    def emit(self, record: logging.LogRecord) -> None:
        privacy.CAPTURED_LOG_LINES.append(self.format(record))


@pytest.fixture(scope="session", autouse=True)
def privacy_sweep(capture_logs: None) -> Iterator[None]:
    """At the end of the session, whatever ran and in whatever order: no ID number the tests
    made in any response body or log line captured (tests/privacy.py)."""
    yield
    found = privacy.leaks()
    if found:
        pytest.fail(f"ID numbers leaked ({len(found)} places): {found[:5]}", pytrace=False)


@pytest.fixture(scope="session", autouse=True)
def capture_logs() -> Iterator[None]:
    handler = _CaptureLogs()
    root = logging.getLogger()
    root.addHandler(handler)
    previous = root.level
    root.setLevel(logging.INFO)
    # The test client's own request log (httpx, client side) prints full URLs; it is not the
    # service's log, and silencing it keeps the scan about what the service writes.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # As `registry serve` configures it (service/logs.py): our middleware writes the access line.
    logging.getLogger("uvicorn.access").disabled = True
    yield
    root.removeHandler(handler)
    root.setLevel(previous)


def _capturing(app: Any) -> Any:
    async def wrapped(scope: Any, receive: Any, send: Any) -> None:
        async def record(message: Any) -> None:
            if message["type"] == "http.response.body":
                privacy.CAPTURED_BODIES.append(bytes(message.get("body", b"")))
            await send(message)

        await app(scope, receive, record)

    return wrapped


@contextlib.asynccontextmanager
async def serving(app: Any) -> AsyncIterator[str]:
    """Run `app` under uvicorn on a free loopback port; yields its base URL."""
    from service.serving import Listen

    port = free_port()
    # As `registry serve` runs it (the client's address, the access line, the lifespan).
    config = uvicorn.Config(_capturing(app), **Listen("127.0.0.1", port, "info").uvicorn())
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    for _ in range(500):
        if server.started:
            break
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await task


@contextlib.asynccontextmanager
async def serving_with(db: Database, settings: Settings, **api: Any) -> AsyncIterator[str]:
    """The real app with these API settings (`ApiConfig` fields) on a real socket."""
    from service.api_config import ApiConfig
    from service.app import create_app

    async with serving(create_app(settings, db=db, api=ApiConfig(**api))) as url:
        yield url


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def live_server(db: Database, settings: Settings) -> AsyncIterator[str]:
    """The real app on a real socket, serving this module's database."""
    from service.api_config import ApiConfig
    from service.app import create_app
    from tests.client import METRICS_TOKEN

    api = ApiConfig.from_env({**os.environ, "REGISTRY_METRICS_TOKEN": METRICS_TOKEN})
    async with serving(create_app(settings, db=db, api=api)) as url:
        yield url


@pytest_asyncio.fixture(loop_scope="session")
async def http(live_server: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=live_server, timeout=30) as client:
        yield client
