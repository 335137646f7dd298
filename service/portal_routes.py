"""The developer portal: GraphiQL from the registry's own files and the schema as SDL.

| route                 | what                                                       | caching         |
| --------------------- | ---------------------------------------------------------- | --------------- |
| `/graphql` (browser)  | GraphiQL's page (web/graphiql/, built by scripts/setup-graphiql.sh) | no-cache, ETag |
| `/graphiql/{name}`    | its script and style sheet, named by their content's hash | immutable, ETag |
| `/schema.graphql`     | the schema in SDL, with every description                  | no-cache, ETag  |

Nothing is loaded from another host: the page's Content-Security-Policy allows scripts, styles,
fonts and requests from this origin only (`REGISTRY_GRAPHIQL_DIR` points at another build).
Without a build the page answers 503 saying how to make one. With introspection off
(`REGISTRY_INTROSPECTION=off`) `/schema.graphql` is 404, as introspection is.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from service.public_routes import cached_response

__all__ = ["graphiql_page", "routes"]

DIR_ENV: Final = "REGISTRY_GRAPHIQL_DIR"
DEFAULT_DIR: Final = Path(__file__).resolve().parents[1] / "web" / "graphiql" / "dist"
_ASSET: Final = re.compile(r"graphiql-[0-9a-f]{16}\.(js|css)")
_ASSET_TYPES: Final = {"js": "text/javascript; charset=utf-8", "css": "text/css; charset=utf-8"}
IMMUTABLE: Final = "public, max-age=31536000, immutable"
PAGE_CSP: Final = "; ".join(
    [
        "default-src 'none'",
        "script-src 'self'",
        # GraphiQL's editor and popovers set style attributes at run time.
        "style-src 'self' 'unsafe-inline'",
        "font-src 'self' data:",
        "img-src 'self' data:",
        "connect-src 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
    ]
)
NOT_BUILT: Final = (
    "<!doctype html><meta charset=utf-8><title>GraphiQL not built</title>"
    "<p>GraphiQL has not been built. Run <code>scripts/setup-graphiql.sh</code> (it needs "
    "Node.js 20 or newer and npm), then reload. Meanwhile POST queries to /graphql; the schema "
    "is at <a href=/schema.graphql>/schema.graphql</a>.</p>"
)


def build_dir() -> Path:
    configured = os.environ.get(DIR_ENV)
    return Path(configured) if configured else DEFAULT_DIR


def _read(name: str) -> bytes | None:
    try:
        return (build_dir() / name).read_bytes()
    except FileNotFoundError:
        return None


def graphiql_page(request: Request) -> Response:
    """GraphiQL's page, for a browser's GET of /graphql."""
    body = _read("index.html")
    if body is None:
        return HTMLResponse(NOT_BUILT, status_code=503, headers={"Cache-Control": "no-store"})
    response = cached_response(request, body, "text/html; charset=utf-8", "no-cache")
    response.headers["Content-Security-Policy"] = PAGE_CSP
    return response


async def asset(request: Request) -> Response:
    name = request.path_params["name"]
    match = _ASSET.fullmatch(name)
    body = _read(name) if match else None
    if match is None or body is None:
        return JSONResponse({"error": {"code": "NOT_FOUND", "message": "no such file"}}, 404)
    return cached_response(request, body, _ASSET_TYPES[match.group(1)], IMMUTABLE)


async def sdl(request: Request) -> Response:
    text: str | None = request.app.state.sdl
    if text is None:
        body = {"error": {"code": "NOT_FOUND", "message": "introspection is off"}}
        return JSONResponse(body, status_code=404)
    return cached_response(request, text.encode(), "text/plain; charset=utf-8", "no-cache")


routes: list[Route] = [
    Route("/graphiql/{name}", asset, methods=["GET"]),
    Route("/schema.graphql", sdl, methods=["GET"]),
]
