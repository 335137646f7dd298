"""credentials._proof: sign/verify behaviour, the @context rule, and robustness."""

from __future__ import annotations

import datetime as dt
import json
import re
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
SIGNED = proof.sign(DOC, KEY, created="2026-11-26T08:00:00Z")


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
