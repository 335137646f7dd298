"""The public pages in Debian's Chromium (Playwright) at 375 px and 1280 px: every page fits the
width (no horizontal scrolling, none inside a card either), passes axe-core with no serious or
critical violation, and is kept as a screenshot in test-artifacts/pages/; with JavaScript
disabled a person looks a certificate up (by number, and by ID number, which no page then
shows), switches to English, and lodges an objection."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from registry.settings import Settings
from registry.storage.db import Database
from tests.conftest import serving
from tests.service.pages.data import PagesData, build
from tests.service.pages.test_pages import public_paths

from .conftest import ROOT

ARTIFACTS = ROOT / "test-artifacts" / "pages"
AXE = ROOT / "tests" / "web" / "axe" / "node_modules" / "axe-core" / "axe.min.js"
WIDTHS = (375, 1280)
TIMEOUT = 30_000

# The document and every box that could scroll sideways: nothing wider than it is.
OVERFLOW = """() => {
  const root = document.documentElement;
  const wide = [...document.querySelectorAll('body *')].filter(e => {
    const s = getComputedStyle(e);
    return ['auto', 'scroll'].includes(s.overflowX) && e.scrollWidth > e.clientWidth + 1;
  }).map(e => e.tagName + (e.id ? '#' + e.id : '') + ' ' + e.scrollWidth + '>' + e.clientWidth);
  if (root.scrollWidth > root.clientWidth) wide.push('document ' + root.scrollWidth + '>' + root.clientWidth);
  return wide;
}"""

AXE_RUN = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.filter(v => ['serious', 'critical'].includes(v.impact))
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(', '));
}"""


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def data(db: Database, settings: Settings) -> PagesData:
    return await build(db, settings)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def site(db: Database, settings: Settings, data: PagesData) -> AsyncIterator[str]:
    from service.app import create_app

    async with serving(create_app(settings, db=db)) as url:
        yield url


def shot_name(path: str, width: int) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    slug = path.lstrip("/")
    slug = "home" + slug if slug == "" or slug.startswith("?") else slug
    for old, new in (("/", "-"), ("?", "-"), ("&", "-"), ("=", "_")):
        slug = slug.replace(old, new)
    return ARTIFACTS / f"{slug}-{width}.png"


async def check(page: Any, label: str, width: int) -> list[str]:
    """The page's problems: overflow and axe-core's serious or critical violations."""
    await page.screenshot(path=str(shot_name(label, width)), full_page=True)
    problems = [f"overflow: {w}" for w in await page.evaluate(OVERFLOW)]
    await page.add_script_tag(path=str(AXE))
    problems += await page.evaluate(AXE_RUN)
    return [f"{label} @{width}: {p}" for p in problems]


@pytest.mark.parametrize("width", WIDTHS)
async def test_every_page_fits_and_passes_axe(
    browser: Any, site: str, data: PagesData, width: int
) -> None:
    if not AXE.is_file():
        pytest.fail("axe-core is not installed: run scripts/setup-axe.sh")
    # bypass_csp: only so that the test can inject axe-core; the pages themselves run no script.
    context = await browser.new_context(
        viewport={"width": width, "height": 800}, locale="zh-CN", bypass_csp=True
    )
    problems: list[str] = []
    try:
        page = await context.new_page()
        for path in public_paths(data):
            for lang_path in (path, path + ("&" if "?" in path else "?") + "lang=en"):
                if lang_path.startswith("/stats?") or lang_path.startswith("/stats&"):
                    continue
                response = await page.goto(site + lang_path)
                assert response is not None and response.status == 200, lang_path
                problems += await check(page, lang_path, width)
        await page.goto(f"{site}/lookup")
        await page.fill("#n-number", data.number)
        await page.fill("#n-name", data.name)
        await page.click("#h-number ~ form button")
        await page.wait_for_selector("article.certificate", timeout=TIMEOUT)
        problems += await check(page, "/lookup/number", width)
    finally:
        await context.close()
    assert not problems, "\n".join(problems)


async def no_script_context(browser: Any, width: int) -> Any:
    return await browser.new_context(
        viewport={"width": width, "height": 800}, locale="zh-CN", java_script_enabled=False
    )


async def test_lookups_work_without_javascript(browser: Any, site: str, data: PagesData) -> None:
    context = await no_script_context(browser, 375)
    try:
        page = await context.new_page()
        await page.goto(f"{site}/")
        await page.click("text=证书查询 >> nth=0")
        await page.fill("#n-number", data.number)
        await page.fill("#n-name", data.name)
        await page.click("#h-number ~ form button")
        card = page.locator(f"article[data-number='{data.number}']")
        assert await card.get_attribute("data-status") == "VALID"
        assert page.url.endswith("/lookup/number")  # nothing of the person in the address
        async with page.expect_download() as download_info:
            await card.locator("a[download$='.json']").click()
        download = await download_info.value
        saved = Path(await download.path())
        file = json.loads(await asyncio.to_thread(saved.read_text, encoding="utf-8"))
        assert file["envelope"] == "dte-registry/credential-file/v1"  # with its log inclusion
        credential = file["credential"]
        assert "proof" in credential and data.number in json.dumps(credential)
        assert file["inclusion"]["leafIndex"] >= 0
        # The printable certificate: a POST form, answered as a download (docs/printing.md).
        async with page.expect_download() as printed_info:
            await card.locator("form[action='/certificate.pdf'] button").click()
        printed = Path(await (await printed_info.value).path())
        assert (await asyncio.to_thread(printed.read_bytes)).startswith(b"%PDF-")
        await page.screenshot(path=str(shot_name("nojs-lookup-number", 375)), full_page=True)

        # English, one click away, then the look-up by ID number.
        await page.goto(f"{site}/lookup")
        await page.click("a.lang")
        assert await page.get_attribute("html", "lang") == "en"
        await page.fill("#h-id_number", data.card)
        await page.fill("#h-name", data.name)
        await page.click("#h-holder ~ form button")
        await page.wait_for_selector(f"article[data-number='{data.number}']", timeout=TIMEOUT)
        assert await page.get_attribute("html", "lang") == "en"
        content = await page.content()
        assert data.card not in content and "Professional technical level certificate" in content
        await page.screenshot(path=str(shot_name("nojs-lookup-holder-en", 375)), full_page=True)
    finally:
        await context.close()


async def test_objection_without_javascript(browser: Any, site: str, data: PagesData) -> None:
    context = await no_script_context(browser, 375)
    try:
        page = await context.new_page()
        await page.goto(f"{site}/institutions?in_publicity=1")
        await page.click(f"li[data-uscc='{data.publicity}'] h3 a")
        await page.fill("#o-text", "公示材料中的培训场地与实际不符。")
        await page.click("#h-publicity ~ form button")
        lodged = page.locator("[data-objection]")
        assert await lodged.count() == 1
        await page.screenshot(path=str(shot_name("nojs-objection", 375)), full_page=True)
    finally:
        await context.close()


async def test_keyboard_focus_is_visible(browser: Any, site: str) -> None:
    """Tab from the top of a page: the skip link comes first and leads to the content, and every
    focused link, field and button shows an outline of at least 2 px."""
    context = await browser.new_context(viewport={"width": 375, "height": 800})
    try:
        page = await context.new_page()
        await page.goto(f"{site}/lookup")
        seen = []
        for _ in range(14):
            await page.keyboard.press("Tab")
            focused = await page.evaluate(
                "() => { const e = document.activeElement, s = getComputedStyle(e);"
                " return [e.tagName, e.className, s.outlineStyle, parseFloat(s.outlineWidth)]; }"
            )
            seen.append(focused)
            tag, _, style, width = focused
            assert tag != "BODY" and style != "none" and width >= 2, focused
        assert seen[0][1] == "skip"
        await page.goto(f"{site}/lookup")
        await page.keyboard.press("Tab")
        await page.keyboard.press("Enter")
        assert await page.evaluate("() => document.activeElement.id") == "main"
    finally:
        await context.close()
