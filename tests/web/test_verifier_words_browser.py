"""The verifier page names the certificate before the checks (issue 16, item 5), in Chromium:
holder, number, occupation, level and the issuer's name from the trust bundle, in Chinese and in
English; for a verdict other than VALID it says the details are the credential's claims; a
hostile name is shown as text (no HTML runs) and an ID number in it is never shown. The words are
the report's description, the same as `registry verify` prints (`credentials.describe`).
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from credentials import PublicKey, load_bundle, parse_timestamp, verify_credential
from tests.conftest import serving

from .conftest import CORPUS, PAGE, node
from .hostile_words import _edited
from .test_browser import BUNDLE_ISSUED, TIMEOUT, Page, corpus_app

pytestmark = pytest.mark.usefixtures("serve_fresh_build")

HTML_NAME = '<img src=x onerror="window.pwned=1">张三'
ANSI_NAME = "张三\x1b[2J\x1b[31mVALID"
ID_NAME = "张三 11010519491231002X"
VALID = CORPUS / "cases" / "valid.json"


@pytest_asyncio.fixture(loop_scope="session")
async def tab(browser: Any) -> AsyncIterator[Page]:
    context = await browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 900})
    try:
        page = await context.new_page()
        await page.clock.set_fixed_time(BUNDLE_ISSUED + dt.timedelta(days=1))
        yield Page(page)
    finally:
        await context.close()


async def described(page: Page) -> dict[str, Any]:
    """What the page shows of the description, and whether it comes before the checks."""
    shown: dict[str, Any] = await page.page.evaluate(
        """() => {
          const section = document.getElementById('description');
          if (!section) return null;
          const checks = document.getElementById('checks');
          return {
            confirmed: section.dataset.confirmed,
            title: document.getElementById('description-title').innerText,
            fields: Object.fromEntries([...section.querySelectorAll('dd[data-field]')].map(
              dd => [dd.dataset.field, dd.textContent])),
            beforeChecks: Boolean(section.compareDocumentPosition(checks)
              & Node.DOCUMENT_POSITION_FOLLOWING),
            elements: [...section.querySelectorAll('*')].map(e => e.tagName.toLowerCase()),
            html: document.documentElement.outerHTML,
            pwned: window.pwned ?? null,
          };
        }"""
    )
    return shown


def python_description(path: Path) -> dict[str, Any]:
    """`credentials.describe` on the same file, as `registry verify --json` reports it."""
    root = PublicKey.from_multibase((CORPUS / "root-key.txt").read_text().strip())
    bundle = load_bundle(json.loads((CORPUS / "bundle.json").read_text("utf-8")), [root])
    now = parse_timestamp("2026-11-26T00:00:00Z")
    report = verify_credential(json.loads(path.read_text("utf-8")), bundle=bundle, now=now)
    assert report.description is not None
    return report.description.to_dict()


def same_words(page_fields: dict[str, str], python: dict[str, Any]) -> None:
    """Every field the same, but the level (a word per language) and the issuer (with where the
    name came from, in the page's language)."""
    for name, value in python["fields"]:
        if name == "level":
            continue
        if name == "issuer":
            assert page_fields[name].startswith(value)
        else:
            assert page_fields[name] == value, name


async def test_a_valid_certificate_is_named_in_chinese_and_english(
    tab: Page, tmp_path: Path
) -> None:
    async with serving(corpus_app()) as url:
        await tab.page.goto(f"{url}/verify")
        await tab.ready()
        report = await tab.verify_file("#credential-file", VALID)
        assert report["verdict"] == "VALID"
        shown = await described(tab)
        assert shown["confirmed"] == "true"
        assert shown["beforeChecks"]
        assert shown["title"] == "专业技术等级证书（已核实：核验结果为有效）"
        assert shown["fields"]["holder"] == "张三"
        assert shown["fields"]["number"] == "Z350001251010000016"
        assert shown["fields"]["occupation"] == "人工智能工程技术人员 (2-02-10-09)"
        assert shown["fields"]["level"] == "初级"
        assert shown["fields"]["issuer"] == "福建示例评价中心（名称来自信任包）"
        same_words(shown["fields"], python_description(VALID))
        await tab.shot("20-description-valid.png")

        await tab.page.click("#lang")
        await tab.page.wait_for_selector("html[lang=en]", timeout=TIMEOUT)
        report = await tab.verify_file("#credential-file", VALID)
        shown = await described(tab)
        assert shown["title"] == "Certificate (confirmed: the verdict is VALID)"
        assert shown["fields"]["level"] == "junior (初级)"
        assert shown["fields"]["issuer"] == "福建示例评价中心 (name from the trust bundle)"
        await tab.shot("21-description-valid-en.png")
        await tab.page.click("#lang")
        await tab.page.wait_for_selector("html[lang=zh-CN]", timeout=TIMEOUT)
    assert tab.errors == []


async def test_an_invalid_certificate_is_named_as_its_claims(tab: Page, tmp_path: Path) -> None:
    original = json.loads(VALID.read_text("utf-8"))
    subject = {**original["credentialSubject"], "name": "李四"}
    tampered = tmp_path / "tampered.json"
    tampered.write_text(json.dumps({**original, "credentialSubject": subject}), "utf-8")
    async with serving(corpus_app()) as url:
        await tab.page.goto(f"{url}/verify")
        await tab.ready()
        report = await tab.verify_file("#credential-file", tampered)
        assert report["verdict"] == "INVALID"
        assert report["checks"]["proof"] == ["FAIL", "PROOF_SIGNATURE_INVALID"]
        shown = await described(tab)
        assert shown["confirmed"] == "false"
        assert shown["beforeChecks"]
        assert "未经核实" in shown["title"]
        assert "不是核实的事实" in shown["title"]
        assert shown["fields"]["holder"] == "李四"
        assert "issued" not in shown["fields"]  # no issuance time from a broken signature
        same_words(shown["fields"], python_description(tampered))
        await tab.shot("22-description-invalid.png")
    assert tab.errors == []


async def test_hostile_names_are_shown_as_text_and_never_an_id_number(
    tab: Page, tmp_path: Path
) -> None:
    async with serving(corpus_app()) as url:
        await tab.page.goto(f"{url}/verify")
        await tab.ready()
        for n, (name, verdict) in enumerate(
            [(HTML_NAME, "VALID"), (ANSI_NAME, "INVALID"), (ID_NAME, "VALID")]
        ):
            path = tmp_path / f"hostile-{n}.json"
            path.write_bytes(_edited(("credentialSubject", "name"), name))
            report = await tab.verify_file("#credential-file", path)
            assert report["verdict"] == verdict, name
            shown = await described(tab)
            assert shown["confirmed"] == ("true" if verdict == "VALID" else "false")
            assert shown["pwned"] is None
            assert "img" not in shown["elements"]
            assert "11010519491231002X" not in shown["html"]
            same_words(shown["fields"], python_description(path))
            if name == HTML_NAME:
                assert shown["fields"]["holder"] == HTML_NAME
                await tab.shot("23-description-hostile-html.png")
            if name == ID_NAME:
                assert shown["fields"]["holder"] == "张三 ***"
    assert tab.errors == []


def test_the_docs_node_example_prints_the_description_python_gives() -> None:
    """docs/verifier-page.md's example, run as written from web/verifier/."""
    text = (CORPUS.parents[2] / "docs" / "verifier-page.md").read_text("utf-8")
    section = text.split("## Whose certificate: the description\n", 1)[1].split("\n## ", 1)[0]
    blocks = section.split("```")[1::2]
    (script,) = [b.split("\n", 1)[1] for b in blocks if b.startswith("sh\n")]
    (printed,) = [b.split("\n", 1)[1] for b in blocks if b.startswith("json\n")]
    result = subprocess.run(
        ["bash", "-c", script.replace("node ", f"{node()} ", 1)],
        cwd=PAGE,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout == printed
    assert json.loads(printed) == python_description(VALID)
