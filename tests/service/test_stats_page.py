"""`/stats`: the page on a real server, its charts checked against `registry.reports.statistics`
server-side, and rendered in Debian's Chromium through Playwright (screenshots kept in
`test-artifacts/stats-page/`). The browser test skips on a machine without Playwright or
Chromium, except in CI (`CI=true`), where it must run."""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import pytest_asyncio
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.reports import statistics
from registry.settings import Settings
from registry.storage.db import Database
from service import stats_charts, stats_page
from tests.conftest import serving
from tests.registry.reports.data import build

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts" / "stats-page"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]


def with_stats_route(app: Any) -> Any:
    """The app with `/stats`, unless service/app.py already mounts it."""
    if not any(getattr(route, "path", None) == "/stats" for route in app.routes):
        app.router.routes.extend(stats_page.routes)
    return app


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(db: Database, settings: Settings) -> AsyncIterator[str]:
    from service.app import create_app

    await build(db, settings, 600)
    async with serving(with_stats_route(create_app(settings, db=db))) as url:
        yield url


@pytest_asyncio.fixture(loop_scope="session")
async def client(site: str) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=site, timeout=30) as http:
        yield http


def bars(html: str, chart: str) -> list[tuple[str, float]]:
    svg = re.search(rf'<figure[^>]*id="{chart}".*?</figure>', html, re.S)
    assert svg is not None, chart
    return [
        (label, float(value))
        for label, value in re.findall(
            r'<rect class="bar"[^>]*data-label="([^"]*)" data-value="([^"]*)"', svg.group(0)
        )
    ]


async def test_the_page_shows_the_statistics_as_svg_charts(
    client: httpx.AsyncClient, db: Database
) -> None:
    response = await client.get("/stats")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "script-src" not in response.headers["content-security-policy"]
    assert "<script" not in response.text
    html = response.text
    assert len(re.findall(r'<figure [^>]*class="chart"', html)) == 5
    totals = (await statistics.aggregate(db, []))[0].counts
    cards = dict(re.findall(r'data-measure="([^"]+)"><b>([\d,]+)</b>', html))
    assert int(cards["issued"].replace(",", "")) == totals["certificates_issued"]
    assert int(cards["candidates"].replace(",", "")) == totals["candidates"]
    assert int(cards["revoked"].replace(",", "")) == totals["certificates_revoked"]
    assert sum(v for _, v in bars(html, "chart-fields")) == totals["certificates_issued"]
    assert sum(v for _, v in bars(html, "chart-provinces")) == totals["certificates_issued"]
    assert sum(v for _, v in bars(html, "chart-levels")) == totals["passes"]
    progress = await statistics.progress(db)
    assert [v for _, v in bars(html, "chart-progress")] == [p.people for p in progress]
    assert 'class="target" data-value="80000"' in html
    assert any(v > 0 for _, v in bars(html, "chart-years"))


async def test_a_year_narrows_the_breakdowns(client: httpx.AsyncClient, db: Database) -> None:
    years = [p.year for p in await statistics.progress(db) if p.people]
    for year in years:
        html = (await client.get("/stats", params={"year": str(year)})).text
        issued = (await statistics.aggregate(db, [], statistics.StatsFilter(year=year)))[0]
        assert sum(v for _, v in bars(html, "chart-fields")) == issued.counts["certificates_issued"]
        assert f"{year} 年" in html


async def test_caching_and_bad_parameters(client: httpx.AsyncClient) -> None:
    first = await client.get("/stats")
    etag = first.headers["etag"]
    assert first.headers["cache-control"] == "public, max-age=300"
    again = await client.get("/stats", headers={"if-none-match": etag})
    assert again.status_code == 304 and again.content == b""
    for bad in ("20x6", "1999", "-2026", "２０２６", "99999"):
        response = await client.get("/stats", params={"year": bad})
        assert response.status_code == 400, bad
        assert "<script" not in response.text


@settings(max_examples=500)
@given(st.text(max_size=8))
def test_the_year_parameter_parser(text: str) -> None:
    try:
        year = stats_page.parse_year(text)
    except stats_page.YearParamError:
        assert not (text.isascii() and text.isdigit() and len(text) == 4 and int(text) >= 2021)
    else:
        assert year is None if text == "" else year == int(text) and 2021 <= year <= 9999


def test_charts_escape_labels_and_scale() -> None:
    chart = stats_charts.bar_list_chart(
        "c", '<b>"x"</b>', [stats_charts.Bar("<script>alert(1)</script>", 5)]
    )
    assert "<script>" not in chart and "&lt;script&gt;" in chart
    assert "<b>" not in chart
    assert "no data" in stats_charts.bar_list_chart("e", "empty", [])
    assert "no data" in stats_charts.grouped_chart("g", "empty", [], [])
    assert stats_charts.nice_max(0) == 1 and stats_charts.nice_max(80_001) == 100_000
    # One scale per chart: the largest bar fills its track up to the round maximum.
    two = stats_charts.bar_list_chart(
        "s", "t", [stats_charts.Bar("a", 50), stats_charts.Bar("b", 100)]
    )
    assert re.findall(r'width="([\d.]+)" height="10"', two) == ["50.00", "100.00"]


RENDERED_SIZES = """() => [...document.querySelectorAll('.chart *')]
  .filter(e => [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim())
               && e.tagName.toLowerCase() !== 'title' && e.getClientRects().length)
  .map(e => {
    const svg = e.closest('svg');
    const scale = svg ? svg.getScreenCTM().a : 1;
    return [e.textContent.trim().slice(0, 24), parseFloat(getComputedStyle(e).fontSize) * scale];
  })"""


def _chromium() -> str | None:
    for candidate in (
        os.environ.get("DTE_CHROMIUM"),
        "/usr/bin/chromium",
        shutil.which("chromium"),
    ):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    return None


async def test_the_page_in_chromium(site: str) -> None:
    chromium = _chromium()
    try:
        from playwright.async_api import async_playwright
    except ImportError:
        async_playwright = None  # type: ignore[assignment]
    if async_playwright is None or chromium is None:
        if os.environ.get("CI") == "true":
            pytest.fail("Playwright and Chromium are required in CI (scripts/setup-browser.sh)")
        pytest.skip("Playwright or Chromium not installed; the page is tested server-side above")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        try:
            for width, name in ((1100, "stats.png"), (375, "stats-375.png")):
                page = await browser.new_page(viewport={"width": width, "height": 900})
                errors: list[str] = []
                page.on(
                    "console",
                    lambda m, out=errors: out.append(m.text) if m.type == "error" else None,
                )
                response = await page.goto(f"{site}/stats")
                assert response is not None and response.status == 200
                charts = page.locator("figure.chart")
                assert await charts.count() == 5
                for i in range(5):
                    box = await charts.nth(i).bounding_box()
                    # Charts fit their section at every width (issue 16: nothing scrolls
                    # sideways on a phone, not even inside a card), and use its width.
                    assert box is not None and box["height"] > 30
                    assert min(width - 40, 500) <= box["width"] <= width
                page_width = await page.evaluate("document.scrollingElement.scrollWidth")
                assert page_width <= width  # the page itself never scrolls sideways
                drawn = page.locator("#chart-fields rect.bar")
                assert await drawn.count() > 0
                first = await drawn.first.bounding_box()
                assert first is not None and first["width"] > 0 and first["height"] > 0
                title = await page.locator("#chart-progress figcaption").first.text_content()
                assert title and "80000" not in title and "target" in title
                # Every word of every chart readable (issue 16): the size it is drawn at, an SVG
                # text's font size times the scale its viewBox is drawn at.
                sizes = await page.evaluate(RENDERED_SIZES)
                assert len(sizes) > 20, sizes
                small = [(text, size) for text, size in sizes if size < 12]
                assert small == [], (width, small[:5])
                await page.screenshot(path=str(ARTIFACTS / name), full_page=True)
                assert errors == []
                await page.close()
        finally:
            await browser.close()
