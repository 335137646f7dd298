"""What the printable certificate is made from: the public look-up's rules (a wrong name answers
as an unknown number does: nothing), names written any way the look-up accepts, the directory's
name of the issuer, and no print of a revoked certificate."""

from __future__ import annotations

import dataclasses

import pytest
import pytest_asyncio

from registry.certificates import numbers, printable, revocation
from registry.certificates.numbers import CertificateNumberError
from registry.settings import Settings
from registry.storage.db import Database
from tests.factories import (
    OFFICE,
    certificates_of_a_new_institution,
    make_uscc,
)

USCC = make_uscc(1602)


@pytest_asyncio.fixture(scope="module", loop_scope="session")
async def made(db: Database, settings: Settings) -> list[tuple[str, str, str]]:
    return await certificates_of_a_new_institution(db, settings, 1602, ["阿卜杜拉·买买提", "王芳"])


async def test_it_shows_what_the_certificate_says_and_the_directory_names(
    db: Database, settings: Settings, made: list[tuple[str, str, str]]
) -> None:
    number, name, _ = made[0]
    found = await printable.printable(db, number, "阿卜杜拉•买买提", settings.base_url)
    assert found is not None
    assert (found.number, found.holder_name, found.level) == (number, name, "初级 Junior")
    assert found.occupation_name == "人工智能工程技术人员"
    # The catalogue has not confirmed the 2022 edition's code: marked, as the page marks it.
    assert found.occupation_codes == ["2-02-10-09（2015年版）", "2-02-38-01（2022年版，待确认）"]
    institution = await db.institutions.find_one({"_id": USCC})
    assert institution is not None and found.issuer_name == institution["name"]
    assert found.verify_url == f"{settings.base_url}/verify"
    assert found.qr_text.startswith("DTE1:")


async def test_a_wrong_name_answers_as_an_unknown_number(
    db: Database, settings: Settings, made: list[tuple[str, str, str]]
) -> None:
    number = made[0][0]
    unknown = str(dataclasses.replace(numbers.parse(number), serial=999_999))
    for attempt in ((number, "阿卜杜拉·买买堤"), (number, made[1][1]), (unknown, made[0][1])):
        assert await printable.printable(db, *attempt, settings.base_url) is None
    mistyped = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(CertificateNumberError):
        await printable.printable(db, mistyped, made[0][1], settings.base_url)


async def test_a_revoked_certificate_is_not_printed(
    db: Database, settings: Settings, made: list[tuple[str, str, str]]
) -> None:
    number, name, _ = made[1]
    await revocation.revoke(db, OFFICE, number, "测试：撤销后不可打印")
    with pytest.raises(printable.CertificateRevoked) as caught:
        await printable.printable(db, number, name, settings.base_url)
    assert caught.value.code == "CERTIFICATE_REVOKED"
