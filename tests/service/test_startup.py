"""`registry serve` refusing to start says why in one line with its code, not in a traceback: the
operator's view of a database a restore left unfinished (service/startup.py)."""

from __future__ import annotations

import contextlib
import subprocess
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from starlette.applications import Starlette

from registry.errors import Conflict, RegistryError
from registry.storage.collections import Collection
from registry.storage.db import make_client
from service.startup import StartupRefusalMiddleware, refusal_line
from tests.conftest import MASTER_KEY_B64, free_port
from tests.service.served import REGISTRY, clean_env


async def _start(error: Exception) -> dict[str, Any]:
    """What an app whose start-up raises `error` tells the server, through the middleware."""

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        raise error
        yield  # pragma: no cover

    app = StartupRefusalMiddleware(Starlette(lifespan=lifespan))
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return {"type": "lifespan.startup"}

    async def send(message: Any) -> None:
        sent.append(message)

    with pytest.raises(type(error)):
        await app({"type": "lifespan", "asgi": {"version": "3.0"}}, receive, send)
    assert [m["type"] for m in sent] == ["lifespan.startup.failed"]
    return sent[0]


async def test_a_refusal_is_its_line_and_a_defect_keeps_its_traceback() -> None:
    refusal: RegistryError = Conflict("the data directory is in use", code="DATA_DIR_IN_USE")
    assert (await _start(refusal))["message"] == refusal_line(refusal)
    assert "(DATA_DIR_IN_USE): the data directory is in use" in refusal_line(refusal)
    defect = await _start(ValueError("a bug"))
    assert defect["message"].startswith("Traceback") and "ValueError: a bug" in defect["message"]


@pytest_asyncio.fixture(loop_scope="session")
async def half_restored(mongodb_uri: str) -> AsyncIterator[str]:
    """A database holding the marker of a restore that never finished."""
    client = make_client(mongodb_uri)
    name = f"t_startup_{uuid.uuid4().hex[:8]}"
    await client[name][Collection.RESTORE_MARKER].insert_one({"_id": "restore", "backup": "then"})
    try:
        yield name
    finally:
        await client.drop_database(name)
        await client.close()


def test_serve_refuses_a_half_restored_database_in_one_line(
    mongodb_uri: str, half_restored: str, tmp_path: object
) -> None:
    env = clean_env(
        REGISTRY_MONGODB_URI=mongodb_uri,
        REGISTRY_DATABASE=half_restored,
        REGISTRY_MASTER_KEY=MASTER_KEY_B64,
        REGISTRY_DATA_DIR=str(tmp_path),
        REGISTRY_PORT=str(free_port()),
    )
    done = subprocess.run(
        [REGISTRY, "serve"], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode != 0
    assert "RESTORE_INCOMPLETE" in done.stderr, done.stderr
    assert "holds a restore that has not finished" in done.stderr
    assert "Traceback" not in done.stderr, done.stderr
