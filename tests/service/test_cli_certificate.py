"""`registry certificate pdf NUMBER --holder-name NAME -o FILE` against the real embedded
database: it writes the printable certificate found by the look-up's rules; a wrong name and an
unknown number answer the same one-line error, a mistyped number its own, never a traceback."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest_asyncio
from click.testing import CliRunner, Result

from credentials import qr
from registry.certificates import numbers
from registry.settings import Settings
from registry.storage.db import Database
from service.cli import main
from tests.factories import MASTER_KEY_B64, certificates_of_a_new_institution
from tests.pdf import is_pdf, page_png, pdf_text
from tests.privacy import CAPTURED_BODIES


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def made(db: Database, settings: Settings) -> list[tuple[str, str, str]]:
    return await certificates_of_a_new_institution(db, settings, 1604, ["阿卜杜拉·买买提"])


async def write_pdf(db: Database, settings: Settings, number: str, name: str, out: Path) -> Result:
    """`registry certificate pdf NUMBER --holder-name NAME -o OUT` against this module's database."""
    args = ["certificate", "pdf", number, "--holder-name", name, "-o", str(out)]
    env = {
        "REGISTRY_MONGODB_URI": settings.mongodb_uri or "",
        "REGISTRY_DATABASE": db.name,
        "REGISTRY_DATA_DIR": str(settings.data_dir),
        "REGISTRY_MASTER_KEY": MASTER_KEY_B64,
        "REGISTRY_BASE_URL": "https://registry.example.cn",
    }
    result = await asyncio.to_thread(CliRunner().invoke, main, args, env=env)
    assert "Traceback" not in result.output
    return result


async def test_it_writes_the_certificate_as_a_pdf(
    db: Database, settings: Settings, made: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    number, name, id_number = made[0]
    out = tmp_path / "certificate.pdf"
    result = await write_pdf(db, settings, number, "阿卜杜拉・买买提", out)
    assert result.exit_code == 0, result.output
    assert f"certificate {number}" in result.output
    pdf = out.read_bytes()
    CAPTURED_BODIES.append(pdf)  # swept for ID numbers at the end of the session
    assert is_pdf(pdf)
    text = pdf_text(pdf)
    assert name in text and number in text and id_number not in text
    assert "https://registry.example.cn/verify" in text
    doc = await db.certificates.find_one({"_id": number})
    assert doc is not None
    assert qr.decode_image(page_png(pdf, 150, keep_as="certificate-cli")) == doc["credential"]


async def test_a_wrong_name_answers_as_an_unknown_number(
    db: Database, settings: Settings, made: list[tuple[str, str, str]], tmp_path: Path
) -> None:
    number, name, _ = made[0]
    unknown = str(dataclasses.replace(numbers.parse(number), serial=999_999))
    out = tmp_path / "nothing.pdf"
    wrong = await write_pdf(db, settings, number, "阿卜杜拉·买买堤", out)
    absent = await write_pdf(db, settings, unknown, name, out)
    assert wrong.exit_code == absent.exit_code == 1
    assert wrong.output == absent.output == "Error: no certificate with this number and name\n"
    assert not out.exists()
    mistyped = number[:-1] + ("0" if number[-1] != "0" else "1")
    typo = await write_pdf(db, settings, mistyped, name, out)
    assert typo.exit_code == 1 and "check character" in typo.output
