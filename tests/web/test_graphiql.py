"""GraphiQL from the registry's own files (issue 16, item 4): the page and its assets name no
other host, and in Chromium with every other host blocked the editor loads the schema, runs a
query and shows the answer. (Before, the page loaded React and GraphiQL from a public CDN: with
other hosts blocked it stayed at "Loading..." for ever.)"""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import pytest
import pytest_asyncio

from registry.catalogue import reference_data as catalogue
from registry.storage.db import Database
from tests.web.conftest import ROOT

GRAPHIQL = ROOT / "web" / "graphiql"
SETUP = "run scripts/setup-graphiql.sh (Node.js 20+ and npm)"
TIMEOUT = 60_000


def artifact(name: str) -> Path:
    folder = ROOT / "test-artifacts" / "graphiql"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


@pytest.fixture(scope="module")
def fresh_build(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """GraphiQL built from the current sources and the locked packages, served for this module."""
    from service.portal_routes import DIR_ENV

    node = shutil.which("node")
    if node is None or not (GRAPHIQL / "node_modules" / "graphiql").is_dir():
        pytest.fail(f"GraphiQL's npm dependencies are not installed: {SETUP}")
    out = tmp_path_factory.mktemp("graphiql")
    done = subprocess.run(
        [node, "build.mjs", str(out)],
        cwd=GRAPHIQL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(DIR_ENV, str(out))
        yield out


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(db: Database, live_server: str, fresh_build: Path) -> str:
    await catalogue.seed_reference(db)
    return live_server


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.urls += [v for k, v in attrs if k in {"src", "href", "action", "srcset"} and v]


def external(urls: list[str], base: str) -> list[str]:
    """The URLs of `urls` (resolved against `base`) that name another host or scheme."""
    origin = urlsplit(base).netloc
    out = []
    for url in urls:
        if url.startswith("data:"):
            continue
        parts = urlsplit(urljoin(base, url))
        if parts.scheme not in ("http", "https") or parts.netloc != origin:
            out.append(url)
    return out


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")\s]+)|@import\s+['"]([^'"]+)""", re.I)


async def test_the_page_and_its_assets_name_no_other_host(site: str) -> None:
    async with httpx.AsyncClient(base_url=site, timeout=30) as http:
        page = await http.get("/graphql", headers={"accept": "text/html"})
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        csp = page.headers["content-security-policy"]
        assert "default-src 'none'" in csp and "script-src 'self'" in csp
        links = _Links()
        links.feed(page.text)
        assert len(links.urls) == 2 and external(links.urls, site) == []
        for url in links.urls:
            asset = await http.get(url)
            assert asset.status_code == 200 and "immutable" in asset.headers["cache-control"]
            if url.endswith(".css"):
                found = [a or b for a, b in CSS_URL.findall(asset.text)]
                assert external(found, site + url) == []
            again = await http.get(url, headers={"if-none-match": asset.headers["etag"]})
            assert again.status_code == 304


def test_the_check_finds_a_cdn() -> None:
    # The check above would pass vacuously if it matched nothing: the page strawberry ships
    # (which this registry served before) loads from a CDN, and is caught.
    from strawberry.http.ides import get_graphql_ide_html

    links = _Links()
    links.feed(get_graphql_ide_html(graphql_ide="graphiql"))
    assert any("unpkg.com" in u for u in external(links.urls, "http://127.0.0.1:1/graphql"))


async def test_graphiql_runs_a_query_with_every_other_host_blocked(site: str, browser: Any) -> None:
    origin = urlsplit(site).netloc
    requests: list[str] = []
    blocked: list[str] = []

    async def only_this_origin(route: Any) -> None:
        url = route.request.url
        requests.append(url)
        if urlsplit(url).netloc != origin:
            blocked.append(url)
            await route.abort()
        else:
            await route.continue_()

    context = await browser.new_context(viewport={"width": 1280, "height": 800})
    try:
        await context.route("**/*", only_this_origin)
        page = await context.new_page()
        await page.goto(f"{site}/graphql", wait_until="load", timeout=TIMEOUT)
        await page.wait_for_selector(".graphiql-query-editor .CodeMirror", timeout=TIMEOUT)
        # The schema came from introspection: the docs explorer can open.
        await page.wait_for_function(
            "() => document.querySelector('.graphiql-execute-button') !== null", timeout=TIMEOUT
        )
        await page.click(".graphiql-execute-button")
        await page.wait_for_function(
            "() => (document.querySelector('.result-window')?.innerText ?? '').includes('初级')",
            timeout=TIMEOUT,
        )
        result = await page.inner_text(".result-window")
        await page.screenshot(path=artifact("graphiql-1280.png"))
    finally:
        await context.close()
    assert '"level": "JUNIOR"' in result and '"totalCount"' in result
    assert blocked == []
    assert all(urlsplit(u).netloc == origin for u in requests)
