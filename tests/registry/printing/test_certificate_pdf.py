"""The printable certificate (issue 16 item 2), read as a person's tools read it: rendered to an
image (`pdftoppm`) its QR code decodes to the signed credential and `registry verify` accepts
it; its text (`pdftotext`) names the holder, the number, the occupation and the programme and
never an ID number; its Chinese font is embedded (`pdffonts`). Certificates published through the
real workflow; the images are kept under test-artifacts/pdf/."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path

import pytest
import pytest_asyncio
from click.testing import CliRunner

from credentials import qr
from registry.certificates import printable
from registry.printing.certificate_pdf import PROGRAMME, TITLE, PrintedCertificate, render
from registry.settings import Settings
from registry.storage.db import Database
from registry.trust import bundles as trust
from registry.trust import keystore
from service.verify_cli import verify_command
from tests.factories import certificates_of_a_new_institution, make_uscc
from tests.pdf import page_png, pdf_fonts, pdf_text
from tests.privacy import CAPTURED_BODIES

USCC = make_uscc(1601)
NAMES = ["阿卜杜拉·买买提", "John Smith"]


@dataclasses.dataclass(frozen=True)
class Printed:
    number: str
    name: str
    id_number: str
    pdf: bytes
    credential: dict[str, object]


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def printed(db: Database, settings: Settings) -> list[Printed]:
    made = await certificates_of_a_new_institution(db, settings, 1601, NAMES)
    out = []
    for number, name, id_number in made:
        found = await printable.printable(db, number, name, settings.base_url)
        assert found is not None
        doc = await db.certificates.find_one({"_id": number})
        assert doc is not None
        pdf = render(found)
        CAPTURED_BODIES.append(pdf)  # swept for ID numbers at the end of the session
        out.append(Printed(number, name, id_number, pdf, doc["credential"]))
    return out


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def trust_files(
    db: Database, settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, str]:
    """The current signed trust bundle as a file, and the root key to pin."""
    document = await trust.latest_bundle(db, settings.master_key(), settings.base_url)
    root = (await keystore.root_public_key(db, settings.master_key())).multibase
    path = tmp_path_factory.mktemp("bundle") / "bundle.json"
    path.write_text(json.dumps(document, ensure_ascii=False), "utf-8")
    return path, root


@pytest.mark.parametrize("which", [0, 1])
def test_the_printed_code_decodes_to_a_credential_registry_verify_accepts(
    printed: list[Printed], trust_files: tuple[Path, str], tmp_path: Path, which: int
) -> None:
    one = printed[which]
    # 150 dpi: what a cheap scan or a phone photo of the print gives, about 2.4 px a module.
    png = page_png(one.pdf, 150, keep_as=f"certificate-{which + 1}")
    assert qr.decode_image(png) == one.credential
    image = tmp_path / "page.png"
    image.write_bytes(png)
    bundle, root = trust_files
    result = CliRunner().invoke(
        verify_command,
        [str(image), "--bundle", str(bundle), "--root-key", root],
        env={"REGISTRY_BUNDLE_STATE": str(tmp_path / "state.json"), "REGISTRY_ROOT_KEY": ""},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "Verdict: VALID" in result.output


@pytest.mark.parametrize("which", [0, 1])
def test_the_text_names_holder_number_and_occupation_and_no_id_number(
    printed: list[Printed], which: int
) -> None:
    one = printed[which]
    text = pdf_text(one.pdf)
    for expected in (one.name, one.number, "人工智能工程技术人员", "2-02-38-01", "初级", TITLE):
        assert expected in text, expected
    assert PROGRAMME.split(" · ")[1] in text  # 数字技术工程师培育项目
    assert "/verify" in text
    for number in {p.id_number for p in printed}:
        assert number not in text
        assert number.encode() not in one.pdf


async def test_the_issuer_is_named_as_the_directory_names_it(
    db: Database, printed: list[Printed]
) -> None:
    institution = await db.institutions.find_one({"_id": USCC}, {"name": 1})
    assert institution is not None
    text = pdf_text(printed[0].pdf)
    assert institution["name"] in text and USCC in text


def test_the_chinese_font_is_embedded_as_a_subset(printed: list[Printed]) -> None:
    for one in printed:
        found = pdf_fonts(one.pdf)
        assert found, "no font in the PDF"
        assert all(f["emb"] == "yes" and f["sub"] == "yes" and f["uni"] == "yes" for f in found)
        # A subset: the whole font is 11.6 MB; one page carries only the glyphs it shows.
        assert len(one.pdf) < 400_000


def test_long_values_are_set_smaller_and_the_code_still_reads(printed: list[Printed]) -> None:
    credential = printed[0].credential
    long = PrintedCertificate(
        number=printed[0].number,
        holder_name="Abdullah Muhammad Alexander Konstantinopoulos-Smith Jr",
        occupation_name="人工智能工程技术人员",
        occupation_codes=["2-02-10-09（2015年版）", "2-02-38-01（2022年版）"],
        direction="智能芯片设计与应用方向" * 3,
        level="高级 Senior",
        issuer_name="数字技术职业技能评价中心有限公司" * 12,
        issuer_uscc=USCC,
        exam_date=dt.date(2026, 11, 1),
        issued_on=dt.date(2026, 11, 20),
        qr_text=qr.encode_text(credential),
        verify_url="https://registry.example/verify",
    )
    pdf = render(long)
    text = "".join(pdf_text(pdf).split())
    assert "Konstantinopoulos-Smith" in text and ("数字技术职业技能评价中心有限公司" * 12) in text
    assert qr.decode_image(page_png(pdf, 150, keep_as="certificate-long-values")) == credential
