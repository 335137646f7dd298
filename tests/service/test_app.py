"""What the app answers where no route does (`service/app.py`'s exception handlers): an
unknown path is 404 `NOT_FOUND`, a known path with the wrong method 405 `METHOD_NOT_ALLOWED`
with `Allow`, both as the service's plain-JSON problem with the request id (and a failure of ours no route caught, 500
`INTERNAL_SERVER_ERROR`); a browser asking
for a page gets the pages' problem page; a route's own 404 with its code stays its own."""

from __future__ import annotations

import httpx
import pytest
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from registry.settings import Settings
from registry.storage.db import Database
from tests.conftest import serving

WRONG_METHODS = [
    ("PUT", "/graphql", {"GET", "HEAD", "POST"}),
    ("DELETE", "/graphql", {"GET", "HEAD", "POST"}),
    ("GET", "/log/cosignature", {"POST"}),
    ("POST", "/log/checkpoint", {"GET", "HEAD"}),
    ("POST", "/healthz", {"GET", "HEAD"}),
    ("PUT", "/certificate.pdf", {"GET", "POST"}),
]


def _problem(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    assert response.headers["cache-control"] == "no-store"
    (error,) = response.json()["errors"]
    assert error["extensions"]["code"] == code
    assert error["extensions"]["requestId"] == response.headers["x-request-id"]


@pytest.mark.parametrize(("method", "path", "allowed"), WRONG_METHODS)
async def test_a_wrong_method_is_a_405_naming_the_allowed_ones(
    http: httpx.AsyncClient, method: str, path: str, allowed: set[str]
) -> None:
    response = await http.request(method, path)
    _problem(response, 405, "METHOD_NOT_ALLOWED")
    assert response.headers["allow"] == ", ".join(sorted(allowed))


@pytest.mark.parametrize(
    "path", ["/nope", "/schemas/", "/log/", "/status/", "/open-data/v2/changes"]
)
async def test_an_unknown_path_is_a_404(http: httpx.AsyncClient, path: str) -> None:
    _problem(await http.get(path), 404, "NOT_FOUND")
    _problem(await http.post(path, content=b"{}"), 404, "NOT_FOUND")


async def test_a_browser_gets_the_pages_problem_page(http: httpx.AsyncClient) -> None:
    response = await http.get("/nope?lang=en", headers={"accept": "text/html,*/*;q=0.8"})
    assert response.status_code == 404
    assert response.headers["content-type"].startswith("text/html")
    assert 'data-code="NOT_FOUND"' in response.text
    assert response.headers["cache-control"] == "no-store"


async def test_routes_keep_their_own_404_codes(http: httpx.AsyncClient) -> None:
    tile = await http.get("/log/tile/0/001")
    assert tile.status_code == 404 and tile.json()["error"]["code"] == "LOG_TILE_NOT_FOUND"
    data = await http.get("/open-data/v1/directory/other.json")
    assert data.status_code == 404 and data.json()["error"]["code"] == "NOT_FOUND"


async def test_a_failure_no_route_caught_is_a_coded_500(db: Database, settings: Settings) -> None:
    from service.api_config import ApiConfig
    from service.app import create_app

    async def broken(request: Request) -> Response:
        raise RuntimeError("a failure of ours")

    app = create_app(settings, db=db, api=ApiConfig())
    app.router.routes.append(Route("/broken", broken))
    async with serving(app) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/broken")
    _problem(response, 500, "INTERNAL_SERVER_ERROR")
    assert "a failure of ours" not in response.text
