"""Open directory data over HTTP (docs/open-data.md): the two directories as signed, versioned
downloads and their change feed, for provincial systems that keep a copy (两目录一系统).

| route                                              | what                                        |
| -------------------------------------------------- | ------------------------------------------- |
| `/open-data/v1/directory/{training,evaluation}.json` | one directory, JSON (`dte-directory/1`)   |
| `/open-data/v1/directory/{training,evaluation}.csv`  | the same, CSV (UTF-8 with BOM)            |
| `/open-data/v1/directory/{name}.sig`               | detached Ed25519 signature of that file, with the chain to the root (503 `ROOT_CERTIFICATE_EXPIRED` while the registry's signing certificate has run out) |
| `/open-data/v1/changes?after=&first=`              | the change feed, JSON, oldest first         |
| `/open-data/v1/{directory,changes}.schema.json`    | their JSON Schemas                          |

Every file has a strong ETag and answers `If-None-Match` with 304 (`no-cache`: a poller
revalidates each time and downloads only what changed). A file is built again only when the
directory changed (its version, the seq of the last change, moved).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry.errors import SigningCertificateExpired
from registry.institutions.model import Kind
from registry.trust import detached
from registry.whole_numbers import whole_number
from resolvers import open_data as ro
from resolvers.errors import ArgumentError
from service import open_data_files as files
from service.public_routes import cached_response, not_signed

__all__ = ["PREFIX", "routes"]

PREFIX: Final = "/open-data/v1"
CACHE: Final = "public, no-cache"
_KINDS: Final = {"training": Kind.TRAINING, "evaluation": Kind.EVALUATION}
_MEDIA: Final = {
    "json": "application/json",
    "csv": "text/csv; charset=utf-8; header=present",
}
DEFAULT_FIRST: Final = 100


@dataclass(frozen=True)
class _Built:
    version: int
    body: bytes


def _built(request: Request) -> dict[tuple[Kind, str], _Built]:
    """The files this app built last, by directory and format (one app, one database)."""
    state = request.app.state
    if not hasattr(state, "open_data_files"):
        state.open_data_files = {}
    built: dict[tuple[Kind, str], _Built] = state.open_data_files
    return built


def _error(status: int, code: str, message: str) -> JSONResponse:
    body = {"error": {"code": code, "message": message}}
    return JSONResponse(body, status_code=status, headers={"Cache-Control": "no-store"})


async def _file(request: Request, kind: Kind, fmt: str) -> bytes:
    """The bytes of directory `kind` as `fmt`, built again only when a change moved its version."""
    db = request.app.state.db
    built = _built(request)
    known = built.get((kind, fmt))
    if known is not None and known.version == await ro.version(db):
        return known.body
    snapshot, cursor = await ro.snapshot(db, kind)
    if fmt == "json":
        schema_url = f"{request.app.state.settings.base_url}{PREFIX}/directory.schema.json"
        body = files.directory_json(kind.value, snapshot.seq, cursor, snapshot.records, schema_url)
    else:
        body = files.directory_csv(snapshot.records)
    built[(kind, fmt)] = _Built(snapshot.seq, body)
    return body


def _named(request: Request) -> tuple[Kind, str] | None:
    kind = _KINDS.get(request.path_params["kind"])
    fmt = request.path_params["fmt"]
    return (kind, fmt) if kind is not None and fmt in _MEDIA else None


async def directory_file(request: Request) -> Response:
    named = _named(request)
    if named is None:
        return _error(404, "NOT_FOUND", "no such file: training or evaluation, .json or .csv")
    body = await _file(request, *named)
    return cached_response(request, body, _MEDIA[named[1]], CACHE)


async def signature(request: Request) -> Response:
    named = _named(request)
    if named is None:
        return _error(404, "NOT_FOUND", "no such file: training or evaluation, .json or .csv")
    body = await _file(request, *named)
    path = request.url.path.removesuffix(".sig")
    state = request.app.state
    try:
        document = await detached.sign(state.db, state.master_key, body, path)
    except SigningCertificateExpired as error:
        return not_signed(error)  # the file itself is still served, unsigned
    return cached_response(request, files.json_bytes(document), "application/json", CACHE)


def _first(request: Request) -> int:
    text = request.query_params.get("first")
    if text is None:
        return DEFAULT_FIRST
    first = whole_number(text, 3)
    if first is None:
        raise ArgumentError(
            "`first` must be a whole number, 0 to 100", "BAD_REQUEST", argument="first"
        )
    return first


async def feed(request: Request) -> Response:
    try:
        found = await ro.directory_changes(
            request.app.state.db, first=_first(request), after=request.query_params.get("after")
        )
    except ArgumentError as error:
        return _error(400, error.code, error.message)
    items = [item for _, item in found.items]
    body = files.changes_page(items, found.has_next_page)
    return cached_response(request, body, "application/json", CACHE)


def _schema_body(name: str) -> bytes:
    text = resources.files("service").joinpath("schemas", name).read_text(encoding="utf-8")
    return files.json_bytes(json.loads(text))


async def schema(request: Request) -> Response:
    name = request.path_params["name"] + ".schema.json"
    if name not in {"directory.schema.json", "changes.schema.json"}:
        return _error(404, "NOT_FOUND", "no such schema: directory or changes")
    return cached_response(request, _schema_body(name), "application/schema+json", CACHE)


routes: list[Route] = [
    # The signature first: `{kind}.{fmt}` would match `training.json.sig` too.
    Route(PREFIX + "/directory/{kind}.{fmt}.sig", signature, methods=["GET"]),
    Route(PREFIX + "/directory/{kind}.{fmt}", directory_file, methods=["GET"]),
    Route(PREFIX + "/changes", feed, methods=["GET"]),
    Route(PREFIX + "/{name}.schema.json", schema, methods=["GET"]),
]
