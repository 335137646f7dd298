"""credentials._proof: sign/verify behaviour, the @context rule, and robustness."""

from __future__ import annotations

import datetime as dt
import json
import re
import time
import types
from typing import Any

import base58
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials import _proof as proof
from credentials.errors import CanonicalizationError, ProofError
from credentials.keys import SigningKey
from tests.credentials._support import deep_copy, json_values

KEY = SigningKey.from_seed(b"\x07" * 32)
OTHER = SigningKey.from_seed(b"\x08" * 32)
DOC: dict[str, Any] = {
    "@context": ["https://www.w3.org/ns/credentials/v2", "https://example.org/ctx"],
    "id": "urn:example:1",
    "type": ["VerifiableCredential"],
    "issuer": "urn:example:issuer",
    "credentialSubject": {"name": "李四", "score": 1.5, "tags": ["a", None, True]},
}
CREATED = "2026-11-26T08:00:00Z"
SIGNED = proof.sign(DOC, KEY, created=CREATED)


def _check(doc: Any) -> proof.ProofCheck:
    return proof.verify(doc, KEY.public_key)


def _with_proof(**changes: Any) -> dict[str, Any]:
    doc: dict[str, Any] = deep_copy(SIGNED)
    for name, value in changes.items():
        if value is None:
            del doc["proof"][name]
        else:
            doc["proof"][name] = value
    return doc


# --- signing --------------------------------------------------------------------------------


def test_sign_returns_a_new_document_and_leaves_the_input_alone() -> None:
    before = deep_copy(DOC)
    signed = proof.sign(DOC, KEY)
    assert DOC == before
    assert {k: v for k, v in signed.items() if k != "proof"} == DOC
    assert signed["credentialSubject"] is not DOC["credentialSubject"]
    assert _check(signed).ok


def test_created_defaults_to_now_in_utc_whole_seconds() -> None:
    before = dt.datetime.now(dt.UTC).replace(microsecond=0)
    created = proof.sign(DOC, KEY)["proof"]["created"]
    after = dt.datetime.now(dt.UTC)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", created)
    assert before <= dt.datetime.fromisoformat(created) <= after


def test_created_datetime_is_converted_to_utc() -> None:
    china = dt.timezone(dt.timedelta(hours=8))
    created = dt.datetime(2026, 11, 26, 16, 0, 0, 999, tzinfo=china)
    assert proof.sign(DOC, KEY, created=created)["proof"]["created"] == "2026-11-26T08:00:00Z"


@pytest.mark.parametrize(
    "created",
    [dt.datetime(2026, 11, 26), "2026-11-26", "2026-11-26T08:00:00", "2026-02-30T00:00:00Z", "now"],
)
def test_bad_created_is_refused(created: Any) -> None:
    with pytest.raises(ProofError):
        proof.sign(DOC, KEY, created=created)


def test_document_with_a_proof_is_refused() -> None:
    with pytest.raises(ProofError) as info:
        proof.sign(SIGNED, KEY)
    assert info.value.code == "PROOF_PRESENT"


def test_non_json_document_is_refused() -> None:
    with pytest.raises(CanonicalizationError):
        proof.sign({"x": float("nan")}, KEY)
    with pytest.raises(ProofError):
        proof.sign(["not", "an", "object"], KEY)  # type: ignore[arg-type]


def test_proof_shape() -> None:
    p = SIGNED["proof"]
    assert list(p) == [
        "type",
        "cryptosuite",
        "created",
        "verificationMethod",
        "proofPurpose",
        "@context",
        "proofValue",
    ]
    assert p["type"] == "DataIntegrityProof" and p["cryptosuite"] == "eddsa-jcs-2022"
    assert p["verificationMethod"] == KEY.public_key.verification_method
    assert p["proofPurpose"] == "assertionMethod"
    assert p["@context"] == DOC["@context"]
    assert len(base58.b58decode(p["proofValue"][1:])) == 64


def test_document_without_context_gets_no_proof_context() -> None:
    doc = {k: v for k, v in DOC.items() if k != "@context"}
    signed = proof.sign(doc, KEY)
    assert "@context" not in signed["proof"]
    assert _check(signed).ok


def test_other_proof_purpose() -> None:
    signed = proof.sign(DOC, KEY, proof_purpose="authentication")
    assert _check(signed).code == "PROOF_WRONG_PURPOSE"
    assert proof.verify(signed, KEY.public_key, expected_proof_purpose="authentication").ok


# --- the @context rule (vc-di-eddsa §3.3.2 step 4) -----------------------------------------


def test_context_appended_to_the_document_still_verifies_as_the_spec_says() -> None:
    doc = deep_copy(SIGNED)
    doc["@context"].append("https://example.org/extra")
    assert _check(doc).ok


def test_context_not_starting_with_the_proofs_is_refused() -> None:
    for context in (
        ["https://example.org/ctx", "https://www.w3.org/ns/credentials/v2"],  # reordered
        ["https://www.w3.org/ns/credentials/v2"],  # shorter than the proof's
        "https://www.w3.org/ns/credentials/v2",
        ["https://www.w3.org/ns/credentials/v2", "https://example.org/other"],
        None,
        42,
    ):
        doc = deep_copy(SIGNED)
        doc["@context"] = context
        assert _check(doc).code == "PROOF_CONTEXT_MISMATCH", context
    doc = deep_copy(SIGNED)
    del doc["@context"]
    assert _check(doc).code == "PROOF_CONTEXT_MISMATCH"


def test_proof_context_changed_or_removed_breaks_the_signature() -> None:
    assert _check(_with_proof(**{"@context": ["https://www.w3.org/ns/credentials/v2"]})).code == (
        "PROOF_SIGNATURE_INVALID"
    )
    assert _check(_with_proof(**{"@context": None})).code == "PROOF_SIGNATURE_INVALID"


def test_single_string_context() -> None:
    doc = {**DOC, "@context": "https://www.w3.org/ns/credentials/v2"}
    signed = proof.sign(doc, KEY)
    assert signed["proof"]["@context"] == "https://www.w3.org/ns/credentials/v2"
    assert _check(signed).ok
    widened = {**signed, "@context": ["https://www.w3.org/ns/credentials/v2", "https://x.example"]}
    assert _check(widened).ok


def test_context_values_compare_as_json_not_python() -> None:
    doc = {**DOC, "@context": [{"flag": True}]}
    signed = proof.sign(doc, KEY)
    assert _check(signed).ok
    assert _check({**signed, "@context": [{"flag": 1}]}).code == "PROOF_CONTEXT_MISMATCH"


# --- verification codes ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"type": "Ed25519Signature2020"}, "PROOF_WRONG_SUITE"),
        ({"cryptosuite": "eddsa-rdfc-2022"}, "PROOF_WRONG_SUITE"),
        ({"cryptosuite": None}, "PROOF_WRONG_SUITE"),
        ({"type": None}, "PROOF_WRONG_SUITE"),
        ({"proofValue": None}, "PROOF_MALFORMED"),
        ({"proofValue": 5}, "PROOF_MALFORMED"),
        ({"proofValue": "u" + "A" * 86}, "PROOF_MALFORMED"),
        ({"proofValue": "z" + "2" * 40}, "PROOF_MALFORMED"),
        ({"proofValue": "z0OIl"}, "PROOF_MALFORMED"),
        ({"verificationMethod": None}, "PROOF_MALFORMED"),
        ({"verificationMethod": ["did:key:x"]}, "PROOF_MALFORMED"),
        ({"created": "yesterday"}, "PROOF_MALFORMED"),
        ({"created": 20261126}, "PROOF_MALFORMED"),
        ({"proofPurpose": None}, "PROOF_MALFORMED"),
        ({"proofPurpose": "authentication"}, "PROOF_WRONG_PURPOSE"),
        ({"verificationMethod": OTHER.public_key.verification_method}, "PROOF_KEY_MISMATCH"),
        ({"verificationMethod": KEY.public_key.did}, "PROOF_KEY_MISMATCH"),
        ({"created": "2026-11-26T08:00:01Z"}, "PROOF_SIGNATURE_INVALID"),
        ({"created": None}, "PROOF_SIGNATURE_INVALID"),
        ({"nonce": "abc"}, "PROOF_SIGNATURE_INVALID"),
    ],
)
def test_verification_codes(changes: dict[str, Any], code: str) -> None:
    check = _check(_with_proof(**changes))
    assert check.code == code
    assert check.ok is False


def test_check_reports_the_claimed_method_and_time_even_on_failure() -> None:
    check = _check(_with_proof(created="2026-11-26T08:00:01Z"))
    assert check.verification_method == KEY.public_key.verification_method
    assert check.created == "2026-11-26T08:00:01Z"
    assert proof.verify(SIGNED, OTHER.public_key).verification_method == (
        KEY.public_key.verification_method
    )


@pytest.mark.parametrize(
    ("doc", "code"),
    [
        ({k: v for k, v in SIGNED.items() if k != "proof"}, "PROOF_MISSING"),
        ({**SIGNED, "proof": None}, "PROOF_MALFORMED"),
        ({**SIGNED, "proof": "z123"}, "PROOF_MALFORMED"),
        ({**SIGNED, "proof": [SIGNED["proof"]]}, "PROOF_MALFORMED"),
        (None, "PROOF_MALFORMED"),
        ([SIGNED], "PROOF_MALFORMED"),
        ("{}", "PROOF_MALFORMED"),
        ({**SIGNED, 1: "non-string key"}, "PROOF_MALFORMED"),  # type: ignore[misc]
        ({**SIGNED, "x": float("nan")}, "PROOF_MALFORMED"),
        ({**SIGNED, "x": b"bytes"}, "PROOF_MALFORMED"),
    ],
)
def test_malformed_documents(doc: Any, code: str) -> None:
    assert _check(doc).code == code


def test_any_change_to_the_document_breaks_the_signature() -> None:
    doc = deep_copy(SIGNED)
    doc["credentialSubject"]["score"] = 1.25
    assert _check(doc).code == "PROOF_SIGNATURE_INVALID"
    doc = deep_copy(SIGNED)
    doc["credentialSubject"]["tags"].reverse()
    assert _check(doc).code == "PROOF_SIGNATURE_INVALID"


def test_a_json_round_trip_keeps_the_proof_valid() -> None:
    assert _check(json.loads(json.dumps(SIGNED, ensure_ascii=False, indent=2))).ok
    assert _check(json.loads(json.dumps(SIGNED, sort_keys=True))).ok


def test_proof_of_and_verification_method_of_are_tolerant() -> None:
    assert proof.proof_of(SIGNED) == SIGNED["proof"]
    assert proof.verification_method_of(SIGNED) == KEY.public_key.verification_method
    junk: Any
    for junk in (
        None,
        1,
        "x",
        [],
        {},
        {"proof": []},
        {"proof": "x"},
        {"proof": {"verificationMethod": 3}},
    ):
        assert proof.verification_method_of(junk) is None
    assert proof.proof_of({"proof": [1]}) is None


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=150)
@given(st.data())
def test_any_byte_flip_in_the_signature_is_invalid(data: st.DataObject) -> None:
    signature = bytearray(proof.decode_proof_value(SIGNED["proof"]["proofValue"]))
    index = data.draw(st.integers(0, 63))
    signature[index] ^= data.draw(st.integers(1, 255))
    doc = _with_proof(proofValue=proof.encode_proof_value(bytes(signature)))
    assert _check(doc).code == "PROOF_SIGNATURE_INVALID"


@settings(max_examples=150)
@given(st.data())
def test_any_character_change_in_proof_value_is_invalid(data: st.DataObject) -> None:
    value = SIGNED["proof"]["proofValue"]
    index = data.draw(st.integers(0, len(value) - 1))
    char = data.draw(st.characters(codec="utf-8").filter(lambda c: c != value[index]))
    check = _check(_with_proof(proofValue=value[:index] + char + value[index + 1 :]))
    assert not check.ok
    assert check.code in {"PROOF_MALFORMED", "PROOF_SIGNATURE_INVALID"}


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(json_values(max_leaves=30))
def test_verify_never_raises_on_arbitrary_json(value: Any) -> None:
    check = _check(value)
    assert isinstance(check, proof.ProofCheck)
    assert not check.ok


@settings(max_examples=300)
@given(st.dictionaries(st.sampled_from([*SIGNED["proof"], "id", "x"]), json_values(10)))
def test_verify_never_raises_whatever_the_proof_fields_hold(fields: dict[str, Any]) -> None:
    doc = _with_proof(**{k: v for k, v in fields.items() if v is not None})
    check = _check(doc)
    assert isinstance(check, proof.ProofCheck)
    if any(doc["proof"].get(k) != SIGNED["proof"].get(k) for k in doc["proof"]):
        assert not check.ok


@settings(max_examples=200)
@given(json_values(max_leaves=30), json_values(max_leaves=10))
def test_verify_never_raises_with_arbitrary_proof_or_context(
    proof_value: Any, context: Any
) -> None:
    for doc in ({**SIGNED, "proof": proof_value}, {**SIGNED, "@context": context}):
        check = _check(doc)
        assert isinstance(check, proof.ProofCheck)


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2023-02-29T00:00:00Z", False),  # 2023 is not a leap year
        ("2024-02-29T00:00:00Z", True),
        ("2100-02-29T00:00:00Z", False),  # a century, not divisible by 400
        ("2000-02-29T00:00:00Z", True),
        ("2026-04-31T00:00:00Z", False),
        ("0000-02-29T00:00:00Z", True),  # year 0000 is a leap year, like 2000
    ],
)
def test_xsd_datetime_wants_a_real_calendar_day(value: str, valid: bool) -> None:
    assert proof.is_xsd_datetime(value) is valid


# --- exact codes and boundaries of each step ------------------------------------------------


class _NoOffset(dt.tzinfo):
    """A tzinfo that does not know its offset: the instant is as unknown as a naive one's."""

    def utcoffset(self, when: dt.datetime | None) -> dt.timedelta | None:
        return None


@pytest.mark.parametrize(
    "created",
    [
        dt.datetime(2026, 11, 26),
        dt.datetime(2026, 11, 26, tzinfo=_NoOffset()),
        "2026-11-26",
        "2026-11-26T08:00:00",
        "2026-02-30T00:00:00Z",
        "now",
        20261126,
    ],
)
def test_bad_created_is_refused_with_its_code(created: Any) -> None:
    with pytest.raises(ProofError) as info:
        proof.sign(DOC, KEY, created=created)
    assert info.value.code == "PROOF_CREATED"


def test_created_strings_are_kept_as_given() -> None:
    for created in ("2026-11-26T16:00:00+08:00", "2026-11-26T08:00:00.5Z"):
        assert proof.sign(DOC, KEY, created=created)["proof"]["created"] == created
        assert proof.format_created(created) == created


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("2026-11-26T08:00:00", True),  # the timezone is optional in XSD dateTime
        ("2026-11-26T24:00:00Z", True),
        ("2026-11-26T24:00:01Z", False),
        ("2026-11-26T08:00:00+14:00", True),
        ("2026-11-26T08:00:00+14:01", False),
        ("9999-02-29T00:00:00Z", False),  # still inside Python's calendar: checked
        ("10000-02-30T00:00:00Z", True),  # beyond it: the lexical check is all XSD asks
        ("-0001-02-30T00:00:00Z", True),  # a negative year, lexical only
        ("2026-11-26T08:00:00Zjunk", False),
        ("x2026-11-26T08:00:00Z", False),
        (None, False),
        (20261126, False),
    ],
)
def test_xsd_datetime_lexical_space(value: Any, valid: bool) -> None:
    assert proof.is_xsd_datetime(value) is valid


def test_xsd_datetime_stamp_needs_its_timezone() -> None:
    assert proof.is_xsd_datetime("2026-11-26T08:00:00Z", require_timezone=True)
    assert proof.is_xsd_datetime("2026-11-26T08:00:00-05:30", require_timezone=True)
    assert not proof.is_xsd_datetime("2026-11-26T08:00:00", require_timezone=True)


@pytest.mark.parametrize(
    ("method", "purpose"),
    [("", "assertionMethod"), (None, "assertionMethod"), ("did:key:z", ""), ("did:key:z", 5)],
)
def test_proof_options_need_a_method_and_a_purpose(method: Any, purpose: Any) -> None:
    with pytest.raises(ProofError) as info:
        proof.proof_options(DOC, method, created=CREATED, proof_purpose=purpose)
    assert info.value.code == "PROOF_OPTIONS"


OPTIONS = proof.proof_options(DOC, KEY.public_key.verification_method, created=CREATED)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"type": "Ed25519Signature2020"}, "PROOF_WRONG_SUITE"),
        ({"cryptosuite": "eddsa-rdfc-2022"}, "PROOF_WRONG_SUITE"),
        ({"created": "yesterday"}, "PROOF_CREATED"),
        ({"created": 5}, "PROOF_CREATED"),
    ],
)
def test_canonical_proof_config_checks_its_options(changes: dict[str, Any], code: str) -> None:
    with pytest.raises(ProofError) as info:
        proof.canonical_proof_config({**OPTIONS, **changes})
    assert info.value.code == code


def test_canonical_proof_config_without_created_is_its_jcs() -> None:
    options = {k: v for k, v in OPTIONS.items() if k not in ("created", "@context")}
    assert proof.canonical_proof_config(options) == (
        b'{"cryptosuite":"eddsa-jcs-2022","proofPurpose":"assertionMethod","type":'
        b'"DataIntegrityProof","verificationMethod":"'
        + KEY.public_key.verification_method.encode()
        + b'"}'
    )


def test_canonical_document_takes_an_object_without_proof() -> None:
    assert proof.canonical_document({"b": 1, "a": "x"}) == b'{"a":"x","b":1}'
    with pytest.raises(ProofError) as info:
        proof.canonical_document(SIGNED)
    assert info.value.code == "PROOF_PRESENT"
    with pytest.raises(ProofError) as info:
        proof.canonical_document(["a"])  # type: ignore[arg-type]
    assert info.value.code == "PROOF_INPUT"


@pytest.mark.parametrize("signature", [bytes(63), bytes(65), "x" * 64, bytearray(64)])
def test_encode_proof_value_wants_64_bytes(signature: Any) -> None:
    with pytest.raises(ProofError) as info:
        proof.encode_proof_value(signature)
    assert info.value.code == "PROOF_VALUE"


@pytest.mark.parametrize(
    "value", ["z" + "1" * 63, "z" + "1" * 65, "z", "", None, b"z1", "u" + "1" * 64, "z0" + "1" * 63]
)
def test_decode_proof_value_wants_64_bytes_in_base58btc(value: Any) -> None:
    with pytest.raises(ProofError) as info:
        proof.decode_proof_value(value)
    assert info.value.code == "PROOF_VALUE"


def test_proof_values_round_trip_at_the_extremes() -> None:
    for signature in (bytes(64), b"\xff" * 64, b"\x00" + b"\xff" * 63):
        assert proof.decode_proof_value(proof.encode_proof_value(signature)) == signature
    assert proof.encode_proof_value(bytes(64)) == "z" + "1" * 64


def test_sign_refuses_what_is_not_an_object_or_not_a_key() -> None:
    with pytest.raises(ProofError) as info:
        proof.sign(["not", "an", "object"], KEY)  # type: ignore[arg-type]
    assert info.value.code == "PROOF_INPUT"
    with pytest.raises(TypeError):
        proof.sign(DOC, KEY.public_key)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        proof.verify(SIGNED, KEY)  # type: ignore[arg-type]


def test_any_mapping_is_a_json_object() -> None:
    frozen = types.MappingProxyType({**SIGNED, "proof": types.MappingProxyType(SIGNED["proof"])})
    assert _check(frozen).ok
    assert proof.proof_of(frozen) == SIGNED["proof"]
    assert proof.verification_method_of(frozen) == KEY.public_key.verification_method
    signed = proof.sign(types.MappingProxyType(DOC), KEY, created=CREATED)
    assert signed == SIGNED


@pytest.mark.parametrize(
    ("doc", "code", "method", "created"),
    [
        (_with_proof(created=20261126), "PROOF_MALFORMED", "vm", None),
        (_with_proof(verificationMethod=5), "PROOF_MALFORMED", None, CREATED),
        (_with_proof(proofPurpose=5), "PROOF_MALFORMED", "vm", CREATED),
        (_with_proof(proofPurpose=["assertionMethod"]), "PROOF_MALFORMED", "vm", CREATED),
        ({**SIGNED, "proof": [SIGNED["proof"]]}, "PROOF_MALFORMED", None, None),
        ({**SIGNED, "proof": "z"}, "PROOF_MALFORMED", None, None),
        ({"x": 1}, "PROOF_MISSING", None, None),
    ],
)
def test_the_check_names_what_the_proof_claims(
    doc: Any, code: str, method: str | None, created: str | None
) -> None:
    check = _check(doc)
    assert (check.ok, check.code) == (False, code)
    vm = KEY.public_key.verification_method if method == "vm" else method
    assert (check.verification_method, check.created) == (vm, created)


def test_proof_context_that_is_not_a_context_is_a_mismatch() -> None:
    for context in (42, True, 1.5):
        assert _check(_with_proof(**{"@context": context})).code == "PROOF_CONTEXT_MISMATCH"


def test_object_and_unicode_contexts_may_be_followed_by_more() -> None:
    for context in ([{"flag": True}], ["https://例子.example/ctx"], [{"@vocab": "x"}, "https://a"]):
        signed = proof.sign({**DOC, "@context": context}, KEY, created=CREATED)
        assert _check(signed).ok
        assert _check({**signed, "@context": [*context, "https://x.example"]}).ok
        assert _check({**signed, "@context": ["https://x.example", *context]}).code == (
            "PROOF_CONTEXT_MISMATCH"
        )
        assert _check({**signed, "@context": context[:-1]}).code == "PROOF_CONTEXT_MISMATCH"


def _plain_cases() -> list[Any]:
    appended = deep_copy(SIGNED)
    appended["@context"].append("https://example.org/extra")
    changed = deep_copy(SIGNED)
    changed["credentialSubject"]["name"] = "张三"
    no_context = proof.sign({k: v for k, v in DOC.items() if k != "@context"}, KEY)
    return [
        SIGNED,
        appended,
        changed,
        no_context,
        _with_proof(created="2026-11-26T08:00:01Z"),
        _with_proof(nonce="abc"),
        _with_proof(created="yesterday"),
        _with_proof(created=20261126),
        _with_proof(type="Ed25519Signature2020"),
        _with_proof(**{"@context": ["https://www.w3.org/ns/credentials/v2"]}),
        {**SIGNED, "@context": ["https://example.org/ctx"]},
    ]


@pytest.mark.parametrize("doc", _plain_cases())
def test_plain_verification_gives_the_same_result(doc: dict[str, Any]) -> None:
    # `plain=True` (the verifier found the document plain JSON) takes no walk, same answer.
    assert proof.verify(doc, KEY.public_key, plain=True) == proof.verify(doc, KEY.public_key)


def test_long_values_are_shortened_in_messages() -> None:
    long_type = "T" * 500
    check = _check(_with_proof(type=long_type))
    assert check.code == "PROOF_WRONG_SUITE"
    assert repr(long_type)[:77] + "..." in check.message
    assert repr(long_type)[:78] not in check.message
    exactly = "T" * 78  # repr adds two quotes: 80 characters, kept whole
    assert repr(exactly) in _check(_with_proof(type=exactly)).message
    longer = "T" * 79  # 81 characters with its quotes: shortened
    assert repr(longer)[:77] + "..." in _check(_with_proof(type=longer)).message


def test_created_is_utc_whatever_the_local_time_zone(monkeypatch: pytest.MonkeyPatch) -> None:
    china = dt.timezone(dt.timedelta(hours=8))
    monkeypatch.setenv("TZ", "CST-8")  # POSIX spelling of UTC+8, no zone database needed
    time.tzset()
    try:
        created = dt.datetime(2026, 11, 26, 16, 0, 0, tzinfo=china)
        assert proof.format_created(created) == "2026-11-26T08:00:00Z"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_a_created_string_of_a_str_subclass_is_read_as_its_text() -> None:
    class Text(str):
        pass

    check = _check(_with_proof(created=Text(CREATED)))
    assert (check.ok, check.code, check.created) == (True, "PROOF_OK", CREATED)


def test_a_document_without_a_canonical_form_still_names_the_claimed_key() -> None:
    check = _check({**SIGNED, "x": float("nan")})
    assert (check.ok, check.code) == (False, "PROOF_MALFORMED")
    assert (check.verification_method, check.created) == (
        KEY.public_key.verification_method,
        CREATED,
    )
