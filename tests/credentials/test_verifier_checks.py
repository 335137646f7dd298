"""credentials.checks, check by check: each outcome's status, code and details, and the boundaries
(clock skew, key windows, bundle age, input size and depth) on both sides."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from credentials import _proof as proof
from credentials.bundle import TrustBundle, load_bundle
from credentials.checks import CLOCK_SKEW, MAX_INPUT_DEPTH, MAX_INPUT_NODES, brief
from credentials.keys import SigningKey
from credentials.verifier import (
    CHECK_NAMES,
    Status,
    Verdict,
    VerificationReport,
    Verifier,
    verify_credential,
)
from tests.credentials._support import (
    BUNDLE_ISSUED,
    CARD,
    ISSUED,
    ISSUER_A,
    KEY_SWITCH,
    NEW_KEY,
    NOW,
    OLD_KEY,
    OTHER_STATUS_URL,
    STATUS_URL,
    at,
    bundle_document,
    issue,
    root_public,
)

OTHER_ISSUER = "urn:uscc:91110000802100433B"


@pytest.fixture(scope="module")
def bundle() -> TrustBundle:
    return load_bundle(bundle_document(), root_public())


def verify(credential: Any, bundle: TrustBundle, **kwargs: Any) -> VerificationReport:
    kwargs.setdefault("now", NOW)
    return verify_credential(credential, bundle=bundle, **kwargs)


def unsigned(**kwargs: Any) -> dict[str, Any]:
    return {k: v for k, v in issue(**kwargs).items() if k != "proof"}


def resign(
    document: dict[str, Any], key: SigningKey = NEW_KEY, created: Any = ISSUED
) -> dict[str, Any]:
    """`document` signed by `key`; `created=None` signs a proof without `created`."""
    if created is not None:
        return proof.sign(document, key, created=created)
    options = proof.proof_options(document, key.public_key.verification_method, created=ISSUED)
    del options["created"]
    signature = key.sign(
        proof.hash_data(proof.canonical_proof_config(options), proof.canonical_document(document))
    )
    return {**document, "proof": {**options, "proofValue": proof.encode_proof_value(signature)}}


def outcome(report: VerificationReport, name: str) -> tuple[Status, str]:
    check = report.check(name)
    return check.status, check.code


# --- input ------------------------------------------------------------------------------------


def test_input_that_is_not_an_object_skips_every_other_check(bundle: TrustBundle) -> None:
    report = verify([1], bundle, card_number=CARD)
    assert outcome(report, "input") == (Status.FAIL, "NOT_A_JSON_OBJECT")
    assert report.check("input").message == "expected a JSON object, got list"
    for check in report.checks[1:]:
        assert (check.status, check.code) == (Status.SKIPPED, "NOT_EVALUATED")
        assert check.message == "not evaluated: input is not a JSON object"
    assert tuple(c.name for c in report.checks) == CHECK_NAMES


@pytest.mark.parametrize("reference", [False, True])
def test_nesting_up_to_the_limit_is_an_object_one_more_is_not(
    bundle: TrustBundle, reference: bool
) -> None:
    def nested(levels: int) -> dict[str, Any]:
        value: dict[str, Any] = {}
        for _ in range(levels):
            value = {"a": value}
        return value

    verifier = Verifier(bundle, reference=reference)
    at_limit = verifier.verify(nested(MAX_INPUT_DEPTH), now=NOW)
    assert at_limit.check("input").status is Status.PASS
    deeper = verifier.verify(nested(MAX_INPUT_DEPTH + 1), now=NOW)
    assert outcome(deeper, "input") == (Status.FAIL, "NOT_A_JSON_OBJECT")
    assert "nested deeper than 64 levels" in deeper.check("input").message


@pytest.mark.parametrize("reference", [False, True])
def test_up_to_the_limit_of_values_is_an_object_one_more_is_not(
    bundle: TrustBundle, reference: bool
) -> None:
    # The object and its list are two values; the list's items make up the rest.
    verifier = Verifier(bundle, reference=reference)
    at_limit = {"items": [0] * (MAX_INPUT_NODES - 2)}
    assert verifier.verify(at_limit, now=NOW).check("input").status is Status.PASS
    over = {"items": [0] * (MAX_INPUT_NODES - 1)}
    report = verifier.verify(over, now=NOW)
    assert outcome(report, "input") == (Status.FAIL, "NOT_A_JSON_OBJECT")
    assert "more than 1000000 values" in report.check("input").message


@pytest.mark.parametrize(
    ("value", "words"),
    [
        ({"a": [1.5, float("nan")]}, "NaN or an infinity"),
        ({"a": {"b": {1: 2}}}, "an object key is not a string"),
        ({"a": [None, True, "x", 1, {"b": (1,)}]}, "contains a tuple"),
    ],
)
def test_what_is_not_json_is_named(bundle: TrustBundle, value: Any, words: str) -> None:
    report = Verifier(bundle, reference=True).verify(value, now=NOW)
    assert outcome(report, "input") == (Status.FAIL, "NOT_A_JSON_OBJECT")
    assert words in report.check("input").message


# --- proof ------------------------------------------------------------------------------------


def test_a_valid_proof_names_its_key_and_time(bundle: TrustBundle) -> None:
    check = verify(issue(), bundle).check("proof")
    assert (check.status, check.code) == (Status.PASS, "PROOF_OK")
    assert check.message == "signature valid (eddsa-jcs-2022) under the key from the trust bundle"
    assert check.details == {
        "verificationMethod": NEW_KEY.public_key.verification_method,
        "keySource": "the key from the trust bundle",
        "created": "2025-06-01T02:00:00Z",
    }


def test_a_proof_without_a_verification_method_is_malformed(bundle: TrustBundle) -> None:
    document = issue()
    del document["proof"]["verificationMethod"]
    report = verify(document, bundle)
    assert outcome(report, "proof") == (Status.FAIL, "PROOF_MALFORMED")
    assert report.check("proof").details == {"verificationMethod": None}
    for check in report.checks[2:]:
        assert check.message == "not evaluated: signature invalid"


def test_a_key_the_bundle_lacks_and_no_did_key_cannot_be_resolved(bundle: TrustBundle) -> None:
    document = issue()
    document["proof"]["verificationMethod"] = "did:web:example.org#key-1"
    report = verify(document, bundle)
    assert outcome(report, "proof") == (Status.FAIL, "PROOF_KEY_UNRESOLVED")
    assert report.check("proof").details == {"verificationMethod": "did:web:example.org#key-1"}
    assert report.check("proof").message.startswith(
        "the proof's key is not in the bundle and cannot be resolved offline: "
    )


def test_a_did_key_outside_the_bundle_still_checks_the_signature(bundle: TrustBundle) -> None:
    from tests.credentials._support import STRANGER_KEY

    report = verify(issue(key=STRANGER_KEY), bundle)
    check = report.check("proof")
    assert (check.status, check.code) == (Status.PASS, "PROOF_OK")
    assert check.details["keySource"] == "the proof's own did:key, which is not in the trust bundle"
    assert outcome(report, "issuer_key") == (Status.FAIL, "KEY_NOT_IN_BUNDLE")


def test_without_a_trust_anchor_later_checks_say_the_signature_was_not_checked() -> None:
    report = verify_credential(issue(), now=NOW, card_number=CARD)
    assert outcome(report, "proof") == (Status.UNKNOWN, "NO_TRUST_ANCHOR")
    for check in report.checks[2:]:
        assert (check.status, check.code) == (Status.SKIPPED, "NOT_EVALUATED")
        assert check.message == "not evaluated: the signature could not be checked"


# --- issuer key -------------------------------------------------------------------------------


def test_a_valid_key_reports_its_window_and_the_issuance_time(bundle: TrustBundle) -> None:
    check = verify(issue(), bundle).check("issuer_key")
    assert (check.status, check.code) == (Status.PASS, "KEY_VALID_AT_ISSUANCE")
    assert check.details == {
        "verificationMethod": NEW_KEY.public_key.verification_method,
        "issuer": ISSUER_A,
        "keyOwner": ISSUER_A,
        "keyValidFrom": "2025-01-01T00:00:00Z",
        "keyValidUntil": None,
        "issuedAt": "2025-06-01T02:00:00Z",
        "issuedAtSource": "proof.created",
    }
    assert check.message == (
        "key of 福建示例评价中心 valid when the credential was signed (2025-01-01T00:00:00Z – now)"
    )


def test_a_retired_key_inside_its_window_says_so(bundle: TrustBundle) -> None:
    check = verify(issue(key=OLD_KEY, when=at("2024-06-01T02:00:00")), bundle).check("issuer_key")
    assert (check.status, check.code) == (Status.PASS, "KEY_VALID_AT_ISSUANCE")
    assert check.details["keyValidUntil"] == "2025-01-01T00:00:00Z"
    assert check.message.endswith(
        "(2023-01-01T00:00:00Z – 2025-01-01T00:00:00Z) (a retired key, valid for this date)"
    )


def test_the_key_window_is_closed_at_its_start_and_open_at_its_end(bundle: TrustBundle) -> None:
    second = dt.timedelta(seconds=1)
    last = verify(issue(key=OLD_KEY, when=KEY_SWITCH - second), bundle)
    assert outcome(last, "issuer_key") == (Status.PASS, "KEY_VALID_AT_ISSUANCE")
    at_end = verify(issue(key=OLD_KEY, when=KEY_SWITCH), bundle)
    assert outcome(at_end, "issuer_key") == (Status.FAIL, "KEY_RETIRED")
    first = verify(issue(key=NEW_KEY, when=KEY_SWITCH), bundle)
    assert outcome(first, "issuer_key") == (Status.PASS, "KEY_VALID_AT_ISSUANCE")
    early = verify(issue(key=NEW_KEY, when=KEY_SWITCH - second), bundle)
    assert outcome(early, "issuer_key") == (Status.FAIL, "KEY_NOT_YET_VALID")


def test_signed_in_the_future_within_the_clock_skew_is_accepted(bundle: TrustBundle) -> None:
    for reference in (False, True):
        verifier = Verifier(bundle, reference=reference)
        edge = verifier.verify(issue(when=NOW + CLOCK_SKEW), now=NOW)
        assert outcome(edge, "issuer_key") == (Status.PASS, "KEY_VALID_AT_ISSUANCE")
        past = verifier.verify(issue(when=NOW + CLOCK_SKEW + dt.timedelta(seconds=1)), now=NOW)
        assert outcome(past, "issuer_key") == (Status.FAIL, "ISSUED_IN_FUTURE")
        # The same credential checked again later is no longer from the future.
        later = verifier.verify(issue(when=NOW + CLOCK_SKEW + dt.timedelta(seconds=1)), now=NOW)
        assert later.check("issuer_key").code == "ISSUED_IN_FUTURE"
        tomorrow = NOW + dt.timedelta(days=1)
        again = verifier.verify(
            issue(when=NOW + CLOCK_SKEW + dt.timedelta(seconds=1)), now=tomorrow
        )
        assert again.check("issuer_key").code == "KEY_VALID_AT_ISSUANCE"


def test_a_credential_without_an_issuer(bundle: TrustBundle) -> None:
    document = unsigned()
    del document["issuer"]
    report = verify(resign(document), bundle)
    assert outcome(report, "proof") == (Status.PASS, "PROOF_OK")
    assert outcome(report, "issuer_key") == (Status.FAIL, "ISSUER_MISSING")
    assert report.check("issuer_key").details["issuer"] is None
    assert outcome(report, "issuer_listed") == (Status.FAIL, "ISSUER_NOT_IN_BUNDLE")
    assert report.check("issuer_listed").details == {"issuer": None}


def test_the_issuance_time_falls_back_to_valid_from(bundle: TrustBundle) -> None:
    report = verify(resign(unsigned(), created=None), bundle)
    assert outcome(report, "proof") == (Status.PASS, "PROOF_OK")
    check = report.check("issuer_key")
    assert (check.status, check.code) == (Status.PASS, "KEY_VALID_AT_ISSUANCE")
    assert check.details["issuedAtSource"] == "validFrom"
    assert check.details["issuedAt"] == "2025-06-01T02:00:00Z"


def test_without_any_issuance_time(bundle: TrustBundle) -> None:
    document = unsigned()
    document["validFrom"] = "2025-06-01T02:00:00"  # no time zone: not an instant
    report = verify(resign(document, created=None), bundle)
    assert outcome(report, "proof") == (Status.PASS, "PROOF_OK")
    assert outcome(report, "issuer_key") == (Status.FAIL, "NO_ISSUANCE_TIME")
    assert outcome(report, "issuer_listed") == (Status.FAIL, "NO_ISSUANCE_TIME")


# --- issuer listed ----------------------------------------------------------------------------


def test_a_listed_issuer_reports_the_listing(bundle: TrustBundle) -> None:
    check = verify(issue(), bundle).check("issuer_listed")
    assert (check.status, check.code) == (Status.PASS, "LISTED_IN_SCOPE")
    assert check.details == {
        "issuer": ISSUER_A,
        "institutionName": "福建示例评价中心",
        "issuanceDate": "2025-06-01",
        "occupation": "2-02-10-09",
        "level": 1,
        "direction": None,
        "listing": {"from": "2023-03-01", "until": "2025-12-31"},
    }
    assert check.message == (
        "福建示例评价中心 was listed on 2025-06-01 for occupation 2-02-10-09, level 1 (初级)"
    )


def test_a_direction_is_part_of_the_scope(bundle: TrustBundle) -> None:
    from tests.credentials._support import BIG_DATA

    good = verify(issue(occupation=BIG_DATA, direction="大数据分析"), bundle)
    check = good.check("issuer_listed")
    assert (check.status, check.code) == (Status.PASS, "LISTED_IN_SCOPE")
    assert check.details["direction"] == "大数据分析"
    assert check.message.endswith(", direction 大数据分析")
    other = verify(issue(occupation=BIG_DATA, direction="大数据运维"), bundle)
    assert outcome(other, "issuer_listed") == (Status.FAIL, "OUT_OF_SCOPE")
    assert other.check("issuer_listed").details["listing"] == {
        "from": "2023-03-01",
        "until": "2025-12-31",
    }


def test_an_issuer_the_bundle_does_not_list(bundle: TrustBundle) -> None:
    document = unsigned()
    document["issuer"]["id"] = "urn:uscc:91350100M000100Y43X"
    report = verify(resign(document), bundle)
    assert outcome(report, "issuer_listed") == (Status.FAIL, "ISSUER_NOT_IN_BUNDLE")


@pytest.mark.parametrize("level", [True, "1", None])
def test_a_certificate_without_an_integer_level(bundle: TrustBundle, level: Any) -> None:
    document = unsigned()
    document["credentialSubject"]["certificate"]["level"]["code"] = level
    report = verify(resign(document), bundle)
    assert outcome(report, "issuer_listed") == (Status.FAIL, "CERTIFICATE_FIELDS_MISSING")


def test_a_certificate_without_an_occupation_code(bundle: TrustBundle) -> None:
    document = unsigned()
    del document["credentialSubject"]["certificate"]["occupation"]["code"]
    report = verify(resign(document), bundle)
    assert outcome(report, "issuer_listed") == (Status.FAIL, "CERTIFICATE_FIELDS_MISSING")


def test_a_direction_that_is_not_text_is_no_direction(bundle: TrustBundle) -> None:
    document = unsigned()
    document["credentialSubject"]["certificate"]["direction"] = 5
    check = verify(resign(document), bundle).check("issuer_listed")
    assert (check.status, check.code) == (Status.PASS, "LISTED_IN_SCOPE")
    assert check.details["direction"] is None
    assert "direction" not in check.message


# --- status -----------------------------------------------------------------------------------


def _with_status(status: Any) -> dict[str, Any]:
    document = unsigned()
    if status is None:
        del document["credentialStatus"]
    else:
        document["credentialStatus"] = status
    return resign(document)


def _entry(**changes: Any) -> dict[str, Any]:
    entry = dict(unsigned()["credentialStatus"])
    entry.update(changes)
    return {k: v for k, v in entry.items() if v is not None}


def test_a_current_list_that_does_not_revoke_passes(bundle: TrustBundle) -> None:
    check = verify(issue(), bundle).check("status")
    assert (check.status, check.code) == (Status.PASS, "NOT_REVOKED")
    assert check.details == {
        "bundleIssued": "2026-11-25T00:00:00Z",
        "bundleAgeSeconds": 129_600,
        "bundleSequence": 7,
        "statusListCredential": STATUS_URL,
        "statusListIndex": "1000",
    }
    assert check.message == "not revoked as of the bundle of 2026-11-25T00:00:00Z (1 d 12 h old)"


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (None, "NO_STATUS_ENTRY"),
        ([], "NO_STATUS_ENTRY"),
        ("https://dte-registry.cn/status/1#1000", "NO_STATUS_ENTRY"),
        ([_entry(statusPurpose="suspension")], "NO_STATUS_ENTRY"),
        ([_entry(), _entry(statusListIndex="1001")], "STATUS_AMBIGUOUS"),
        (_entry(type="StatusList2021Entry"), "STATUS_TYPE_UNSUPPORTED"),
        (_entry(statusListCredential=None), "STATUS_ENTRY_MALFORMED"),
        (_entry(statusListCredential=7), "STATUS_ENTRY_MALFORMED"),
        (_entry(statusListIndex=1000), "STATUS_ENTRY_MALFORMED"),
        (_entry(statusListIndex="-1"), "STATUS_ENTRY_MALFORMED"),
        (_entry(statusListIndex="１０"), "STATUS_ENTRY_MALFORMED"),  # full-width digits
        (_entry(statusListIndex="1" * 13), "STATUS_ENTRY_MALFORMED"),
        # In the issuer's range (which the bundle lets run past the list's end), not in the list.
        (_entry(statusListIndex="131072"), "RANGE_ERROR"),
        (_entry(statusListCredential=OTHER_STATUS_URL), "STATUS_LIST_MISSING"),
    ],
)
def test_status_that_cannot_be_established_is_unknown(
    bundle: TrustBundle, status: Any, code: str
) -> None:
    report = verify(_with_status(status), bundle)
    assert outcome(report, "status") == (Status.UNKNOWN, code)
    assert report.check("status").details["bundleSequence"] == 7
    assert report.verdict in (Verdict.STATUS_UNKNOWN, Verdict.INVALID)  # INVALID: the schema


@pytest.mark.parametrize(
    "status",
    [
        _entry(statusListIndex="9" * 12),
        _entry(statusListIndex="100000"),  # institution C's
        _entry(statusListCredential="https://dte-registry.cn/status/9"),
    ],
)
def test_an_index_outside_the_issuers_ranges_fails(bundle: TrustBundle, status: Any) -> None:
    report = verify(_with_status(status), bundle)
    assert outcome(report, "status") == (Status.FAIL, "STATUS_INDEX_NOT_ISSUERS")
    assert report.verdict is Verdict.INVALID


def test_the_last_index_of_the_list_is_in_range(bundle: TrustBundle) -> None:
    report = verify(_with_status([_entry(statusListIndex="131071")]), bundle)
    assert outcome(report, "status") == (Status.PASS, "NOT_REVOKED")
    assert report.check("status").details["statusListIndex"] == "131071"


def test_the_bundle_age_limits_are_inclusive(bundle: TrustBundle) -> None:
    certificate = issue()
    week = dt.timedelta(days=7)
    oldest = verify(certificate, bundle, now=BUNDLE_ISSUED + week)
    assert outcome(oldest, "status") == (Status.PASS, "NOT_REVOKED")
    assert "(7 d 0 h old)" in oldest.check("status").message
    too_old = verify(certificate, bundle, now=BUNDLE_ISSUED + week + dt.timedelta(seconds=1))
    assert outcome(too_old, "status") == (Status.UNKNOWN, "BUNDLE_TOO_OLD")
    assert too_old.check("status").message.endswith(
        "but that is older than the accepted 7 d 0 h: get a current bundle"
    )
    early = verify(certificate, bundle, now=BUNDLE_ISSUED - CLOCK_SKEW)
    assert outcome(early, "status") == (Status.PASS, "NOT_REVOKED")
    assert "(5 min old)" in early.check("status").message
    earlier = BUNDLE_ISSUED - CLOCK_SKEW - dt.timedelta(seconds=1)
    assert outcome(verify(certificate, bundle, now=earlier), "status") == (
        Status.UNKNOWN,
        "BUNDLE_FROM_FUTURE",
    )


@pytest.mark.parametrize(
    ("age", "text"),
    [
        (dt.timedelta(minutes=59, seconds=59), "(59 min old)"),
        (dt.timedelta(hours=3, minutes=7), "(3 h 7 min old)"),
        (dt.timedelta(days=2, hours=0, minutes=30), "(2 d 0 h old)"),
        (dt.timedelta(days=1, hours=5, minutes=59), "(1 d 5 h old)"),
    ],
)
def test_the_bundle_age_reads_in_days_hours_minutes(
    bundle: TrustBundle, age: dt.timedelta, text: str
) -> None:
    report = verify(issue(), bundle, now=BUNDLE_ISSUED + age)
    assert text in report.check("status").message
    assert report.check("status").details["bundleAgeSeconds"] == int(age.total_seconds())


def _expiring_list(url: str, until: dt.datetime) -> dict[str, Any]:
    """An empty status list at `url`, signed by the root, valid until `until`."""
    from credentials.status_list import StatusList, status_list_credential
    from tests.credentials._support import ROOT_KEY

    valid_from = BUNDLE_ISSUED - dt.timedelta(days=2)
    root = "https://dte-registry.cn/"
    return status_list_credential(
        url, StatusList(), root, ROOT_KEY, valid_from=valid_from, valid_until=until
    )


def test_a_status_list_expires_at_its_valid_until(bundle: TrustBundle) -> None:
    until = BUNDLE_ISSUED + dt.timedelta(hours=1)
    expiring = _expiring_list(STATUS_URL, until)
    short = load_bundle(bundle_document(status_lists={STATUS_URL: expiring}), root_public())
    before = verify(issue(), short, now=until - dt.timedelta(seconds=1))
    assert outcome(before, "status") == (Status.PASS, "NOT_REVOKED")
    at_end = verify(issue(), short, now=until)
    assert outcome(at_end, "status") == (Status.UNKNOWN, "STATUS_LIST_EXPIRED")
    assert at_end.check("status").message == (
        "the status list expired at 2026-11-25T01:00:00Z: get a current bundle"
    )


# --- schema and holder binding ----------------------------------------------------------------


def test_schema_problems_are_listed_at_most_twenty(bundle: TrustBundle) -> None:
    document = unsigned()
    for n in range(25):
        document[f"extra{n:02d}"] = n
    check = verify(resign(document), bundle).check("schema")
    assert (check.status, check.code) == (Status.FAIL, "SCHEMA_INVALID")
    problems = check.details["problems"]
    assert 1 <= len(problems) <= 20
    assert set(problems[0]) == {"path", "message"}
    assert check.message.split(" ")[1:3] == ["schema", "problem(s);"]


def test_key_mode_skips_the_schema_of_what_is_not_a_certificate() -> None:
    document = unsigned()
    document["type"] = ["VerifiableCredential"]
    report = verify_credential(resign(document), key=NEW_KEY.public_key, now=NOW)
    check = report.check("schema")
    assert (check.status, check.code) == (Status.SKIPPED, "NOT_EVALUATED")
    assert check.message == "not evaluated: not a ProfessionalTechnicalLevelCertificate"
    assert report.verdict is Verdict.SIGNATURE_VALID_ISSUER_NOT_CHECKED


def test_a_certificate_with_the_schema_valid(bundle: TrustBundle) -> None:
    check = verify(issue(), bundle).check("schema")
    assert (check.status, check.code, check.message) == (
        Status.PASS,
        "SCHEMA_VALID",
        "matches the certificate schema",
    )


def test_holder_binding_without_a_card_number_is_skipped(bundle: TrustBundle) -> None:
    check = verify(issue(), bundle).check("holder_binding")
    assert (check.status, check.code) == (Status.SKIPPED, "NOT_EVALUATED")
    assert check.message == "not evaluated: no card number given"


def test_a_credential_without_a_holder_binding(bundle: TrustBundle) -> None:
    document = unsigned()
    del document["credentialSubject"]["holderBinding"]
    report = verify(resign(document), bundle, card_number=CARD)
    assert outcome(report, "holder_binding") == (Status.FAIL, "NO_HOLDER_BINDING")
    assert report.verdict is Verdict.INVALID


def test_the_right_card_passes_with_its_code(bundle: TrustBundle) -> None:
    report = verify(issue(), bundle, card_number=CARD)
    assert outcome(report, "holder_binding") == (Status.PASS, "BINDING_OK")


# --- helpers ----------------------------------------------------------------------------------


def test_brief_cuts_to_the_limit() -> None:
    assert brief("x" * 120) == "x" * 120
    assert brief("x" * 121) == "x" * 117 + "..."
    assert brief(12345, limit=4) == "1..."


def test_an_issuer_of_another_institution(bundle: TrustBundle) -> None:
    document = unsigned()
    document["issuer"]["id"] = OTHER_ISSUER
    check = verify(resign(document), bundle).check("issuer_key")
    assert (check.status, check.code) == (Status.FAIL, "KEY_NOT_ISSUERS")
    assert check.message == (
        f"the signing key belongs to {ISSUER_A}, not to the issuer {OTHER_ISSUER}"
    )


# --- what the first mutation run left -----------------------------------------------------------


def test_an_unknown_bundle_age_keeps_its_details(bundle: TrustBundle) -> None:
    week = dt.timedelta(days=7, seconds=1)
    too_old = verify(issue(), bundle, now=BUNDLE_ISSUED + week).check("status")
    assert too_old.details["bundleSequence"] == 7
    assert too_old.details["statusListCredential"] == STATUS_URL
    early = verify(issue(), bundle, now=BUNDLE_ISSUED - CLOCK_SKEW - dt.timedelta(seconds=1))
    assert early.check("status").details["bundleIssued"] == "2026-11-25T00:00:00Z"
    assert early.check("status").details["statusListIndex"] == "1000"


def test_each_status_list_has_its_own_validity() -> None:
    from tests.credentials._support import OTHER_STATUS_URL, revocation_list

    expired = _expiring_list(OTHER_STATUS_URL, BUNDLE_ISSUED + dt.timedelta(hours=1))
    lists = {STATUS_URL: revocation_list(), OTHER_STATUS_URL: expired}
    two = load_bundle(bundle_document(status_lists=lists), root_public())
    verifier = Verifier(two)
    current = verifier.verify(issue(), now=NOW)
    assert outcome(current, "status") == (Status.PASS, "NOT_REVOKED")
    stale = verifier.verify(issue(status_url=OTHER_STATUS_URL, serial=2), now=NOW)
    assert outcome(stale, "status") == (Status.UNKNOWN, "STATUS_LIST_EXPIRED")
    assert stale.check("status").details["statusListCredential"] == OTHER_STATUS_URL
    assert verifier.memos.size("status_list") == 2


def test_the_listing_reported_is_the_one_that_matches() -> None:
    import dataclasses

    from credentials.bundle import ListingPeriod, ScopeEntry
    from tests.credentials._support import AI_2015, day, institutions

    first, *others = institutions()
    overlapping = (
        ListingPeriod(day("2023-03-01"), day("2025-12-31"), (ScopeEntry(AI_2015, 1),)),
        ListingPeriod(day("2025-01-01"), None, (ScopeEntry(AI_2015, 3),)),
    )
    world = [dataclasses.replace(first, listings=overlapping), *others]
    bundle = load_bundle(bundle_document(institution_list=world), root_public())
    senior = verify(issue(level=3), bundle).check("issuer_listed")
    assert (senior.status, senior.code) == (Status.PASS, "LISTED_IN_SCOPE")
    assert senior.details["listing"] == {"from": "2025-01-01", "until": None}
    junior = verify(issue(level=1), bundle).check("issuer_listed")
    assert junior.details["listing"] == {"from": "2023-03-01", "until": "2025-12-31"}
    middle = verify(issue(level=2), bundle).check("issuer_listed")
    assert (middle.status, middle.code) == (Status.FAIL, "OUT_OF_SCOPE")
    assert middle.details["listing"] == {"from": "2023-03-01", "until": "2025-12-31"}


def test_a_level_without_a_name_is_named_by_its_code(bundle: TrustBundle) -> None:
    document = unsigned()
    del document["credentialSubject"]["certificate"]["level"]["name"]
    check = verify(resign(document), bundle).check("issuer_listed")
    assert (check.status, check.code) == (Status.PASS, "LISTED_IN_SCOPE")
    assert (
        check.message
        == "福建示例评价中心 was listed on 2025-06-01 for occupation 2-02-10-09, level 1"
    )


def test_a_revocation_keeps_its_details(bundle: TrustBundle) -> None:
    from tests.credentials._support import REVOKED_INDEX

    check = verify(issue(index=REVOKED_INDEX), bundle).check("status")
    assert (check.status, check.code) == (Status.FAIL, "REVOKED")
    assert check.details["statusListIndex"] == str(REVOKED_INDEX)
    assert check.details["bundleSequence"] == 7
    assert check.message == (
        "the certificate is REVOKED as of the bundle of 2026-11-25T00:00:00Z (1 d 12 h old)"
    )


def test_key_mode_names_the_given_key() -> None:
    check = verify_credential(issue(), key=NEW_KEY.public_key, now=NOW).check("proof")
    assert (check.status, check.code) == (Status.PASS, "PROOF_OK")
    assert check.details["keySource"] == "the given key"
    assert check.message == (
        "signature valid (eddsa-jcs-2022) under the given key; the issuer was NOT checked"
    )
    wrong = verify_credential(issue(), key=OLD_KEY.public_key, now=NOW).check("proof")
    assert (wrong.status, wrong.code) == (Status.FAIL, "PROOF_KEY_MISMATCH")


def test_key_window_failures_say_when_it_was_signed(bundle: TrustBundle) -> None:
    early = verify(issue(when=KEY_SWITCH - dt.timedelta(seconds=1)), bundle).check("issuer_key")
    assert early.message == (
        "signed at 2024-12-31T23:59:59Z, before the key's window (2025-01-01T00:00:00Z – now)"
    )
    late = verify(issue(key=OLD_KEY, when=KEY_SWITCH), bundle).check("issuer_key")
    assert late.message.startswith("signed at 2025-01-01T00:00:00Z, after the key was retired")


def test_one_verifier_resolves_each_proof_key_on_its_own(bundle: TrustBundle) -> None:
    verifier = Verifier(bundle)
    new = verifier.verify(issue(), now=NOW)
    old = verifier.verify(issue(key=OLD_KEY, when=at("2024-06-01T02:00:00"), serial=2), now=NOW)
    assert outcome(new, "proof") == outcome(old, "proof") == (Status.PASS, "PROOF_OK")
    assert old.check("proof").details["verificationMethod"] == (
        OLD_KEY.public_key.verification_method
    )
    assert verifier.memos.size("proof_key") == 2


def test_a_bad_signature_keeps_the_proofs_details(bundle: TrustBundle) -> None:
    document = issue()
    document["credentialSubject"]["name"] = "李四"
    check = verify(document, bundle).check("proof")
    assert (check.status, check.code) == (Status.FAIL, "PROOF_SIGNATURE_INVALID")
    assert check.details == {
        "verificationMethod": NEW_KEY.public_key.verification_method,
        "keySource": "the key from the trust bundle",
        "created": "2025-06-01T02:00:00Z",
    }
