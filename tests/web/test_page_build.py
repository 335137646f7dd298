"""The page's build is reproducible and current, and the registry serves it at /verify with the
headers a service worker and an offline page need."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from service import compression, verifier_routes
from tests.conftest import serving

from .conftest import PAGE, build_page

ROOT_KEY = "z6MksPykuQeYh4zgthFRFBExrgo1dwFWWenY2TEJ9SvT9jn1"


def test_the_build_is_reproducible_and_dist_is_current(tmp_path: Path) -> None:
    """Two builds give the same bytes, and web/verifier/dist/ (what /verify serves) is that build."""
    first = build_page(tmp_path / "a")
    second = build_page(tmp_path / "b")
    for name in ("index.html", "sw.js", "build.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    dist = PAGE / "dist"
    stale = [
        n
        for n in ("index.html", "sw.js", "build.json")
        if not (dist / n).is_file() or (dist / n).read_bytes() != (first / n).read_bytes()
    ]
    assert stale == [], f"web/verifier/dist is out of date ({stale}): run scripts/setup-browser.sh"


def test_the_page_is_one_file_with_a_strict_policy(tmp_path: Path) -> None:
    out = build_page(tmp_path / "page")
    html = (out / "index.html").read_text("utf-8")
    policy = html.split('http-equiv="Content-Security-Policy" content="', 1)[1].split('"', 1)[0]
    assert "default-src 'none'" in policy
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    # zxing-wasm's default is to fetch its WebAssembly from a CDN; the page inlines it, and the
    # policy would block such a fetch anyway.
    assert "connect-src 'self'" in policy
    assert "<script src" not in html and '<link rel="stylesheet"' not in html
    build = json.loads((out / "build.json").read_text("utf-8"))
    assert build["pinnedRootKeys"] == []
    assert build["buildId"] in (out / "sw.js").read_text("utf-8")


def test_a_root_key_can_be_pinned_at_build_time(tmp_path: Path) -> None:
    out = build_page(tmp_path / "pinned", {"DTE_VERIFIER_ROOT_KEYS": ROOT_KEY})
    assert json.loads((out / "build.json").read_text("utf-8"))["pinnedRootKeys"] == [ROOT_KEY]
    assert ROOT_KEY in (out / "index.html").read_text("utf-8")


def app() -> Starlette:
    return Starlette(routes=verifier_routes.routes)


async def test_routes_serve_the_page_and_its_worker(
    built_page: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(verifier_routes.PAGE_DIR_ENV, str(built_page))
    async with serving(app()) as url, httpx.AsyncClient(base_url=url) as client:
        page = await client.get("/verify", headers={"Accept-Encoding": "identity"})
        assert page.status_code == 200
        assert page.headers["content-type"] == "text/html; charset=utf-8"
        assert page.headers["cache-control"] == "no-cache"
        assert "frame-ancestors 'none'" in page.headers["content-security-policy"]
        assert page.content == (built_page / "index.html").read_bytes()

        zipped = await client.get("/verify", headers={"Accept-Encoding": "gzip"})
        assert zipped.headers["content-encoding"] == "gzip"
        assert zipped.content == page.content  # httpx decodes it
        assert int(zipped.headers["content-length"]) < len(page.content) / 2

        again = await client.get("/verify", headers={"If-None-Match": page.headers["etag"]})
        assert again.status_code == 304

        worker = await client.get("/verify/sw.js")
        assert worker.status_code == 200
        assert worker.headers["service-worker-allowed"] == "/verify"
        assert worker.headers["content-security-policy"] == "default-src 'none'; connect-src 'self'"
        assert worker.headers["content-type"].startswith("text/javascript")

        slash = await client.get("/verify/?lang=en", follow_redirects=False)
        assert slash.status_code == 308
        assert slash.headers["location"] == "/verify?lang=en"


async def test_without_a_build_the_page_says_how_to_make_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(verifier_routes.PAGE_DIR_ENV, str(tmp_path / "nothing"))
    async with serving(app()) as url, httpx.AsyncClient(base_url=url) as client:
        response = await client.get("/verify")
        assert response.status_code == 503
        assert "scripts/setup-browser.sh" in response.text
        assert (await client.get("/verify/sw.js")).status_code == 503


def test_gzip_is_deterministic(built_page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(verifier_routes.PAGE_DIR_ENV, str(built_page))
    asset = verifier_routes._asset(built_page / "index.html")
    assert asset is not None
    sent, headers = compression.encode(asset.body, asset.etag, "gzip")
    assert headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(sent) == asset.body
    compression._kept.clear()  # compressed again, the same bytes (what caches keep is stable)
    assert compression.encode(asset.body, asset.etag, "gzip")[0] == sent
