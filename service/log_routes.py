"""The transparency log over HTTP, exactly as C2SP tlog-tiles serves it.

| route                                  | what                                          | caching            |
| -------------------------------------- | --------------------------------------------- | ------------------ |
| `/log/checkpoint`                      | the latest signed checkpoint (signed note)    | 5 s                |
| `/log/tile/<L>/<N>[.p/<W>]`            | hashes of level L (32 bytes each)             | 1 year, immutable  |
| `/log/tile/entries/<N>[.p/<W>]`        | the leaves, each after a big-endian uint16 length | 1 year, immutable |
| `POST /log/cosignature`                | a witness's cosigned checkpoint (kept when it verifies) | no-store |

A tile's path names its width, and the first W hashes of a tile never change once written, so
every tile answer is immutable. A tile that the log has not yet grown to (fewer than W hashes
stored) is 404; a path not spelt the one canonical way (`x001/234`, `.p/0`, `.p/256`) is 404
too. Entry bundles are served gzip-compressed when the client accepts it.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import gzip
import logging
import struct
from typing import Final

from pymongo.errors import PyMongoError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from credentials.transparency import TransparencyError
from registry.errors import RegistryError
from registry.settings import Settings
from registry.storage.db import Database
from registry.transparency import checkpoints, reads, tree, witnesses
from service.client_text import unicode_text
from service.compression import accepts_gzip
from service.http_problem import HttpProblem
from service.public_routes import masked
from service.request_body import read_body

__all__ = ["routes", "sign_checkpoint", "sign_periodically"]

log = logging.getLogger("registry.log")

CHECKPOINT_CACHE: Final = "public, max-age=5"
TILE_CACHE: Final = "public, max-age=31536000, immutable"
_OCTETS: Final = "application/octet-stream"
MAX_NOTE: Final = 8192


def _not_found() -> JSONResponse:
    body = {"error": {"code": "LOG_TILE_NOT_FOUND", "message": "no such tile in the log"}}
    return JSONResponse(body, status_code=404, headers={"Cache-Control": "no-store"})


@masked
async def checkpoint(request: Request) -> Response:
    settings = request.app.state.settings
    signed = await checkpoints.current(
        request.app.state.db, settings.master_key(), settings.base_url
    )
    return Response(
        signed.note,
        media_type="text/plain; charset=utf-8",
        headers={"Cache-Control": CHECKPOINT_CACHE},
    )


def bundle_bytes(leaves: list[bytes]) -> bytes:
    """An entry bundle: each leaf after its length as a big-endian uint16."""
    return b"".join(struct.pack(">H", len(leaf)) + leaf for leaf in leaves)


def _octets(request: Request, body: bytes, compress: bool) -> Response:
    headers = {"Cache-Control": TILE_CACHE, "Vary": "Accept-Encoding"}
    # Whether the client accepts gzip is the one rule of service/compression.py (weights, `*`,
    # `q=0`); a bundle is compressed whatever its size, as C2SP tlog-tiles clients expect.
    if compress and accepts_gzip(request.headers.get("accept-encoding", "")):
        body = gzip.compress(body, mtime=0)
        headers["Content-Encoding"] = "gzip"
    return Response(body, media_type=_OCTETS, headers=headers)


@masked
async def tile(request: Request) -> Response:
    wanted = tree.parse_tile_path(request.path_params["path"])
    if wanted is None:
        return _not_found()
    db = request.app.state.db
    if wanted.level is None:
        stored = await reads.entry_bundle(db, wanted.index)
    else:
        stored = await reads.tile_hashes(db, wanted.level, wanted.index)
    if len(stored) < wanted.width:
        return _not_found()
    items = stored[: wanted.width]
    if wanted.level is None:
        return _octets(request, bundle_bytes(items), compress=True)
    return _octets(request, b"".join(items), compress=False)


async def sign_checkpoint(db: Database, settings: Settings) -> None:
    """Sign a checkpoint (pinning the audit chain); a failure is logged, not raised: the next
    one catches up."""
    try:
        signed = await checkpoints.sign(db, settings.master_key(), settings.base_url)
        log.info("checkpoint signed", extra={"tree_size": signed.size})
    except (RegistryError, PyMongoError) as error:
        log.error("checkpoint not signed: %s", error)


async def sign_periodically(
    db: Database, settings: Settings, period: dt.timedelta = checkpoints.HOURLY
) -> None:
    """Sign a checkpoint every `period` for as long as the service runs (the service signs one
    at start-up itself, before it serves: see `service/app.py`)."""
    while True:
        await asyncio.sleep(period.total_seconds())
        await sign_checkpoint(db, settings)


def _problem(status: int, code: str, message: str) -> JSONResponse:
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


async def cosignature(request: Request) -> Response:
    """A witness posts a checkpoint it cosigned (text/plain, the signed note with its line)."""
    try:
        body = await read_body(request, MAX_NOTE, timeout_s=10)
        note = unicode_text(body, "the note")
        accepted = await witnesses.accept(request.app.state.db, note)
    except HttpProblem as problem:
        return _problem(problem.status, problem.code, problem.message)
    except TransparencyError as error:
        return _problem(400, error.code, error.message)
    except RegistryError as error:
        return _problem(
            404 if error.code == "CHECKPOINT_NOT_FOUND" else 400, error.code, error.message
        )
    if not accepted:
        return _problem(400, "COSIGNATURE_MISSING", "no cosignature by a registered witness")
    return JSONResponse({"accepted": accepted}, headers={"Cache-Control": "no-store"})


routes: list[Route] = [
    Route("/log/checkpoint", checkpoint, methods=["GET"]),
    Route("/log/cosignature", cosignature, methods=["POST"]),
    Route("/log/tile/{path:path}", tile, methods=["GET"]),
]
