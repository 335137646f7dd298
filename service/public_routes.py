"""Public HTTP paths for offline verification: the trust bundle, the status lists, the JSON-LD
context and JSON Schemas a credential names, and the root public key.

| route                        | what                                                 | caching           |
| ---------------------------- | ---------------------------------------------------- | ----------------- |
| `/bundle.json`               | the latest signed trust bundle                       | 5 min, ETag       |
| `/status/{list_id}`          | a signed BitstringStatusListCredential               | 5 min, ETag       |
| `/contexts/dte-v1.jsonld`    | the credential's JSON-LD context                     | immutable, ETag   |
| `/schemas/{name}`            | the shipped JSON Schemas                             | immutable, ETag   |
| `/root-key`                  | the registry root public key (Multikey)              | 1 h, ETag         |

ETags are strong: the SHA-256 of the exact body bytes; `If-None-Match` with a matching tag
gets 304 without a body. A client that accepts gzip gets the body gzip-compressed, under the same
tag (`service/compression.py` says why).

`/root-key` is a convenience for development and for checking a pinned key. It must not be how
a verifier obtains the key in production: a key fetched from the same server as the bundle
proves nothing if that server is impersonated. Production verifiers pin the key from an
out-of-band channel (the programme's published notice, a signed release of the verifier).
"""

from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
from collections.abc import Awaitable, Callable, Mapping
from functools import cache
from importlib import resources
from typing import Any, Final

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from registry.errors import RegistryError, SigningCertificateExpired
from registry.settings import Settings
from registry.storage.db import Database
from registry.trust import bundles as trust
from registry.trust import offline_root, status_lists
from service import compression

__all__ = ["cached_response", "not_signed", "routes"]

log = logging.getLogger("registry.public")

DYNAMIC_CACHE: Final = "public, max-age=300"
STATIC_CACHE: Final = "public, max-age=31536000, immutable"
ROOT_KEY_CACHE: Final = "public, max-age=3600"
_LIST_ID: Final = re.compile(r"[0-9]{1,12}")
_STATIC_TYPES: Final = {
    ".jsonld": "application/ld+json",
    ".json": "application/schema+json",
}


def _etag(body: bytes) -> str:
    return '"' + hashlib.sha256(body).hexdigest() + '"'


def _matches(request: Request, etag: str) -> bool:
    """RFC 9110 If-None-Match: a list of tags or `*`, compared weakly (as GET allows)."""
    header = request.headers.get("if-none-match")
    if header is None:
        return False
    if header.strip() == "*":
        return True
    tags = (t.strip() for t in header.split(","))
    return any(t.removeprefix("W/") == etag for t in tags)


def cached_response(
    request: Request,
    body: bytes,
    media_type: str,
    cache_control: str,
    *,
    headers: Mapping[str, str] | None = None,
    etag: str | None = None,
) -> Response:
    """`body` with a strong ETag (its SHA-256, or `etag` when the caller has it already),
    `cache_control` and `headers`; 304 when `If-None-Match` names it; gzip-compressed when the
    client accepts it (`service.compression`: the one place static files are compressed)."""
    etag = etag or _etag(body)
    sent, coding = compression.encode(body, etag, request.headers.get("accept-encoding", ""))
    all_headers = {**(headers or {}), "ETag": etag, "Cache-Control": cache_control, **coding}
    if _matches(request, etag):
        return Response(status_code=304, headers=all_headers)
    return Response(sent, media_type=media_type, headers=all_headers)


def _json_body(document: Any) -> bytes:
    return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode()


def _not_found(code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=404)


def _state(request: Request) -> tuple[Database, Settings]:
    return request.app.state.db, request.app.state.settings


Endpoint = Callable[[Request], Awaitable[Response]]


def not_signed(error: SigningCertificateExpired) -> JSONResponse:
    """503 `ROOT_CERTIFICATE_EXPIRED` with the end of the certificate: the registry signs nothing
    until its operator installs a new one, and a verifier would refuse anything signed under
    the old one (its window is closed), so the last signed document is not served either."""
    log.error("nothing signed: %s", error.message, extra={"code": error.code})
    message = (
        "the registry's signing certificate expired; its operator must install a new one "
        "(registry root install-certificate): keep using what you verified before and try later"
    )
    body = {"error": {"code": error.code, "message": message, "validUntil": error.valid_until}}
    return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store"})


def masked(endpoint: Endpoint) -> Endpoint:
    """A domain failure (e.g. keys that do not open) is the operator's problem: the public gets
    a stable code, the log gets the detail. An expired signing certificate says so
    (`not_signed`): a client can act on it."""

    @functools.wraps(endpoint)
    async def wrapper(request: Request) -> Response:
        try:
            return await endpoint(request)
        except SigningCertificateExpired as error:
            return not_signed(error)
        except RegistryError as error:
            log.error("public path failed: %s", error.message, extra={"code": error.code})
            body = {"error": {"code": "UNAVAILABLE", "message": "temporarily unavailable"}}
            return JSONResponse(body, status_code=503, headers={"Cache-Control": "no-store"})

    return wrapper


@masked
async def bundle_json(request: Request) -> Response:
    db, settings = _state(request)
    document = await trust.latest_bundle(db, settings.master_key(), settings.base_url)
    return cached_response(request, _json_body(document), "application/json", DYNAMIC_CACHE)


@masked
async def status_list(request: Request) -> Response:
    db, settings = _state(request)
    list_id = request.path_params["list_id"]
    credential = None
    if _LIST_ID.fullmatch(list_id):
        credential = await status_lists.list_credential(
            db, settings.master_key(), settings.base_url, list_id
        )
    if credential is None:
        return _not_found("STATUS_LIST_NOT_FOUND", "no status list with this id")
    return cached_response(request, _json_body(credential), "application/json", DYNAMIC_CACHE)


@cache
def _shipped(folder: str) -> dict[str, bytes]:
    """The files shipped in `credentials/<folder>/`: the only names served from there."""
    root = resources.files("credentials").joinpath(folder)
    return {
        entry.name: entry.read_bytes()
        for entry in root.iterdir()
        if entry.is_file() and any(entry.name.endswith(s) for s in _STATIC_TYPES)
    }


def _static(request: Request, folder: str, name: str) -> Response:
    body = _shipped(folder).get(name)
    if body is None:
        return _not_found("NOT_FOUND", f"no such file in /{folder}/")
    media_type = next(t for s, t in _STATIC_TYPES.items() if name.endswith(s))
    return cached_response(request, body, media_type, STATIC_CACHE)


async def context(request: Request) -> Response:
    return _static(request, "contexts", "dte-v1.jsonld")


async def schema(request: Request) -> Response:
    return _static(request, "schemas", request.path_params["name"])


@masked
async def root_key(request: Request) -> Response:
    db, settings = _state(request)
    root = await offline_root.root_to_pin(db, settings.master_key())
    document: dict[str, Any] = {
        "publicKeyMultibase": root.key.multibase,
        "verificationMethod": root.key.verification_method,
        "note": (
            "Pin this key from an out-of-band channel (the programme's published notice), "
            "not from this response: a key fetched from the server it vouches for proves nothing."
        ),
    }
    if root.rotations:
        # A verifier pinned to an older root follows these to this one.
        document["rootRotations"] = [dict(r) for r in root.rotations]
    return cached_response(request, _json_body(document), "application/json", ROOT_KEY_CACHE)


routes: list[Route] = [
    Route("/bundle.json", bundle_json, methods=["GET"]),
    Route("/status/{list_id}", status_list, methods=["GET"]),
    Route("/contexts/dte-v1.jsonld", context, methods=["GET"]),
    Route("/schemas/{name}", schema, methods=["GET"]),
    Route("/root-key", root_key, methods=["GET"]),
]
