"""A small, fully real trust world for the tests: keys, a bundle, certificates issued with the
project's own `certificate` module. Nothing is mocked; every document is really signed."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

from credentials import binding
from credentials.bundle import (
    BundleKey,
    Institution,
    ListingPeriod,
    Occupation,
    ScopeEntry,
    build_bundle,
    sign_bundle,
)
from credentials.certificate import CertificateClaims, Level, StatusEntry, issue_certificate
from credentials.idnumber import mod11_2_check
from credentials.keys import PublicKey, SigningKey
from credentials.status_list import StatusList, status_list_credential

ROOT = Path(__file__).resolve().parents[2]
VECTOR_DIR = ROOT / "tests" / "vectors" / "w3c-eddsa-jcs-2022"
SIGNED_VECTOR = VECTOR_DIR / "signedJCS.json"
VECTOR_KEY = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"

UTC = dt.UTC
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
BUNDLE_ISSUED = dt.datetime(2026, 11, 25, 0, 0, tzinfo=UTC)

ROOT_KEY = SigningKey.from_seed(b"\x01" * 32)
OTHER_ROOT_KEY = SigningKey.from_seed(b"\x02" * 32)
OLD_KEY = SigningKey.from_seed(b"\x03" * 32)  # institution A, retired 2025-01-01
NEW_KEY = SigningKey.from_seed(b"\x04" * 32)  # institution A, current
TRAINING_KEY = SigningKey.from_seed(b"\x05" * 32)  # institution B (a training institution)
STRANGER_KEY = SigningKey.from_seed(b"\x06" * 32)  # in no bundle

USCC_A = "91350100M000100Y43"  # passes GB 32100 (docs/identifiers.md)
USCC_B = "91110000802100433B"
ISSUER_A = f"urn:uscc:{USCC_A}"
ISSUER_B = f"urn:uscc:{USCC_B}"
AI_2015, AI_2022 = "2-02-10-09", "2-02-38-01"
BIG_DATA = "2-02-10-11"
STATUS_URL = "https://dte-registry.cn/status/1"
OTHER_STATUS_URL = "https://dte-registry.cn/status/2"
REVOKED_INDEX = 4242
CARD = "11010519491231002X"  # the GB 11643 sample in docs/identifiers.md
OTHER_CARD = "11010519491231003" + mod11_2_check("11010519491231003")
CHEAP = binding.BindingParams(opslimit=1, memlimit=8 * 1024)  # tests need speed, not cost

KEY_SWITCH = dt.datetime(2025, 1, 1, tzinfo=UTC)
ISSUED = dt.datetime(2025, 6, 1, 2, 0, tzinfo=UTC)  # a typical issuance: key 2, first listing


def day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=UTC)


def institutions() -> list[Institution]:
    scope_1 = (
        ScopeEntry(AI_2015, 1),
        ScopeEntry(AI_2015, 2),
        ScopeEntry(BIG_DATA, 1, "大数据分析"),
    )
    return [
        Institution(
            id=ISSUER_A,
            name="福建示例评价中心",
            kind="EVALUATION",
            province="35",
            listings=(
                ListingPeriod(day("2023-03-01"), day("2025-12-31"), scope_1),
                # A gap in January-February 2026, then listed again with level 3 added.
                ListingPeriod(day("2026-03-01"), None, (*scope_1, ScopeEntry(AI_2015, 3))),
            ),
            keys=(
                BundleKey(OLD_KEY.public_key, at("2023-01-01T00:00:00"), KEY_SWITCH, ISSUER_A),
                BundleKey(NEW_KEY.public_key, KEY_SWITCH, None, ISSUER_A),
            ),
        ),
        Institution(
            id=ISSUER_B,
            name="北京示例培训学校",
            kind="TRAINING",
            province="11",
            listings=(ListingPeriod(day("2023-01-01"), None, (ScopeEntry(AI_2015, 1),)),),
            keys=(BundleKey(TRAINING_KEY.public_key, at("2023-01-01T00:00:00"), None, ISSUER_B),),
        ),
    ]


def occupations() -> list[Occupation]:
    return [
        Occupation((AI_2015, AI_2022), "人工智能工程技术人员"),
        Occupation((BIG_DATA, "2-02-38-03"), "大数据工程技术人员"),
    ]


def revocation_list(
    *, revoked: tuple[int, ...] = (REVOKED_INDEX,), signer: SigningKey = ROOT_KEY
) -> dict[str, Any]:
    status_list = StatusList()
    for index in revoked:
        status_list.set(index)
    return status_list_credential(
        STATUS_URL,
        status_list,
        "https://dte-registry.cn/",
        signer,
        valid_from=BUNDLE_ISSUED,
    )


def bundle_document(
    *,
    sequence: int = 7,
    issued: dt.datetime = BUNDLE_ISSUED,
    root: SigningKey = ROOT_KEY,
    status_lists: dict[str, dict[str, Any]] | None = None,
    institution_list: list[Institution] | None = None,
) -> dict[str, Any]:
    document = build_bundle(
        issued=issued,
        sequence=sequence,
        institutions=institution_list if institution_list is not None else institutions(),
        occupations=occupations(),
        status_lists=status_lists if status_lists is not None else {STATUS_URL: revocation_list()},
    )
    return sign_bundle(document, root, created=issued)


def certificate_number(
    *, level: int = 1, year: int = 25, serial: int = 1, field: str = "01", province: str = "35"
) -> str:
    body = f"{province}0001{year:02d}{level}{field}{serial:06d}"
    return "Z" + body + mod11_2_check(body)


def issue(
    *,
    key: SigningKey = NEW_KEY,
    when: dt.datetime = ISSUED,
    level: int = 1,
    occupation: str = AI_2015,
    direction: str | None = None,
    uscc: str = USCC_A,
    status_url: str = STATUS_URL,
    index: int = 1000,
    serial: int = 1,
    card: str = CARD,
) -> dict[str, Any]:
    claims = CertificateClaims(
        certificate_number=certificate_number(level=level, year=when.year % 100, serial=serial),
        holder_name="张三",
        occupation_code=occupation,
        occupation_name="人工智能工程技术人员",
        level=Level(level),
        field_code="01",
        issuer_uscc=uscc,
        issuer_name="福建示例评价中心",
        valid_from=when,
        direction=direction,
    )
    return issue_certificate(
        claims,
        key,
        binding=binding.commit(card, params=CHEAP),
        status=StatusEntry(status_url, index),
        created=when,
    )


def root_public() -> list[PublicKey]:
    return [ROOT_KEY.public_key]


def dump(document: Any) -> str:
    return json.dumps(document, ensure_ascii=False, indent=2)
