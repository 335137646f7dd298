"""The offline verifier: one report, every check, and nothing claimed past a failed signature."""

from __future__ import annotations

import copy
import datetime as dt
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from credentials import _proof as proof
from credentials._jcs import canonicalize
from credentials.bundle import TrustBundle, load_bundle
from credentials.errors import CanonicalizationError
from credentials.verifier import (
    CHECK_NAMES,
    Status,
    Verdict,
    VerificationReport,
    verify_credential,
)
from tests.credentials._support import (
    AI_2022,
    BUNDLE_ISSUED,
    CARD,
    ISSUER_A,
    NEW_KEY,
    NOW,
    OLD_KEY,
    OTHER_CARD,
    OTHER_STATUS_URL,
    REVOKED_INDEX,
    STATUS_URL,
    STRANGER_KEY,
    TRAINING_KEY,
    USCC_B,
    at,
    bundle_document,
    issue,
    revocation_list,
    root_public,
)

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=30)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=25,
)


@pytest.fixture(scope="module")
def bundle() -> TrustBundle:
    return load_bundle(bundle_document(), root_public())


@pytest.fixture(scope="module")
def certificate() -> dict[str, Any]:
    return issue()


def verify(credential: Any, bundle: TrustBundle, **kwargs: Any) -> VerificationReport:
    kwargs.setdefault("now", NOW)
    return verify_credential(credential, bundle=bundle, **kwargs)


def statuses(report: VerificationReport) -> dict[str, Status]:
    return {c.name: c.status for c in report.checks}


def assert_well_formed(report: VerificationReport) -> None:
    assert tuple(c.name for c in report.checks) == CHECK_NAMES
    data = json.loads(report.to_json())
    assert data["verdict"] == report.verdict.value
    assert [c["name"] for c in data["checks"]] == list(CHECK_NAMES)
    if report.verdict is Verdict.VALID:
        assert all(
            c.status is Status.PASS
            for c in report.checks
            if c.name not in ("holder_binding", "in_log")
        )


# --- the good path ----------------------------------------------------------------------------


def test_a_genuine_certificate_is_valid(bundle: TrustBundle, certificate: dict[str, Any]) -> None:
    report = verify(certificate, bundle)
    assert_well_formed(report)
    assert report.verdict is Verdict.VALID and report.valid
    assert statuses(report) == {
        "input": Status.PASS,
        "proof": Status.PASS,
        "issuer_key": Status.PASS,
        "issuer_listed": Status.PASS,
        "status": Status.PASS,
        "schema": Status.PASS,
        "holder_binding": Status.SKIPPED,
        "in_log": Status.SKIPPED,
    }
    status = report.check("status")
    assert status.details["bundleAgeSeconds"] == int((NOW - BUNDLE_ISSUED).total_seconds())
    assert "1 d 12 h old" in status.message
    assert report.to_dict()["bundle"]["sequence"] == 7


def test_the_right_card_passes_and_any_other_fails(
    bundle: TrustBundle, certificate: dict[str, Any]
) -> None:
    good = verify(certificate, bundle, card_number=CARD.lower())
    assert good.verdict is Verdict.VALID
    assert good.check("holder_binding").status is Status.PASS
    other = verify(certificate, bundle, card_number=OTHER_CARD)
    assert other.verdict is Verdict.INVALID
    assert other.check("holder_binding").code == "BINDING_MISMATCH"
    typo = verify(certificate, bundle, card_number=CARD[:-1] + "1")
    assert typo.check("holder_binding").status is Status.FAIL
    assert CARD not in typo.to_json() and CARD[:-1] not in typo.to_json()


# --- keys -------------------------------------------------------------------------------------


def test_a_retired_key_alone_cannot_confirm_a_certificate_from_its_window(
    bundle: TrustBundle,
) -> None:
    """Its signature, window and listing pass, as a back-dated forgery's would: without the
    log (tests/credentials/test_in_log.py) it is UNCONFIRMED, never VALID (issue 15)."""
    old = issue(key=OLD_KEY, when=at("2024-06-01T02:00:00"), serial=2)
    report = verify(old, bundle)
    assert report.verdict is Verdict.UNCONFIRMED and not report.valid
    assert "retired" in report.check("issuer_key").message
    assert report.check("issuer_key").status is Status.PASS
    in_log = report.check("in_log")
    assert (in_log.status, in_log.code) == (Status.UNKNOWN, "LOG_CONFIRMATION_REQUIRED")


def test_a_retired_key_does_not_verify_a_certificate_made_after_retirement(
    bundle: TrustBundle,
) -> None:
    late = issue(key=OLD_KEY, when=at("2025-06-01T02:00:00"), serial=3)
    report = verify(late, bundle)
    assert report.verdict is Verdict.INVALID
    assert report.check("proof").status is Status.PASS
    assert report.check("issuer_key").code == "KEY_RETIRED"


def test_a_new_key_does_not_verify_a_certificate_dated_before_it(bundle: TrustBundle) -> None:
    early = issue(key=NEW_KEY, when=at("2024-06-01T02:00:00"), serial=4)
    report = verify(early, bundle)
    assert report.check("issuer_key").code == "KEY_NOT_YET_VALID"
    assert report.verdict is Verdict.INVALID


def test_a_self_made_key_is_not_the_issuers(bundle: TrustBundle) -> None:
    forged = issue(key=STRANGER_KEY, serial=5)
    report = verify(forged, bundle)
    assert report.verdict is Verdict.INVALID
    assert report.check("issuer_key").code == "KEY_NOT_IN_BUNDLE"


def test_another_institutions_key_is_not_the_issuers(bundle: TrustBundle) -> None:
    forged = issue(key=TRAINING_KEY, serial=6)  # claims issuer A, signed with B's key
    report = verify(forged, bundle)
    assert report.check("issuer_key").code == "KEY_NOT_ISSUERS"
    assert report.verdict is Verdict.INVALID


def test_a_certificate_from_the_future(bundle: TrustBundle) -> None:
    future = issue(when=NOW + dt.timedelta(days=3), serial=7)
    report = verify(future, bundle)
    assert report.check("issuer_key").code == "ISSUED_IN_FUTURE"


# --- listing and scope ------------------------------------------------------------------------


def test_issuer_not_listed_on_the_issuance_day(bundle: TrustBundle) -> None:
    gap = issue(when=at("2026-02-01T02:00:00"), serial=8)
    report = verify(gap, bundle)
    assert report.verdict is Verdict.INVALID
    assert report.check("issuer_listed").code == "NOT_LISTED_ON_DATE"
    assert report.check("issuer_key").status is Status.PASS


def test_the_issuance_day_is_the_china_calendar_day(bundle: TrustBundle) -> None:
    # 2025-12-31 20:00 UTC is already 2026-01-01 in Beijing, inside the gap.
    report = verify(issue(when=at("2025-12-31T20:00:00"), serial=9), bundle)
    assert report.check("issuer_listed").code == "NOT_LISTED_ON_DATE"
    assert report.check("issuer_listed").details["issuanceDate"] == "2026-01-01"
    report = verify(issue(when=at("2025-12-31T15:00:00"), serial=10), bundle)
    assert report.check("issuer_listed").status is Status.PASS


def test_level_out_of_scope(bundle: TrustBundle) -> None:
    senior = issue(level=3, serial=11)
    report = verify(senior, bundle)
    assert report.verdict is Verdict.INVALID
    assert report.check("issuer_listed").code == "OUT_OF_SCOPE"
    later = issue(level=3, when=at("2026-06-01T02:00:00"), serial=12)
    assert verify(later, bundle).verdict is Verdict.VALID


def test_occupation_out_of_scope(bundle: TrustBundle) -> None:
    cloud = issue(occupation="2-02-10-12", serial=13)
    assert verify(cloud, bundle).check("issuer_listed").code == "OUT_OF_SCOPE"


def test_the_2022_occupation_code_is_the_same_occupation(bundle: TrustBundle) -> None:
    assert verify(issue(occupation=AI_2022, serial=14), bundle).verdict is Verdict.VALID


def test_a_training_institution_does_not_issue_level_certificates(bundle: TrustBundle) -> None:
    report = verify(issue(key=TRAINING_KEY, uscc=USCC_B, serial=15), bundle)
    assert report.check("issuer_key").status is Status.PASS
    assert report.check("issuer_listed").code == "ISSUER_NOT_EVALUATION"
    assert report.verdict is Verdict.INVALID


# --- status -----------------------------------------------------------------------------------


def test_a_revoked_certificate_is_invalid(bundle: TrustBundle) -> None:
    revoked = issue(index=REVOKED_INDEX, serial=16)
    report = verify(revoked, bundle)
    assert report.verdict is Verdict.INVALID
    assert report.check("status").code == "REVOKED"
    # Even with a bundle too old to vouch for "not revoked", a revocation it shows is final.
    old = verify(revoked, bundle, now=NOW + dt.timedelta(days=60))
    assert old.check("status").code == "REVOKED"


def test_a_missing_status_list_is_unknown_never_valid(bundle: TrustBundle) -> None:
    report = verify(issue(status_url=OTHER_STATUS_URL, serial=17), bundle)
    assert report.check("status").status is Status.UNKNOWN
    assert report.check("status").code == "STATUS_LIST_MISSING"
    assert report.verdict is Verdict.STATUS_UNKNOWN
    assert not report.valid


def test_an_old_bundle_makes_status_unknown(
    bundle: TrustBundle, certificate: dict[str, Any]
) -> None:
    report = verify(certificate, bundle, now=BUNDLE_ISSUED + dt.timedelta(days=8))
    assert report.check("status").code == "BUNDLE_TOO_OLD"
    assert report.verdict is Verdict.STATUS_UNKNOWN
    fine = verify(
        certificate,
        bundle,
        now=BUNDLE_ISSUED + dt.timedelta(days=8),
        bundle_max_age=dt.timedelta(days=30),
    )
    assert fine.verdict is Verdict.VALID


def test_a_bundle_dated_in_the_future_makes_status_unknown(certificate: dict[str, Any]) -> None:
    future = load_bundle(bundle_document(issued=NOW + dt.timedelta(days=1)), root_public())
    report = verify(certificate, future)
    assert report.check("status").code == "BUNDLE_FROM_FUTURE"
    assert report.verdict is Verdict.STATUS_UNKNOWN


def test_a_status_list_not_signed_by_the_root_is_unknown(certificate: dict[str, Any]) -> None:
    document = bundle_document(status_lists={STATUS_URL: revocation_list(signer=STRANGER_KEY)})
    report = verify(certificate, load_bundle(document, root_public()))
    assert report.check("status").status is Status.UNKNOWN
    assert report.verdict is Verdict.STATUS_UNKNOWN


def test_an_expired_status_list_is_unknown(certificate: dict[str, Any]) -> None:
    from credentials.status_list import StatusList, status_list_credential
    from tests.credentials._support import ROOT_KEY

    expired = status_list_credential(
        STATUS_URL,
        StatusList(),
        "https://dte-registry.cn/",
        ROOT_KEY,
        valid_from=BUNDLE_ISSUED - dt.timedelta(days=2),
        valid_until=BUNDLE_ISSUED + dt.timedelta(hours=1),
    )
    bundle = load_bundle(bundle_document(status_lists={STATUS_URL: expired}), root_public())
    report = verify(certificate, bundle)
    assert report.check("status").code == "STATUS_LIST_EXPIRED"
    assert report.verdict is Verdict.STATUS_UNKNOWN


# --- tampering --------------------------------------------------------------------------------


def test_a_tampered_certificate_fails_the_proof_and_nothing_else_is_claimed(
    bundle: TrustBundle, certificate: dict[str, Any]
) -> None:
    tampered = copy.deepcopy(certificate)
    tampered["credentialSubject"]["certificate"]["level"] = {"code": 3, "name": "高级"}
    report = verify(tampered, bundle, card_number=CARD)
    assert report.verdict is Verdict.INVALID
    assert report.check("proof").status is Status.FAIL
    for check in report.checks[2:]:
        assert check.status is Status.SKIPPED
        assert check.message == "not evaluated: signature invalid"


def _same_json(a: Any, b: Any) -> bool:
    try:
        return canonicalize(a) == canonicalize(b)
    except CanonicalizationError:
        return False  # a value with no JCS form cannot equal a signed one


def _leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _leaves(v, (*path, i))]
    return [path]


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for step in path[:-1]:
        document = document[step]
    document[path[-1]] = value


def _get(document: Any, path: tuple[Any, ...]) -> Any:
    for step in path:
        document = document[step]
    return document


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_every_single_field_change_is_invalid(
    bundle: TrustBundle, certificate: dict[str, Any], data: st.DataObject
) -> None:
    path = data.draw(st.sampled_from(_leaves(certificate)), label="path")
    new = data.draw(JSON_VALUES, label="new value")
    old = _get(certificate, path)
    assume(not _same_json(new, old))  # 1 and 1.0 are the same JSON number
    tampered = copy.deepcopy(certificate)
    _set(tampered, path, new)
    report = verify(tampered, bundle)
    assert_well_formed(report)
    assert report.verdict is Verdict.INVALID
    assert report.check("proof").status is Status.FAIL


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_removing_or_adding_a_member_is_invalid(
    bundle: TrustBundle, certificate: dict[str, Any], data: st.DataObject
) -> None:
    tampered = copy.deepcopy(certificate)
    objects = [p for p in _paths_to_objects(tampered)]
    where = data.draw(st.sampled_from(objects))
    target = _get(tampered, where)
    if data.draw(st.booleans()) and target:
        del target[data.draw(st.sampled_from(sorted(target)))]
    else:
        name = data.draw(st.text(min_size=1).filter(lambda n: n not in target))
        target[name] = data.draw(JSON_VALUES)
    report = verify(tampered, bundle)
    assert report.verdict is Verdict.INVALID


def _paths_to_objects(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [path] if isinstance(value, dict) else []
    if isinstance(value, dict):
        for k, v in value.items():
            found += _paths_to_objects(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths_to_objects(v, (*path, i))
    return found


def test_a_signed_but_schema_invalid_document_fails_schema(bundle: TrustBundle) -> None:
    unsigned = {k: v for k, v in issue(serial=18).items() if k != "proof"}
    unsigned["credentialSubject"]["idNumber"] = CARD  # what the schema must keep out
    signed = proof.sign(unsigned, NEW_KEY, created=at("2025-06-01T02:00:00"))
    report = verify(signed, bundle)
    assert report.check("proof").status is Status.PASS
    assert report.check("schema").status is Status.FAIL
    assert report.verdict is Verdict.INVALID


# --- modes ------------------------------------------------------------------------------------


def test_key_mode_checks_the_proof_only_and_says_so(certificate: dict[str, Any]) -> None:
    report = verify_credential(certificate, key=NEW_KEY.public_key, now=NOW)
    assert_well_formed(report)
    assert report.verdict is Verdict.SIGNATURE_VALID_ISSUER_NOT_CHECKED
    assert not report.valid
    assert "NOT checked" in report.check("proof").message
    for name in ("issuer_key", "issuer_listed", "status"):
        assert report.check(name).status is Status.SKIPPED
        assert "issuer was NOT checked" in report.check(name).message
    assert report.check("schema").status is Status.PASS


def test_key_mode_with_the_wrong_key(certificate: dict[str, Any]) -> None:
    report = verify_credential(certificate, key=OLD_KEY.public_key, now=NOW)
    assert report.verdict is Verdict.INVALID
    assert report.check("proof").code == "PROOF_KEY_MISMATCH"


def test_bundle_and_a_disagreeing_key(bundle: TrustBundle, certificate: dict[str, Any]) -> None:
    report = verify(certificate, bundle, key=OLD_KEY.public_key)
    assert report.check("proof").code == "PROOF_KEY_MISMATCH"
    assert verify(certificate, bundle, key=NEW_KEY.public_key).verdict is Verdict.VALID


def test_without_bundle_or_key_nothing_is_verified(certificate: dict[str, Any]) -> None:
    report = verify_credential(certificate, now=NOW)
    assert report.verdict is Verdict.UNVERIFIED
    assert report.check("proof").status is Status.UNKNOWN


# --- never an exception -----------------------------------------------------------------------


def _self_referencing() -> dict[str, Any]:
    loop: dict[str, Any] = {"proof": {}}
    loop["proof"]["again"] = loop
    return loop


def _wide_sharing() -> list[Any]:
    shared: list[Any] = [1]
    for _ in range(60):
        shared = [shared, shared]
    return shared


GARBAGE: list[Any] = [
    None,
    b"{}",
    "DTE1:ABC",
    42,
    3.5,
    float("nan"),
    [],
    {1: 2},
    {"a": {1, 2}},
    {"a": float("inf")},
    {"proof": object()},
    _self_referencing(),
    {"x": _wide_sharing()},
    {"proof": [{"type": "DataIntegrityProof"}]},
    {"proof": {"verificationMethod": "did:key:zzz#zzz", "proofValue": "z" + "1" * 500}},
    {"proof": {"verificationMethod": 5}},
    {"proof": {"created": "2025-99-99T00:00:00Z"}, "validFrom": None},
    {"@context": "x" * 100_000},
    {"n": 10**400},
]


@pytest.mark.parametrize("value", GARBAGE, ids=lambda v: type(v).__name__)
def test_garbage_gives_a_report(bundle: TrustBundle, value: Any) -> None:
    for kwargs in ({"bundle": bundle}, {"key": NEW_KEY.public_key}, {}):
        report = verify_credential(value, now=NOW, card_number=CARD, **kwargs)
        assert_well_formed(report)
        assert report.verdict is not Verdict.VALID


def test_deep_nesting_gives_a_report(bundle: TrustBundle) -> None:
    deep: Any = {}
    for _ in range(100_000):
        deep = {"a": deep}
    report = verify(deep, bundle)
    assert report.check("input").status is Status.FAIL
    nested_list: Any = []
    for _ in range(100_000):
        nested_list = [nested_list]
    assert verify({"proof": nested_list}, bundle).verdict is Verdict.INVALID


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(value=JSON_VALUES)
def test_arbitrary_json_never_raises(bundle: TrustBundle, value: Any) -> None:
    report = verify(value, bundle, card_number=CARD)
    assert_well_formed(report)
    assert report.verdict is not Verdict.VALID


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_arbitrary_json_in_any_place_of_a_certificate_never_raises(
    bundle: TrustBundle, certificate: dict[str, Any], data: st.DataObject
) -> None:
    # Reaches deeper code than random top-level junk: a certificate with one subtree replaced.
    tampered = copy.deepcopy(certificate)
    where = data.draw(st.sampled_from([p for p in _paths_to_objects(tampered) if p]))
    _set(tampered, where, data.draw(JSON_VALUES))
    report = verify(tampered, bundle, card_number=CARD)
    assert_well_formed(report)


def test_report_json_is_stable(bundle: TrustBundle, certificate: dict[str, Any]) -> None:
    data = json.loads(verify(certificate, bundle).to_json())
    assert set(data) == {"verdict", "mode", "checkedAt", "bundle", "description", "checks"}
    assert data["mode"] == "bundle"
    assert data["checkedAt"] == "2026-11-26T12:00:00Z"
    assert set(data["checks"][0]) == {"name", "status", "code", "message", "details"}
    assert data["checks"][3]["details"]["issuer"] == ISSUER_A


def test_text_from_the_credential_cannot_steer_a_terminal(bundle: TrustBundle) -> None:
    unsigned = {k: v for k, v in issue(serial=19).items() if k != "proof"}
    unsigned["issuer"]["id"] = "urn:uscc:\x1b[2J\r[ OK ] all fine\u202e"
    signed = proof.sign(unsigned, NEW_KEY, created=at("2025-06-01T02:00:00"))
    report = verify(signed, bundle)
    assert report.check("issuer_key").code == "KEY_NOT_ISSUERS"
    for check in report.checks:
        assert check.message.isprintable(), check
    assert "\\u001b" in report.check("issuer_key").message


def test_without_a_trust_anchor_the_proof_is_unknown_by_code() -> None:
    report = verify_credential(issue(), now=NOW)
    proof_check = report.check("proof")
    assert (proof_check.status, proof_check.code) == (Status.UNKNOWN, "NO_TRUST_ANCHOR")
    assert report.verdict is Verdict.UNVERIFIED


def test_a_credential_without_a_proof_fails_with_proof_missing() -> None:
    credential = issue()
    del credential["proof"]
    report = verify_credential(
        credential, bundle=load_bundle(bundle_document(), root_public()), now=NOW
    )
    proof_check = report.check("proof")
    assert (proof_check.status, proof_check.code) == (Status.FAIL, "PROOF_MISSING")
    assert report.verdict is Verdict.INVALID
