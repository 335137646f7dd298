"""The offline verifier page (web/verifier/, built into web/verifier/dist/ by
scripts/setup-browser.sh) and its service worker.

| route           | what                                                            | caching           |
| --------------- | --------------------------------------------------------------- | ----------------- |
| `/verify`       | the page: one self-contained HTML file (script, style, WASM)   | no-cache, ETag    |
| `/verify/`      | redirects to `/verify`                                          |                   |
| `/verify/sw.js` | the service worker, allowed to control `/verify`                | no-cache, ETag    |

The worker lives under `/verify/` but must control the page at `/verify` itself, which is above
its directory: `Service-Worker-Allowed: /verify` permits exactly that scope. Both are `no-cache`
so that a new build reaches browsers on their next visit (the worker then swaps its copy).

The page's own Content-Security-Policy is a `<meta>` tag (hashes of its inline script and style),
so a saved copy keeps it; the header adds what a meta tag cannot say (framing).

`REGISTRY_VERIFIER_PAGE_DIR` points at another build (default: web/verifier/dist/ in this
checkout). Without a build, `/verify` answers 503 saying how to make one.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from service.public_routes import cached_response

__all__ = ["PAGE_DIR_ENV", "page_dir", "routes"]

PAGE_DIR_ENV: Final = "REGISTRY_VERIFIER_PAGE_DIR"
DEFAULT_PAGE_DIR: Final = Path(__file__).resolve().parents[1] / "web" / "verifier" / "dist"
SCOPE: Final = "/verify"

PAGE_HEADERS: Final = {
    "Cache-Control": "no-cache",
    "Content-Security-Policy": "frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Permissions-Policy": "camera=(self), microphone=(), geolocation=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}
WORKER_HEADERS: Final = {
    "Cache-Control": "no-cache",
    "Service-Worker-Allowed": SCOPE,
    # A worker's own policy comes from this header: it fetches the page and the bundle, same origin.
    "Content-Security-Policy": "default-src 'none'; connect-src 'self'",
    "X-Content-Type-Options": "nosniff",
}
NOT_BUILT: Final = (
    "<!doctype html><meta charset=utf-8><title>Verifier page not built</title>"
    "<p>The offline verifier page has not been built. Run <code>scripts/setup-browser.sh</code> "
    "(it needs Node.js 20 or newer and npm), then reload.</p>"
)


def page_dir() -> Path:
    configured = os.environ.get(PAGE_DIR_ENV)
    return Path(configured) if configured else DEFAULT_PAGE_DIR


@dataclass(frozen=True)
class _Asset:
    body: bytes
    etag: str


_cache: dict[Path, tuple[tuple[int, int], _Asset]] = {}


def _asset(path: Path) -> _Asset | None:
    """The file's bytes and ETag, read again only when the file changes."""
    try:
        stat = path.stat()
    except FileNotFoundError:
        return None
    stamp = (stat.st_mtime_ns, stat.st_size)
    cached = _cache.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    body = path.read_bytes()
    asset = _Asset(body, '"' + hashlib.sha256(body).hexdigest() + '"')
    _cache[path] = (stamp, asset)
    return asset


def _serve(request: Request, name: str, media_type: str, headers: dict[str, str]) -> Response:
    """The file with its ETag, conditional GET and gzip as every static file
    (`cached_response`)."""
    asset = _asset(page_dir() / name)
    if asset is None:
        return HTMLResponse(NOT_BUILT, status_code=503, headers={"Cache-Control": "no-store"})
    others = {k: v for k, v in headers.items() if k != "Cache-Control"}
    return cached_response(
        request, asset.body, media_type, headers["Cache-Control"], headers=others, etag=asset.etag
    )


async def page(request: Request) -> Response:
    return _serve(request, "index.html", "text/html; charset=utf-8", PAGE_HEADERS)


async def page_slash(request: Request) -> Response:
    query = request.url.query
    return RedirectResponse(SCOPE + (f"?{query}" if query else ""), status_code=308)


async def worker(request: Request) -> Response:
    return _serve(request, "sw.js", "text/javascript; charset=utf-8", WORKER_HEADERS)


routes: list[BaseRoute] = [
    Route(SCOPE, page, methods=["GET"]),
    Route(f"{SCOPE}/", page_slash, methods=["GET"]),
    Route(f"{SCOPE}/sw.js", worker, methods=["GET"]),
]
