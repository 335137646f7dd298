"""The home page (what the registry is, and a link to everything) and the pages' style sheet."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from service.pages.answers import page
from service.pages.context import READ_COST, spend
from service.pages.render import respond
from service.public_routes import cached_response

STYLE: Final = (Path(__file__).parent / "static" / "pages.css").read_bytes()


@page
async def home(request: Request) -> Response:
    await spend(request, points=READ_COST)
    return respond(request, "home.html")


async def style(request: Request) -> Response:
    return cached_response(request, STYLE, "text/css; charset=utf-8", "public, max-age=3600")


routes = [
    Route("/", home, methods=["GET"]),
    Route("/pages.css", style, methods=["GET"]),
]
