"""A start-up the registry refuses says why in one line with its code, not in a traceback
(service/startup.py); a defect keeps its traceback. `registry serve` against a half-restored
database, as the operator meets it: tests/service/test_cli_backup.py."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import pytest
from starlette.applications import Starlette

from registry.errors import Conflict, RegistryError
from service.startup import StartupRefusalMiddleware, refusal_line


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
