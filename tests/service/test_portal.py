"""The developer portal's server side (issue 16, item 4): `/schema.graphql` is the SDL with an
ETag and 304, and goes with introspection; GraphiQL's page says how to build it when it is not
built, and its asset route serves only the build's hashed names."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from registry.settings import Settings
from registry.storage.db import Database
from schema.build import SDL_PATH
from tests.conftest import serving_with


async def test_the_schema_downloads_with_an_etag(http: httpx.AsyncClient) -> None:
    response = await http.get("/schema.graphql")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/plain; charset=utf-8"
    assert response.text == SDL_PATH.read_text(encoding="utf-8")
    assert "directoryChanges" in response.text
    etag = response.headers["etag"]
    again = await http.get("/schema.graphql", headers={"if-none-match": f'W/{etag}, "x"'})
    assert again.status_code == 304 and again.content == b""


async def test_no_schema_without_introspection(db: Database, settings: Settings) -> None:
    async with serving_with(db, settings, introspection=False) as url:
        async with httpx.AsyncClient(base_url=url) as http:
            response = await http.get("/schema.graphql")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_an_unbuilt_graphiql_says_how_to_build_it(
    http: httpx.AsyncClient, tmp_path: Path
) -> None:
    from service.portal_routes import DIR_ENV

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DIR_ENV, str(tmp_path))
        response = await http.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 503
    assert "scripts/setup-graphiql.sh" in response.text
    assert response.headers["cache-control"] == "no-store"


@pytest.mark.parametrize(
    "name", ["index.html", "build.json", "..%2Fpackage.json", "graphiql-0123456789abcdef.js"]
)
async def test_only_built_assets_are_served(http: httpx.AsyncClient, name: str) -> None:
    response = await http.get(f"/graphiql/{name}")
    assert response.status_code == 404
