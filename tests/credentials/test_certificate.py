"""credentials.certificate: the certificate credential, its schema, and independent verification."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from typing import Any

import base58
import nacl.exceptions
import nacl.signing
import pytest
import rfc8785
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from credentials import _proof as proof
from credentials import certificate
from credentials.binding import check as check_binding
from credentials.binding import commit
from credentials.certificate import (
    CONTEXT_URL,
    SCHEMA_URL,
    Level,
    StatusEntry,
    build_certificate,
    issue_certificate,
    validate_certificate,
)
from credentials.errors import SchemaError
from credentials.keys import SigningKey
from tests.credentials._support import (
    FAST_PARAMS,
    HOLDER_ID,
    SAMPLE_STATUS,
    VECTORS,
    certificate_number,
    deep_copy,
    get_at,
    issuer_key,
    json_values,
    paths,
    sample_certificate,
    sample_claims,
)

SIGNED = sample_certificate()
PUBLIC = issuer_key().public_key


# --- an independent eddsa-jcs-2022 verifier -------------------------------------------------
# Written from the W3C Recommendation (vc-di-eddsa §3.3) against rfc8785, hashlib and PyNaCl
# only: it shares no code with credentials._proof or credentials.keys.


def independent_verify(secured: dict[str, Any], public_key_multibase: str) -> bool:
    proof_obj = secured.get("proof")
    if not isinstance(proof_obj, dict):
        return False
    if proof_obj.get("type") != "DataIntegrityProof":
        return False
    if proof_obj.get("cryptosuite") != "eddsa-jcs-2022":
        return False
    did, _, fragment = str(proof_obj.get("verificationMethod")).partition("#")
    if did != "did:key:" + public_key_multibase or fragment != public_key_multibase:
        return False
    multikey = base58.b58decode(public_key_multibase[1:])
    if public_key_multibase[0] != "z" or multikey[:2] != b"\xed\x01" or len(multikey) != 34:
        return False
    proof_value = proof_obj.get("proofValue")
    if not isinstance(proof_value, str) or not proof_value.startswith("z"):
        return False
    signature = base58.b58decode(proof_value[1:])

    unsecured = {k: v for k, v in secured.items() if k != "proof"}
    options = {k: v for k, v in proof_obj.items() if k != "proofValue"}
    if "@context" in options:
        doc_ctx = secured.get("@context")
        doc_ctx = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
        prf_ctx = options["@context"]
        prf_ctx = prf_ctx if isinstance(prf_ctx, list) else [prf_ctx]
        if doc_ctx[: len(prf_ctx)] != prf_ctx:
            return False
        unsecured["@context"] = options["@context"]
    hash_data = (
        hashlib.sha256(rfc8785.dumps(options)).digest()
        + hashlib.sha256(rfc8785.dumps(unsecured)).digest()
    )
    try:
        nacl.signing.VerifyKey(multikey[2:]).verify(hash_data, signature)
    except nacl.exceptions.BadSignatureError:
        return False
    return True


def test_independent_verifier_agrees_with_the_w3c_vector() -> None:
    signed = json.loads((VECTORS / "signedJCS.json").read_text())
    key = json.loads((VECTORS / "keyPair.json").read_text())["publicKeyMultibase"]
    assert independent_verify(signed, key)
    signed["name"] = "Altered"
    assert not independent_verify(signed, key)


def test_issued_certificate_verifies_with_the_independent_implementation() -> None:
    assert independent_verify(SIGNED, PUBLIC.multibase)
    fresh = issue_certificate(
        sample_claims(
            holder_name="王五",
            level=Level.SENIOR,
            certificate_number=certificate_number(level=3, field="03"),
            field_code="03",
        ),
        SigningKey.generate(),
        binding=commit(HOLDER_ID, params=FAST_PARAMS),
        status=StatusEntry("https://dte-registry.cn/status/7", 0),
    )
    key = fresh["proof"]["verificationMethod"].partition("#")[2]
    assert independent_verify(fresh, key)
    assert independent_verify(json.loads(json.dumps(fresh, ensure_ascii=False)), key)
    tampered = deep_copy(fresh)
    tampered["credentialSubject"]["name"] = "赵六"
    assert not independent_verify(tampered, key)


# --- the document -----------------------------------------------------------------------------


def test_built_certificate() -> None:
    binding = commit(HOLDER_ID, salt=bytes(16), params=FAST_PARAMS)
    doc = build_certificate(sample_claims(), binding=binding, status=SAMPLE_STATUS)
    number = certificate_number()
    assert doc == {
        "@context": ["https://www.w3.org/ns/credentials/v2", CONTEXT_URL],
        "id": f"urn:dte:certificate:{number}",
        "type": ["VerifiableCredential", "ProfessionalTechnicalLevelCertificate"],
        "issuer": {"id": "urn:uscc:91350100M000100Y43", "name": "示例数字技术评价中心"},
        "validFrom": "2026-11-26T00:00:00Z",
        "credentialSubject": {
            "type": "CertificateHolder",
            "name": "张三",
            "holderBinding": binding,
            "certificate": {
                "number": number,
                "occupation": {"code": "2-02-10-09", "name": "人工智能工程技术人员"},
                "direction": "计算机视觉产品实现",
                "level": {"code": 1, "name": "初级"},
                "field": "01",
            },
        },
        "credentialStatus": {
            "id": "https://dte-registry.cn/status/1#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://dte-registry.cn/status/1",
        },
        "credentialSchema": {"id": SCHEMA_URL, "type": "JsonSchema"},
    }
    assert validate_certificate(doc) == []


def test_issued_certificate_is_valid_signed_and_bound() -> None:
    assert validate_certificate(SIGNED) == []
    assert proof.verify(SIGNED, PUBLIC).ok
    assert SIGNED["proof"]["created"] == "2026-11-26T08:00:00Z"
    assert check_binding(SIGNED["credentialSubject"]["holderBinding"], HOLDER_ID).ok


def test_no_id_number_and_no_scores_in_the_credential() -> None:
    text = json.dumps(SIGNED, ensure_ascii=False)
    assert HOLDER_ID not in text and HOLDER_ID[:14] not in text
    keys = {str(p[-1]).lower() for p, _ in paths(SIGNED)}
    assert not keys & {"idnumber", "score", "scores", "theory", "skill"}


@pytest.mark.parametrize("level", list(Level))
def test_levels(level: Level) -> None:
    doc = sample_certificate(level=level, certificate_number=certificate_number(level=int(level)))
    assert doc["credentialSubject"]["certificate"]["level"] == {
        "code": int(level),
        "name": {1: "初级", 2: "中级", 3: "高级"}[int(level)],
    }
    assert validate_certificate(doc) == []


def test_direction_is_optional() -> None:
    doc = sample_certificate(direction=None)
    assert "direction" not in doc["credentialSubject"]["certificate"]
    assert validate_certificate(doc) == [] and proof.verify(doc, PUBLIC).ok


def test_valid_from_datetime_is_written_in_utc() -> None:
    china = dt.timezone(dt.timedelta(hours=8))
    doc = sample_certificate(valid_from=dt.datetime(2026, 11, 26, 9, 30, tzinfo=china))
    assert doc["validFrom"] == "2026-11-26T01:30:00Z"
    with pytest.raises(SchemaError):
        sample_certificate(valid_from=dt.datetime(2026, 11, 26, 9, 30))


@pytest.mark.parametrize(
    "overrides",
    [
        {"issuer_uscc": "91350100M000100Y44"},  # check character wrong
        {"issuer_uscc": "91350100M000100I43"},  # I is not in the alphabet
        {"certificate_number": "Z11000126101000001" + "9"},
        {"field_code": "11"},
        {"occupation_code": "2-02-10"},
        {"holder_name": ""},
        {"holder_name": " 张三"},
        {"holder_name": "张三\n"},
        {"valid_from": "2026-11-26"},
        {"valid_from": "2026-11-26T00:00:00"},
        {"valid_from": "2026-13-01T00:00:00Z"},
        {"level": 4},
    ],
)
def test_issue_refuses_invalid_claims_and_signs_nothing(overrides: dict[str, Any]) -> None:
    with pytest.raises(SchemaError) as info:
        sample_certificate(**overrides)
    assert info.value.code in {"CERTIFICATE_SCHEMA", "CERTIFICATE_CLAIMS"}
    if info.value.code == "CERTIFICATE_SCHEMA":
        assert info.value.problems


def test_issue_refuses_a_bad_binding_or_status() -> None:
    claims = sample_claims()
    binding = commit(HOLDER_ID, params=FAST_PARAMS)
    with pytest.raises(SchemaError):
        issue_certificate(
            claims, issuer_key(), binding={**binding, "idNumber": HOLDER_ID}, status=SAMPLE_STATUS
        )
    with pytest.raises(SchemaError):
        issue_certificate(
            claims,
            issuer_key(),
            binding=binding,
            status=StatusEntry("http://insecure.example/list", 1),
        )
    with pytest.raises(SchemaError):
        issue_certificate(
            claims,
            issuer_key(),
            binding=binding,
            status={**SAMPLE_STATUS.to_json(), "statusListIndex": 94567},
        )


# --- the schema -----------------------------------------------------------------------------


def _problems(mutate: Any) -> list[certificate.SchemaProblem]:
    doc = deep_copy(SIGNED)
    mutate(doc)
    return validate_certificate(doc)


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda d: d.update(extra=1), ""),
        (lambda d: d["credentialSubject"].update(idNumber=HOLDER_ID), "/credentialSubject"),
        (
            lambda d: d["credentialSubject"]["certificate"].update(score=90),
            "/credentialSubject/certificate",
        ),
        (lambda d: d["@context"].append("https://example.org/extra"), "/@context"),
        (lambda d: d["type"].reverse(), "/type"),
        (
            lambda d: d.update(id="urn:dte:certificate:" + certificate_number(serial="000002")),
            "/id",
        ),
        (
            lambda d: d["credentialSubject"]["certificate"].update(field="02"),
            "/credentialSubject/certificate/field",
        ),
        (
            lambda d: d["credentialSubject"]["certificate"].update(
                level={"code": 1, "name": "中级"}
            ),
            "/credentialSubject/certificate/level",
        ),
        (
            lambda d: d["credentialSubject"]["certificate"].update(
                level={"code": 2, "name": "中级"}
            ),
            "/credentialSubject/certificate/level",
        ),
        (
            lambda d: d["credentialSubject"]["certificate"].update(
                level={"code": True, "name": "初级"}
            ),
            "/credentialSubject/certificate/level",
        ),
        (
            lambda d: d["credentialStatus"].update(id="https://dte-registry.cn/status/1#1"),
            "/credentialStatus/id",
        ),
        (
            lambda d: d["credentialStatus"].update(statusPurpose="suspension"),
            "/credentialStatus/statusPurpose",
        ),
        (
            lambda d: d["credentialSchema"].update(id="https://evil.example/schema.json"),
            "/credentialSchema",
        ),
        (
            lambda d: d["credentialSubject"]["holderBinding"].update(memlimit=1 << 30),
            "/credentialSubject/holderBinding/memlimit",
        ),
        (lambda d: d["proof"].update(proofPurpose="authentication"), "/proof/proofPurpose"),
        (lambda d: d["proof"].update(created="2026-11-26T08:00:00Z\n"), "/proof/created"),
        (lambda d: d["issuer"].update(id="urn:uscc:91350100M000100Y43\n"), "/issuer/id"),
        (lambda d: d.pop("credentialStatus"), ""),
    ],
)
def test_schema_problems_have_paths(mutate: Any, path: str) -> None:
    problems = _problems(mutate)
    assert problems, "expected a problem"
    assert path in {p.path for p in problems}, problems


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow])
@given(json_values(max_leaves=30))
def test_validate_never_raises(value: Any) -> None:
    problems = validate_certificate(value)
    assert problems and all(isinstance(p, certificate.SchemaProblem) for p in problems)


def test_validate_handles_non_json_input() -> None:
    for junk in ({"a": float("nan")}, {1: 2}, object(), b"{}"):
        problems = validate_certificate(junk)
        assert problems and problems[0].path == ""


def test_schema_and_code_agree() -> None:
    schema = certificate.load_schema()
    assert schema["$id"] == SCHEMA_URL
    assert schema["properties"]["credentialSchema"]["const"] == {
        "id": SCHEMA_URL,
        "type": "JsonSchema",
    }
    assert schema["properties"]["@context"]["const"] == [certificate.VC_CONTEXT, CONTEXT_URL]
    assert schema["$defs"]["proof"]["properties"]["@context"]["const"] == [
        certificate.VC_CONTEXT,
        CONTEXT_URL,
    ]


def test_context_defines_every_project_term() -> None:
    context = certificate.load_context()["@context"]
    assert context["@protected"] is True
    defined_by_vc_v2 = {
        "id",
        "type",
        "name",
        "@context",
        "issuer",
        "validFrom",
        "credentialSubject",
        "credentialStatus",
        "credentialSchema",
        "proof",
        "statusPurpose",
        "statusListIndex",
        "statusListCredential",
        "cryptosuite",
        "created",
        "verificationMethod",
        "proofPurpose",
        "proofValue",
    }
    used = {p[-1] for p, _ in paths(SIGNED) if isinstance(p[-1], str)}
    assert used - defined_by_vc_v2 - set(context) == set()
    types = {
        SIGNED["type"][1],
        SIGNED["credentialSubject"]["type"],
        SIGNED["credentialSubject"]["holderBinding"]["type"],
    }
    assert types <= set(context)


# --- every single-field change is caught ----------------------------------------------------

ALL_PATHS = [p for p, _ in paths(SIGNED)]
LEAF_PATHS = [p for p, v in paths(SIGNED) if not isinstance(v, dict | list)]
OBJECT_PATHS = [()] + [p for p, v in paths(SIGNED) if isinstance(v, dict)]
LIST_PATHS = [p for p, v in paths(SIGNED) if isinstance(v, list)]


def _verify(doc: dict[str, Any]) -> proof.ProofCheck:
    return proof.verify(doc, PUBLIC)


@pytest.mark.parametrize("path", ALL_PATHS, ids=["/".join(map(str, p)) for p in ALL_PATHS])
def test_removing_any_member_or_element_is_invalid(path: tuple[Any, ...]) -> None:
    doc = deep_copy(SIGNED)
    del get_at(doc, path[:-1])[path[-1]]
    assert not _verify(doc).ok


@settings(max_examples=8, deadline=None)
@pytest.mark.parametrize("path", LEAF_PATHS, ids=["/".join(map(str, p)) for p in LEAF_PATHS])
@given(replacement=json_values(max_leaves=4))
def test_changing_any_leaf_is_invalid(path: tuple[Any, ...], replacement: Any) -> None:
    original = get_at(SIGNED, path)
    assume(rfc8785.dumps(replacement) != rfc8785.dumps(original))
    doc = deep_copy(SIGNED)
    get_at(doc, path[:-1])[path[-1]] = replacement
    assert not _verify(doc).ok


@settings(max_examples=40, deadline=None)
@given(data=st.data())
def test_changing_any_leaf_slightly_is_invalid(data: st.DataObject) -> None:
    # Near misses: one character changed, a number off by one.
    path = data.draw(st.sampled_from(LEAF_PATHS))
    original = get_at(SIGNED, path)
    if isinstance(original, str) and original:
        i = data.draw(st.integers(0, len(original) - 1))
        new: Any = original[:i] + data.draw(st.characters().filter(lambda c: c != original[i]))
        new += original[i + 1 :]
    elif isinstance(original, int):
        new = original + data.draw(st.sampled_from([-1, 1]))
    else:
        new = None
    assume(new is not None and new != original)
    doc = deep_copy(SIGNED)
    get_at(doc, path[:-1])[path[-1]] = new
    assert not _verify(doc).ok


@settings(max_examples=8, deadline=None)
@pytest.mark.parametrize(
    "path", OBJECT_PATHS, ids=["/" + "/".join(map(str, p)) for p in OBJECT_PATHS]
)
@given(name=st.text(min_size=1, max_size=10), value=json_values(max_leaves=4))
def test_adding_a_member_to_any_object_is_invalid(
    path: tuple[Any, ...], name: str, value: Any
) -> None:
    target = get_at(SIGNED, path)
    assume(name not in target)
    doc = deep_copy(SIGNED)
    get_at(doc, path)[name] = value
    assert not _verify(doc).ok


@settings(max_examples=5, deadline=None)
@pytest.mark.parametrize("path", LIST_PATHS, ids=["/".join(map(str, p)) for p in LIST_PATHS])
@given(value=json_values(max_leaves=4))
def test_appending_to_any_list_is_invalid(path: tuple[Any, ...], value: Any) -> None:
    doc = deep_copy(SIGNED)
    get_at(doc, path).append(value)
    if path == ("@context",):
        # vc-di-eddsa lets a document's @context grow past the proof's (§3.3.2 step 4); the
        # signature holds, and the certificate schema is what refuses it.
        assert _verify(doc).ok
        assert "/@context" in {p.path for p in validate_certificate(doc)}
    else:
        assert not _verify(doc).ok
