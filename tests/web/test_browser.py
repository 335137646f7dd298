"""The verifier page in Debian's Chromium, driven by Playwright: loaded from the registry with
demo data, then used with the network cut (the browser set offline and the server stopped) on
the demo's QR images and credential files, a revoked and a tampered certificate, the holder
binding with the right and a wrong ID number; in English; at 375 px; with the camera; and the
bundle rules (rollback, file loading, age warnings). Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import io
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio
from PIL import Image
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from credentials import mod11_2_check, qr
from registry.access.personal import PersonalData
from registry.demo import certificates as demo_certificates
from registry.demo import directory as demo
from registry.settings import Settings
from registry.storage.db import Database
from service import verifier_routes
from tests.conftest import serving
from tests.credentials._log_support import WITNESS_1, cosigned, log_bundle_document, logged
from tests.credentials._support import (
    ROOT_KEY,
    issue,
)

from . import hostile_rootchain
from .conftest import CHROMIUM_ARGS, CORPUS, artifact, chromium_path, with_verifier_routes

pytestmark = pytest.mark.usefixtures("serve_fresh_build")

TIMEOUT = 30_000


@dataclass
class DemoFiles:
    folder: Path
    certificates: list[Path]  # the valid ones, JSON and PNG
    revoked: list[Path]
    card_png: Path  # a certificate whose holder's ID number is `card`
    card: str


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def demo_files(db: Database, settings: Settings) -> DemoFiles:
    """The registry's own demo: institutions, published certificates (one revoked), and the
    files `registry serve --demo` writes for employers to verify."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("REGISTRY_DEMO_CERTIFICATES", "12")
        await demo.seed_demo(db, settings)
        await demo_certificates.seed_certificates(db, settings)
    folder = await demo_certificates.export_files(db, settings)
    certificates = sorted(folder.glob("certificate-*.*"))
    revoked = sorted(folder.glob("revoked-*.*"))
    assert len(certificates) >= 2 and len(revoked) == 2
    png = next(p for p in certificates if p.suffix == ".png")
    number = png.stem.removeprefix("certificate-")
    # The holder's ID number, as only the registry knows it: decrypted from the stored result.
    cert = await db.certificates.find_one({"_id": number})
    assert cert is not None
    result = await db.results.find_one({"batch": cert["batch"], "id_hash": cert["id_hash"]})
    assert result is not None
    card = PersonalData(settings.master_key()).decrypt(result["id_enc"])
    return DemoFiles(folder, certificates, revoked, png, card)


def other_card(card: str) -> str:
    """A valid ID number that is not `card` (a different sequence number)."""
    body = card[:14] + ("001" if card[14:17] != "001" else "002")
    return body + mod11_2_check(body)


class Page:
    """A page with the few actions the tests need, waiting on what the page reports."""

    def __init__(self, page: Any) -> None:
        self.page = page
        self.errors: list[str] = []
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self._console)

    def _console(self, message: Any) -> None:
        # Failed fetches are expected with the network cut; any other error is a bug.
        if message.type == "error" and not message.text.startswith("Failed to load resource"):
            self.errors.append(f"console: {message.text}")

    async def ready(self, *, offline_ready: bool = True) -> None:
        try:
            await self.page.wait_for_selector("body[data-ready=true]", timeout=TIMEOUT)
            if offline_ready:
                selector = "#offline-status[data-state=ready]"
                await self.page.wait_for_selector(selector, timeout=TIMEOUT)
        except Exception:
            text = await self.page.evaluate("() => document.body.innerText")
            worker = await self.page.evaluate(
                "async () => { try { const r = await navigator.serviceWorker.getRegistration();"
                " return r && [r.scope, r.installing?.state, r.waiting?.state, r.active?.state]; }"
                " catch (e) { return String(e); } }"
            )
            raise AssertionError(f"not ready: {self.errors} {worker} {text[:300]}") from None

    async def runs(self) -> int:
        return int(
            await self.page.evaluate(
                "() => Number(document.querySelector('[data-run]')?.dataset.run ?? 0)"
            )
        )

    async def _after(self, before: int) -> None:
        await self.page.wait_for_function(
            "(n) => [...document.querySelectorAll('[data-run]')].some("
            "e => Number(e.dataset.run) > n) && !document.getElementById('busy')",
            arg=before,
            timeout=TIMEOUT,
        )

    async def verify_file(self, selector: str, path: Path, card: str = "") -> dict[str, Any]:
        await self.page.fill("#id-number", card)
        before = await self.runs()
        await self.page.set_input_files(selector, str(path))
        await self._after(before)
        return await self.report()

    async def verify_text(self, text: str, card: str = "") -> dict[str, Any]:
        await self.page.fill("#id-number", card)
        await self.page.fill("#paste", text)
        before = await self.runs()
        await self.page.click("#verify-paste")
        await self._after(before)
        return await self.report()

    async def verify_signature(self, folder: Path, name: str, data: bytes) -> dict[str, Any]:
        """Choose `data` as the signature file (the data file chosen before): the report."""
        signature = folder / f"{name}.json.sig"
        signature.write_bytes(data)
        before = await self.runs()
        await self.page.set_input_files("#signature-file", str(signature))
        await self._after(before)
        return await self.report()

    async def require_witnesses(self, count: str) -> dict[str, Any]:
        """Set Settings' witness cosignatures; the report of the credential on screen, again."""
        await self.page.fill("#require-witnesses", count)
        before = await self.runs()
        await self.page.dispatch_event("#require-witnesses", "change")
        await self._after(before)
        return await self.report()

    async def load_bundle(self, path: Path) -> str:
        """Load a bundle file; the page's notice saying what became of it."""
        await self.page.evaluate("() => document.getElementById('notice')?.remove()")
        await self.page.set_input_files("#bundle-file", str(path))
        await self.page.wait_for_selector("#notice", timeout=TIMEOUT)
        return str(await self.page.inner_text("#notice"))

    async def report(self) -> dict[str, Any]:
        report: dict[str, Any] = await self.page.evaluate(
            """() => {
              const result = document.getElementById('result');
              if (!result) return {verdict: null, notice: document.getElementById('notice')?.innerText};
              return {
                verdict: result.dataset.verdict,
                text: document.getElementById('verdict').innerText,
                summary: document.getElementById('summary')?.innerText ?? '',
                checks: Object.fromEntries([...document.querySelectorAll('#checks li')].map(
                  li => [li.dataset.check, [li.dataset.status, li.dataset.code]])),
              };
            }"""
        )
        return report

    async def sequence(self) -> int:
        return int(await self.page.get_attribute("#bundle-status", "data-sequence") or -1)

    async def shot(self, name: str) -> None:
        await self.page.screenshot(path=str(artifact(name)), full_page=True)


@pytest_asyncio.fixture(loop_scope="session")
async def context(browser: Any) -> AsyncIterator[Any]:
    ctx = await browser.new_context(locale="zh-CN", viewport={"width": 1000, "height": 900})
    try:
        yield ctx
    finally:
        await ctx.close()


async def test_the_demo_verifies_offline(
    context: Any, demo_files: DemoFiles, db: Database, settings: Settings, tmp_path: Path
) -> None:
    from service.app import create_app

    page = Page(await context.new_page())
    async with serving(with_verifier_routes(create_app(settings, db=db))) as url:
        await page.page.goto(f"{url}/verify")
        await page.ready()
        assert await page.page.is_visible("#tofu-warning")  # the root key came from the server
        root = (demo_files.folder / "root-key.txt").read_text().strip()
        assert await page.page.inner_text("#root-key") == root
        assert await page.sequence() >= 1
        await page.shot("01-first-visit.png")

    # The network is gone: the browser is offline and the server has stopped.
    await context.set_offline(True)
    await page.page.reload()
    await page.ready()
    assert await page.sequence() >= 1  # the bundle kept on the device

    for path in demo_files.certificates:
        selector = "#qr-file" if path.suffix == ".png" else "#credential-file"
        report = await page.verify_file(selector, path)
        assert report["verdict"] == "VALID", (path.name, report)
        assert report["checks"]["holder_binding"] == ["SKIPPED", "NOT_EVALUATED"]
        institution = report["checks"]["issuer_listed"]
        assert institution == ["PASS", "LISTED_IN_SCOPE"]
        if path.suffix == ".json":  # the credential file: the envelope, with its log inclusion
            assert report["checks"]["in_log"] == ["PASS", "IN_LOG"], (path.name, report)
    await page.shot("02-valid-from-qr-image.png")
    assert "有效" in report["text"]

    for path in demo_files.revoked:
        selector = "#qr-file" if path.suffix == ".png" else "#credential-file"
        report = await page.verify_file(selector, path)
        assert report["verdict"] == "INVALID", (path.name, report)
        assert report["checks"]["status"] == ["FAIL", "REVOKED"]
    assert "已被撤销" in report["text"]
    await page.shot("03-revoked.png")

    blank = tmp_path / "no-code.png"
    Image.new("RGB", (300, 200), "white").save(blank)
    report = await page.verify_file("#qr-file", blank)
    assert report["verdict"] is None
    assert "没有找到二维码" in report["notice"]

    original = json.loads(
        next(p for p in demo_files.certificates if p.suffix == ".json").read_text()
    )["credential"]  # the demo's credential file is the envelope
    tampered = {**original, "credentialSubject": {**original["credentialSubject"], "name": "李四"}}
    report = await page.verify_text(json.dumps(tampered, ensure_ascii=False))
    assert report["verdict"] == "INVALID"
    assert report["checks"]["proof"] == ["FAIL", "PROOF_SIGNATURE_INVALID"]
    # A forged document's details are shown only as its claims, never as fact (issue 16 item 5).
    assert await page.page.get_attribute("#description", "data-confirmed") == "false"
    assert "未经核实" in await page.page.inner_text("#description-title")
    await page.shot("04-tampered.png")

    report = await page.verify_file("#qr-file", demo_files.card_png, demo_files.card)
    assert report["verdict"] == "VALID"
    assert report["checks"]["holder_binding"] == ["PASS", "BINDING_OK"]
    assert "身份证号码与持证人相符" in report["text"]
    await page.shot("05-binding-right.png")

    report = await page.verify_file("#qr-file", demo_files.card_png, other_card(demo_files.card))
    assert report["verdict"] == "INVALID"
    assert report["checks"]["holder_binding"] == ["FAIL", "BINDING_MISMATCH"]
    await page.shot("06-binding-wrong.png")

    # A saved copy (the page with the pinned key and the bundle inside) works from a file.
    async with page.page.expect_download() as download:
        await page.page.click("#download-copy")
    copy = tmp_path / "dte-verifier.html"
    await (await download.value).save_as(copy)
    saved = Page(await context.new_page())
    await saved.page.goto(copy.as_uri())
    await saved.ready(offline_ready=False)
    assert await saved.page.get_attribute("#offline-status", "data-state") == "copy"
    assert await saved.page.inner_text("#root-key") == root
    assert await saved.page.is_visible("#tofu-warning")  # the copy keeps the key's caveat
    report = await saved.verify_file("#qr-file", demo_files.card_png, demo_files.card)
    assert report["verdict"] == "VALID"
    assert report["checks"]["holder_binding"] == ["PASS", "BINDING_OK"]
    await saved.shot("07-saved-copy.png")
    assert saved.errors == []
    await saved.page.close()

    await page.page.click("#lang")
    assert (await page.report())["text"].startswith("Not valid")
    await page.shot("08-english.png")
    await page.page.click("#lang")

    report = await page.verify_file("#qr-file", demo_files.card_png, demo_files.card)
    await page.page.set_viewport_size({"width": 375, "height": 812})
    width = await page.page.evaluate("() => document.documentElement.scrollWidth")
    wide = await page.page.evaluate(
        "() => [...document.querySelectorAll('body *')]"
        ".filter(e => e.getBoundingClientRect().right > 376)"
        ".map(e => `${e.tagName}#${e.id}.${e.className}`).slice(0, 5)"
    )
    await page.shot("09-phone-375px.png")
    assert width <= 375, f"the page is {width} px wide at 375: {wide}"
    assert page.errors == []


async def test_the_camera_reads_a_code(browser: Any, tmp_path: Path, playwright: Any) -> None:
    """A fake camera (Chromium plays a video file) showing a certificate's QR code."""
    credential = json.loads((CORPUS / "cases" / "valid.json").read_text("utf-8"))
    video = tmp_path / "qr.y4m"
    write_y4m(Image.open(io.BytesIO(qr.to_png(credential, scale=4))), video)
    camera = await playwright.chromium.launch(
        executable_path=chromium_path(),
        args=[
            *CHROMIUM_ARGS,
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ],
    )
    try:
        ctx = await camera.new_context(
            permissions=["camera"], viewport={"width": 600, "height": 900}
        )
        page = Page(await ctx.new_page())
        async with serving(Starlette(routes=verifier_routes.routes)) as url:
            await page.page.goto(f"{url}/verify")
            await page.ready(offline_ready=False)
            before = await page.runs()
            await page.page.click("#scan")
            await page._after(before)
            await page.shot("10-camera.png")
        # No bundle here (the server has none): the code was read and the report says so.
        report = await page.report()
        assert report["verdict"] == "UNVERIFIED"
        assert report["checks"]["input"] == ["PASS", "JSON_OBJECT"]
        assert report["checks"]["proof"] == ["UNKNOWN", "NO_TRUST_ANCHOR"]
    finally:
        await camera.close()


def write_y4m(image: Image.Image, path: Path, frames: int = 10) -> None:
    """A few frames of raw YUV 4:2:0 video, the format Chromium's fake camera plays."""
    side = 640
    frame = Image.new("L", (side, side), 255)
    code = image.convert("L")
    frame.paste(code, ((side - code.width) // 2, (side - code.height) // 2))
    y = frame.tobytes()
    chroma = bytes([128]) * (side // 2) * (side // 2)
    with path.open("wb") as out:
        out.write(f"YUV4MPEG2 W{side} H{side} F10:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n" + y + chroma + chroma)


def corpus_app(offered: dict[str, Any] | None = None) -> Starlette:
    """A registry stand-in serving the corpus world: its bundle (sequence 7) and root key (or
    the `/root-key` document `offered` holds at the time of the request)."""

    async def bundle(request: Request) -> Response:
        return Response((CORPUS / "bundle.json").read_bytes(), media_type="application/json")

    async def root_key(request: Request) -> JSONResponse:
        if offered:
            return JSONResponse(offered)
        return JSONResponse({"publicKeyMultibase": (CORPUS / "root-key.txt").read_text().strip()})

    return Starlette(
        routes=[
            Route("/bundle.json", bundle),
            Route("/root-key", root_key),
            *verifier_routes.routes,
        ]
    )


BUNDLE_ISSUED = dt.datetime(2026, 11, 25, tzinfo=dt.UTC)


async def test_bundle_rules(context: Any) -> None:
    """Newer bundles replace older ones, never the reverse; foreign or altered ones are refused;
    the page warns as the bundle ages and stops vouching for "not revoked" after 7 days."""
    tab = await context.new_page()
    await tab.clock.set_fixed_time(BUNDLE_ISSUED + dt.timedelta(days=1, hours=12))
    page = Page(tab)
    valid = CORPUS / "cases" / "valid.json"
    async with serving(corpus_app()) as url:
        await tab.goto(f"{url}/verify")
        await page.ready()
        assert await page.sequence() == 7
        assert not await tab.is_visible("#bundle-age")

        assert "第 8 版" in await page.load_bundle(CORPUS / "bundle-newer.json")
        assert await page.sequence() == 8
        assert "已忽略" in await page.load_bundle(CORPUS / "bundle.json")
        assert await page.sequence() == 8
        await tab.click("#refresh")  # the server still offers sequence 7
        await tab.wait_for_selector("#notice:has-text('已忽略')", timeout=TIMEOUT)
        assert await page.sequence() == 8
        assert "BUNDLE_UNTRUSTED_KEY" in await page.load_bundle(CORPUS / "bundle-other-root.json")
        assert "BUNDLE_SIGNATURE_INVALID" in await page.load_bundle(CORPUS / "bundle-tampered.json")
        assert await page.sequence() == 8
        assert (await page.verify_file("#credential-file", valid))["verdict"] == "VALID"

        await tab.clock.set_fixed_time(BUNDLE_ISSUED + dt.timedelta(days=4))
        await tab.reload()
        await page.ready()
        assert await page.sequence() == 8  # kept on the device, not replaced by the server's 7
        assert "超过 3 天" in await tab.inner_text("#bundle-age")
        await page.shot("11-bundle-warning.png")

        await tab.clock.set_fixed_time(BUNDLE_ISSUED + dt.timedelta(days=8))
        await tab.reload()
        await page.ready()
        assert "7 天" in await tab.inner_text("#bundle-age")
        report = await page.verify_file("#credential-file", valid)
        assert report["verdict"] == "STATUS_UNKNOWN"
        assert report["checks"]["status"] == ["UNKNOWN", "BUNDLE_TOO_OLD"]
        await page.shot("12-bundle-too-old.png")
    assert page.errors == []


async def test_the_page_shows_the_log_and_the_back_dated_forgery(context: Any) -> None:
    """The certificate file says "in the registry's public log"; the back-dated forgery with the
    retired key is UNCONFIRMED as a file without proof and as its QR code, INVALID in the genuine
    certificate's file (issue 15) — as `registry verify` says (tests/credentials/test_in_log.py)."""
    tab = await context.new_page()
    await tab.clock.set_fixed_time(BUNDLE_ISSUED + dt.timedelta(days=1))
    page = Page(tab)
    cases = CORPUS / "cases"
    async with serving(corpus_app()) as url:
        await tab.goto(f"{url}/verify")
        await page.ready()
        report = await page.verify_file("#credential-file", cases / "in-log.json")
        assert report["verdict"] == "VALID"
        assert report["checks"]["in_log"] == ["PASS", "IN_LOG"]
        assert "已收录于登记系统的公开日志" in report["text"]
        await page.shot("13-in-the-log.png")
        report = await page.verify_file("#credential-file", cases / "forgery-back-dated.json")
        assert report["verdict"] == "UNCONFIRMED"
        assert report["checks"]["in_log"] == ["UNKNOWN", "LOG_CONFIRMATION_REQUIRED"]
        assert "请出示证书文件" in report["text"]
        assert "已收录" not in report["text"]
        await page.shot("14-forgery-unconfirmed.png")
        qr_text = (cases / "forgery-back-dated-qr.txt").read_text().strip()
        report = await page.verify_text(qr_text)
        assert report["verdict"] == "UNCONFIRMED"
        report = await page.verify_file("#credential-file", cases / "forgery-borrowed-proof.json")
        assert report["verdict"] == "INVALID"
        assert report["checks"]["in_log"] == ["FAIL", "LOG_LEAF_MISMATCH"]
        report = await page.verify_file("#credential-file", cases / "retired-key-in-log.json")
        assert report["verdict"] == "VALID"
    assert page.errors == []


@contextlib.asynccontextmanager
async def corpus_page(context: Any) -> AsyncIterator[Page]:
    """The page pinned to the corpus root (a stand-in registry), its clock at the corpus's now."""
    tab = await context.new_page()
    await tab.clock.set_fixed_time(hostile_rootchain.NOW)
    page = Page(tab)
    async with serving(corpus_app()) as url:
        await tab.goto(f"{url}/verify")
        await page.ready()
        yield page
    assert page.errors == []


def record_files(folder: Path) -> dict[str, Path]:
    """The differential run's continuing-education records, as files."""
    records = {}
    for name, data, _, _ in hostile_rootchain.record_inputs():
        records[name] = folder / f"record-{name}.json"
        records[name].write_bytes(data)
    return records


async def test_a_continuing_education_record_is_checked_against_the_root(
    context: Any, tmp_path: Path
) -> None:
    """A continuing-education record dropped on the page is checked as `registry verify
    CE-RECORD --root-key` checks it (record.js; the same codes, tests/web/test_differential.py),
    not judged as a certificate: signed by the pinned root or a bundle key it certified, VALID;
    changed or signed by an uncertified key, NOT VALID with the chain's code."""
    records = record_files(tmp_path)
    async with corpus_page(context) as page:
        report = await page.verify_file("#credential-file", records["root"])
        assert report["verdict"] == "VALID", report
        assert report["checks"] == {
            "registry_signer": ["PASS", "REGISTRY_SIGNED"],
            "holder_binding": ["SKIPPED", "NOT_EVALUATED"],
        }
        assert "继续教育记录真实" in report["text"] and "未核对持证人身份证号码" in report["text"]
        title = await page.page.inner_text("#description-title")
        assert "继续教育记录" in title and "已核实" in title
        assert "经根公钥核验的登记系统签名" in report["summary"]
        await page.shot("15-ce-record.png")
        report = await page.verify_file("#credential-file", records["certified"])
        assert report["verdict"] == "VALID"
        assert "授权有效至" in await page.page.inner_text("#checks")
        for name, code in [("uncertified", "BUNDLE_UNTRUSTED_KEY"), ("changed", "REGISTRY_PROOF")]:
            report = await page.verify_file("#credential-file", records[name])
            assert report["verdict"] == "INVALID", (name, report)
            assert report["checks"]["registry_signer"] == ["FAIL", code]
            assert report["checks"]["holder_binding"] == ["SKIPPED", "NOT_EVALUATED"]
            assert "请勿采信此记录" in report["text"]
        assert await page.page.get_attribute("#description", "data-confirmed") == "false"
        await page.shot("16-ce-record-changed.png")


async def test_a_records_holder_binding_is_checked_on_the_page(
    context: Any, tmp_path: Path
) -> None:
    """The record's holder binding with the right and a wrong card number, in both languages."""
    bound = record_files(tmp_path)["bound-right-card"]
    async with corpus_page(context) as page:
        report = await page.verify_file("#credential-file", bound, hostile_rootchain.CARD)
        assert report["verdict"] == "VALID"
        assert report["checks"]["holder_binding"] == ["PASS", "BINDING_OK"]
        report = await page.verify_file("#credential-file", bound, hostile_rootchain.OTHER_CARD)
        assert report["verdict"] == "INVALID"
        assert report["checks"]["holder_binding"] == ["FAIL", "BINDING_MISMATCH"]
        assert "身份证号码与持证人不符" in report["text"]
        await page.page.click("#lang")
        report = await page.report()
        assert (
            report["text"].startswith("Not valid") and "Do not accept this record" in report["text"]
        )


async def test_an_open_data_file_is_checked_against_its_signature(
    context: Any, tmp_path: Path
) -> None:
    """An open data file and its `.sig`, checked on the page against the pinned root as `registry
    verify FILE --signature FILE.sig --root-key` checks them (detached.js; the same codes, the
    differential run): genuine signatures (by the root, by a certified key) VALID; another file's
    digest or signature, an uncertified key, a malformed document NOT VALID with their codes; a
    signature file that is not JSON unreadable."""
    signatures = {name: data for name, _, data, _ in hostile_rootchain.detached_inputs()}
    data_file = tmp_path / "training.json"
    data_file.write_bytes(hostile_rootchain.FILE)
    async with corpus_page(context) as page:
        await page.page.click("#detached summary")
        await page.page.set_input_files("#data-file", str(data_file))  # alone: nothing runs
        assert await page.page.query_selector("#result") is None
        for name, code in [
            ("root", "REGISTRY_SIGNED"),
            ("certified", "REGISTRY_SIGNED"),
            ("digest-of-another-file", "DETACHED_DIGEST"),
            ("signature-of-another-file", "DETACHED_SIGNATURE"),
            ("uncertified", "BUNDLE_UNTRUSTED_KEY"),
            ("type-other", "DETACHED_INVALID"),
        ]:
            report = await page.verify_signature(tmp_path, name, signatures[name])
            status = "PASS" if code == "REGISTRY_SIGNED" else "FAIL"
            assert report["checks"] == {"registry_signer": [status, code]}, (name, report)
            assert report["verdict"] == ("VALID" if status == "PASS" else "INVALID")
            assert "training.json" in report["summary"]
            if name == "root":
                assert "文件与登记系统签名时完全一致" in report["text"]
                assert hashlib.sha256(hostile_rootchain.FILE).hexdigest() in report["summary"]
                await page.shot("17-open-data-signature.png")
        assert "请勿采信此文件" in report["text"]
        report = await page.verify_signature(tmp_path, "garbage", b"not json")
        assert report["verdict"] is None and "无法读取" in report["notice"]


async def test_a_server_that_names_the_root_its_pinned_root_rotated_to_is_not_a_mismatch(
    context: Any,
) -> None:
    """After the offline-root ceremony `/root-key` names the new root with the rotation that
    leads to it: a page pinned to the old root follows it without alarm; a root it cannot reach
    from the pinned one, or a forged chain to it, is still a mismatch."""
    offered: dict[str, Any] = {}
    second = hostile_rootchain.SECOND_ROOT.public_key.multibase
    rotation = hostile_rootchain.rotation_of(hostile_rootchain.ROOT, hostile_rootchain.SECOND_ROOT)
    forged = hostile_rootchain.rotation_of(
        hostile_rootchain.OTHER_ROOT, hostile_rootchain.SECOND_ROOT
    )
    forged = {**forged, "oldRoot": rotation["oldRoot"]}  # names the pinned root, not signed by it
    tab = await context.new_page()
    page = Page(tab)
    async with serving(corpus_app(offered)) as url:
        await tab.goto(f"{url}/verify")
        await page.ready()  # pins the corpus root (trust on first use)
        pinned = await tab.inner_text("#root-key")
        for document, mismatch in [
            ({"publicKeyMultibase": second, "rootRotations": [rotation]}, False),
            ({"publicKeyMultibase": second}, True),
            ({"publicKeyMultibase": second, "rootRotations": [forged]}, True),
        ]:
            # Followed: said so, with the new key to compare against the published one.
            offered.clear()
            offered.update(document)
            await tab.reload()
            await page.ready()
            await tab.wait_for_selector("body[data-root-checks]", timeout=TIMEOUT)
            assert await tab.is_visible("#root-mismatch") is mismatch, document
            assert await tab.is_visible("#root-successor") is not mismatch, document
            if not mismatch:
                assert second in await tab.inner_text("#root-successor")
            assert await tab.inner_text("#root-key") == pinned  # the pin never moves by itself
    assert page.errors == []


async def test_a_bundle_whose_trust_comes_through_a_rotation_names_the_new_root(
    context: Any, tmp_path: Path
) -> None:
    """A page that never hears of the rotation from the server (an offline copy never asks) still
    says the pinned root has rotated when the bundle it accepts is vouched for by the root the
    rotation leads to; a bundle the pinned root vouches for says nothing."""
    first = hostile_rootchain.rotation_of(hostile_rootchain.ROOT, hostile_rootchain.SECOND_ROOT)
    second = hostile_rootchain.SECOND_ROOT.public_key.multibase
    cases = [
        ("rotated-then-certified", 8, {"rootRotations": [first], "certified_by": "second"}),
        ("rotated", 9, {"rootRotations": [first]}),
        ("certified-by-the-pin", 10, {"certified_by": "root"}),
    ]
    tab = await context.new_page()
    await tab.clock.set_fixed_time(hostile_rootchain.NOW)
    page = Page(tab)
    async with serving(corpus_app()) as url:  # /root-key names the pinned root, no rotation
        await tab.goto(f"{url}/verify")
        await page.ready()
        assert not await tab.is_visible("#root-successor")
        for name, sequence, shape in cases:
            path = tmp_path / f"{name}.json"
            path.write_text(json.dumps(hostile_rootchain.bundle_of(sequence, **shape)))
            assert f"第 {sequence} 版" in await page.load_bundle(path), name
            if name == "certified-by-the-pin":
                assert not await tab.is_visible("#root-successor"), name
            else:
                assert second in await tab.inner_text("#root-successor"), name
    assert page.errors == []


def witness_app() -> tuple[Starlette, dict[str, Any], dict[str, Any]]:
    """A registry stand-in whose bundle lists a log and a witness; a certificate file, and the
    same file with its checkpoint cosigned by that witness (tests/credentials/_log_support.py)."""
    issued = dt.datetime.now(dt.UTC).replace(microsecond=0) - dt.timedelta(hours=1)
    signed = log_bundle_document(witnesses=[WITNESS_1], issued=issued)
    plain, _ = logged(issue(), 3, 8)
    inclusion = {
        **plain["inclusion"],
        "checkpoint": cosigned(plain["inclusion"]["checkpoint"], WITNESS_1),
    }
    witnessed = {**plain, "inclusion": inclusion}

    async def bundle(request: Request) -> JSONResponse:
        return JSONResponse(signed)

    async def root_key(request: Request) -> JSONResponse:
        return JSONResponse({"publicKeyMultibase": ROOT_KEY.public_key.multibase})

    routes = [Route("/bundle.json", bundle), Route("/root-key", root_key), *verifier_routes.routes]
    return Starlette(routes=routes), plain, witnessed


async def test_the_page_can_be_told_to_require_witness_cosignatures(
    context: Any, tmp_path: Path
) -> None:
    """Settings → witness cosignatures (as `registry verify --require-witnesses`): with 1
    required, a certificate file whose checkpoint no listed witness cosigned is not VALID
    (`LOG_WITNESSES_MISSING`), the cosigned one is; the setting is kept; 0 asks for none."""
    app, plain, witnessed = witness_app()
    files = {"plain": tmp_path / "plain.json", "witnessed": tmp_path / "witnessed.json"}
    files["plain"].write_text(json.dumps(plain, ensure_ascii=False), "utf-8")
    files["witnessed"].write_text(json.dumps(witnessed, ensure_ascii=False), "utf-8")
    page = Page(await context.new_page())
    async with serving(app) as url:
        await page.page.goto(f"{url}/verify")
        await page.ready()
        assert (await page.verify_file("#credential-file", files["plain"]))["verdict"] == "VALID"
        await page.page.click("details.settings summary")
        report = await page.require_witnesses("1")  # the file on screen is checked again
        assert report["verdict"] != "VALID"
        # Settings stay open while the user works in them (the page re-renders on every change).
        assert await page.page.get_attribute("details.settings", "open") is not None
        assert report["checks"]["in_log"][1] == "LOG_WITNESSES_MISSING", report
        report = await page.verify_file("#credential-file", files["witnessed"])
        assert report["verdict"] == "VALID" and report["checks"]["in_log"] == ["PASS", "IN_LOG"]
        await page.page.reload()
        await page.ready()
        assert await page.page.input_value("#require-witnesses") == "1"  # kept on the device
        await page.verify_file("#credential-file", files["plain"])
        await page.page.click("details.settings summary")
        assert (await page.require_witnesses("0"))["verdict"] == "VALID"
    assert page.errors == []


async def test_the_corpus_in_chromium(context: Any) -> None:
    """The page's own verifier, in the browser, agrees with Python on every corpus case."""
    files = {
        str(p.relative_to(CORPUS)): base64.b64encode(p.read_bytes()).decode()
        for p in CORPUS.rglob("*")
        if p.is_file()
    }
    page = Page(await context.new_page())
    async with serving(Starlette(routes=verifier_routes.routes)) as url:
        await page.page.goto(f"{url}/verify")
        await page.ready(offline_ready=False)
        results = await page.page.evaluate(
            """async (files) => {
              const load = async (name) => Uint8Array.from(atob(files[name]), c => c.charCodeAt(0));
              return await window.dteVerifier.runCorpus(load);
            }""",
            files,
        )
    manifest = json.loads((CORPUS / "manifest.json").read_text("utf-8"))
    differences = []
    for case in manifest["cases"]:
        got, want = results["cases"][case["id"]], case["expected"]
        if want.get("unreadable"):
            same = bool(got.get("unreadable"))
        else:
            same = (got.get("verdict"), got.get("checks")) == (want["verdict"], want["checks"])
        if not same:
            differences.append((case["id"], want, got))
    for case in manifest["bundles"]:
        if results["bundles"][case["id"]] != case["expected"]:
            differences.append((case["id"], case["expected"], results["bundles"][case["id"]]))
    assert differences == []
    assert len(results["cases"]) == len(manifest["cases"])
