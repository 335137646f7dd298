"""`credentials.describe`: whose credential it is, as both verifiers show it (issue 16, item 5)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials import (
    CeEntryClaims,
    CeRecordClaims,
    Level,
    TrustBundle,
    binding,
    describe,
    issue_ce_record,
    load_bundle,
)
from credentials.description import FIELD_NAMES, HIDDEN, MAX_CHARS
from tests.credentials._support import (
    CARD,
    CHEAP,
    NEW_KEY,
    bundle_document,
    issue,
    json_values,
    root_public,
)

ID_LIKE = re.compile("[0-9\uff10-\uff19]{15,}")
CERTIFICATE_NUMBER = re.compile("[ZP][0-9]{17}[0-9X]")


@pytest.fixture(scope="module")
def bundle() -> TrustBundle:
    return load_bundle(bundle_document(), root_public())


@pytest.fixture(scope="module")
def certificate() -> dict[str, Any]:
    return issue(level=3, direction="智能语音")


def test_a_certificate_is_described_with_the_bundles_issuer_name(
    bundle: TrustBundle, certificate: dict[str, Any]
) -> None:
    claimed = {**certificate, "issuer": {**certificate["issuer"], "name": "冒名机构"}}
    description = describe(claimed, bundle, confirmed=True)
    assert description.kind == "certificate"
    assert description.confirmed is True
    assert description.issuer_source == "bundle"
    assert description.field("issuer") == "福建示例评价中心"
    assert description.field("level") == "3"
    assert description.field("direction") == "智能语音"
    assert [name for name, _ in description.fields] == [
        "holder",
        "number",
        "occupation",
        "direction",
        "level",
        "issuer",
    ]


def test_an_issuer_not_in_the_bundle_or_without_a_bundle_is_a_labelled_claim(
    bundle: TrustBundle, certificate: dict[str, Any]
) -> None:
    stranger = {**certificate, "issuer": {"id": "urn:uscc:X", "name": "某机构"}}
    description = describe(stranger, bundle, confirmed=False)
    assert (description.field("issuer"), description.issuer_source) == (
        "某机构",
        "claim_not_in_bundle",
    )
    description = describe(certificate, None, confirmed=False)
    assert description.issuer_source == "claim_no_bundle"
    assert description.field("issuer") == "福建示例评价中心"


def test_a_ce_record_is_described_with_its_year_hours_and_trainings() -> None:
    entry = CeEntryClaims(
        "P350001261010000015",
        "91350100M000100Y43",
        "福建示例培训中心",
        "2-02-10-09",
        "人工智能工程技术人员",
        Level.JUNIOR,
        48.5,
        dt.date(2026, 5, 1),
    )
    claims = CeRecordClaims(
        "a" * 32,
        "李四",
        2026,
        (entry,),
        "数字技术工程师登记系统",
        dt.datetime(2026, 6, 1, tzinfo=dt.UTC),
    )
    record = issue_ce_record(claims, NEW_KEY, binding=binding.commit(CARD, params=CHEAP))
    description = describe(record, None, confirmed=False)
    assert description.kind == "ce_record"
    assert dict(description.fields) == {
        "holder": "李四",
        "number": "a" * 32,
        "year": "2026",
        "hours": "48.5",
        "trainings": "P350001261010000015",
        "issuer": "数字技术工程师登记系统",
    }


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("张三 11010519491231002X", f"张三 {HIDDEN}"),
        ("张三１１０１０５１９４９１２３１００２Ｘ", f"张三{HIDDEN}"),
        ("123456789012345", HIDDEN),
        ("12345678901234", "12345678901234"),
        ("Z350001251010000016", "Z350001251010000016"),
        ("Z3500012510100000167", f"Z{HIDDEN}"),
        ("😀" * 300, "😀" * (MAX_CHARS - 1) + "…"),
    ],
)
def test_values_hide_id_like_digit_runs_and_are_cut(
    certificate: dict[str, Any], name: str, shown: str
) -> None:
    subject = {**certificate["credentialSubject"], "name": name}
    description = describe({**certificate, "credentialSubject": subject}, None, confirmed=False)
    assert description.field("holder") == shown


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    place=st.sampled_from(
        [
            ("credentialSubject", "name"),
            ("credentialSubject", "certificate"),
            ("credentialSubject", "certificate", "number"),
            ("credentialSubject", "certificate", "occupation"),
            ("credentialSubject", "certificate", "level"),
            ("issuer",),
            ("type",),
            ("credentialSubject",),
        ]
    ),
    value=st.one_of(json_values(), st.text(), st.from_regex(r"[0-9]{15,20}", fullmatch=True)),
    confirmed=st.booleans(),
)
def test_any_value_anywhere_gives_a_description_that_shows_no_id_number(
    bundle: TrustBundle,
    certificate: dict[str, Any],
    place: tuple[str, ...],
    value: Any,
    confirmed: bool,
) -> None:
    document: Any = {**certificate, "credentialSubject": dict(certificate["credentialSubject"])}
    target = document
    for key in place[:-1]:
        target[key] = dict(target[key]) if isinstance(target.get(key), dict) else {}
        target = target[key]
    target[place[-1]] = value
    description = describe(document, bundle, confirmed=confirmed)
    assert description.confirmed is confirmed
    names = [name for name, _ in description.fields]
    assert names == [name for name in FIELD_NAMES if name in names]
    for _, text in description.fields:
        assert text and len(text) <= MAX_CHARS
        assert not ID_LIKE.search(CERTIFICATE_NUMBER.sub("", text))
    assert (description.issuer_source is None) == (description.field("issuer") is None)
