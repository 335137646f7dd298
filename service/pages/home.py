"""The home page (what the registry is, and a link to everything) and the pages' style sheet."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.pages.answers import page
from service.pages.context import READ_COST, spend
from service.pages.render import respond

STYLE: Final = (Path(__file__).parent / "static" / "pages.css").read_bytes()
STYLE_ETAG: Final = '"' + hashlib.sha256(STYLE).hexdigest()[:32] + '"'


@page
async def home(request: Request) -> Response:
    await spend(request, points=READ_COST)
    return respond(request, "home.html")


async def style(request: Request) -> Response:
    headers = {"etag": STYLE_ETAG, "cache-control": "public, max-age=3600"}
    if request.headers.get("if-none-match", "").strip() == STYLE_ETAG:
        return Response(status_code=304, headers=headers)
    return Response(STYLE, media_type="text/css; charset=utf-8", headers=headers)


routes = [
    Route("/", home, methods=["GET"]),
    Route("/pages.css", style, methods=["GET"]),
]
