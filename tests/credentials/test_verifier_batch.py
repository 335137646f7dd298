"""The reusable `Verifier` reports exactly what the reference path reports.

`Verifier` remembers per-issuer work between calls (proof keys, issuer_key / issuer_listed
outcomes, status list validity, the bundle's age texts) and takes a plain document's fast paths
(one walk for the input check, canonical forms and schema without their own walks). These
properties run one long-lived `Verifier` — its memos filled by every earlier example — against a
fresh `Verifier(reference=True)`, which computes every check from scratch as before the batch
API, on genuine credentials and on mutated ones, at several verification times.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials import _acceptance, certificate
from credentials import _proof as proof
from credentials._jcs import is_plain_json, plain_size
from credentials.bundle import TrustBundle, load_bundle
from credentials.report import verdict
from credentials.verifier import (
    CHECK_NAMES,
    Check,
    Status,
    Verdict,
    VerificationReport,
    Verifier,
    verify_credential,
)
from tests.credentials._support import (
    AI_2022,
    BIG_DATA,
    CARD,
    NEW_KEY,
    NOW,
    OLD_KEY,
    OTHER_STATUS_URL,
    REVOKED_INDEX,
    STRANGER_KEY,
    TRAINING_KEY,
    USCC_B,
    at,
    bundle_document,
    issue,
    json_values,
    paths,
    root_public,
)

BUNDLE: TrustBundle = load_bundle(bundle_document(), root_public())

# Genuine credentials that end in every verdict: valid, revoked, unknown status list, key
# retired or not yet valid, not the issuer's key, a training institution, out of scope, not
# listed on the day, a key the bundle does not know, a direction, another occupation edition.
GENUINE: list[dict[str, Any]] = [
    issue(),
    issue(serial=2, index=2000),
    issue(index=REVOKED_INDEX),
    issue(status_url=OTHER_STATUS_URL),
    issue(key=OLD_KEY, when=at("2024-06-01T02:00:00")),
    issue(key=OLD_KEY),
    issue(key=TRAINING_KEY),
    issue(key=TRAINING_KEY, uscc=USCC_B),
    issue(level=3),
    issue(when=at("2026-01-15T02:00:00")),
    issue(key=STRANGER_KEY),
    issue(occupation=BIG_DATA, direction="大数据分析"),
    issue(occupation=BIG_DATA, direction="其他方向"),
    issue(occupation=AI_2022, level=2, serial=3),
    issue(when=at("2026-11-26T11:58:00")),
]

TIMES = [
    NOW,
    NOW.replace(tzinfo=None),  # naive: read as UTC
    dt.datetime(2026, 11, 26, 11, 0, tzinfo=dt.UTC),  # the last credential is then in the future
    NOW + dt.timedelta(days=30),  # the bundle is too old
    dt.datetime(2026, 11, 24, 0, 0, tzinfo=dt.UTC),  # the bundle is from the future
    dt.datetime(2026, 11, 26, 20, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
]

# One verifier for the whole module: its memos carry over from example to example.
SHARED = Verifier(BUNDLE)
SHARED_KEY = Verifier(key=NEW_KEY.public_key)


def _near_misses(value: Any) -> list[Any]:
    out: list[Any] = [None, True, 0, 1.5, "", [], {}, "\ud800", "x\u202e"]
    if isinstance(value, str):
        out += [value + "\n", value[:-1], value.upper(), value + "\U0001f600"]
        out += [value.replace("2025", "2024"), value.replace("Z", "+08:00")]
    if isinstance(value, bool):
        out.append(not value)
    elif isinstance(value, int):
        out += [value + 1, float(value), str(value), 2**60]
    if isinstance(value, list):
        out += [value[:-1], list(reversed(value)), tuple(value)]
    if isinstance(value, dict):
        out += [{**value, "extra": 1}]
    return out


def _same(fast: VerificationReport, reference: VerificationReport) -> None:
    assert fast == reference
    assert fast.to_dict() == reference.to_dict()
    for mine, theirs in zip(fast.checks, reference.checks, strict=True):
        assert type(mine.details) is type(theirs.details)


def _both(credential: Any, shared: Verifier, now: dt.datetime, **kwargs: Any) -> None:
    reference = Verifier(
        shared.bundle, key=shared.key, bundle_max_age=shared.bundle_max_age, reference=True
    )
    before = copy.deepcopy(credential)
    fast = shared.verify(credential, now=now, **kwargs)
    _same(fast, reference.verify(credential, now=now, **kwargs))
    assert credential == before  # nothing is written into the input


@pytest.mark.parametrize("now", TIMES)
def test_genuine_credentials_report_the_same(now: dt.datetime) -> None:
    for credential in GENUINE:
        _both(credential, SHARED, now)
        _both(credential, SHARED_KEY, now)


def test_the_fast_path_is_taken_for_genuine_credentials() -> None:
    for credential in GENUINE:
        assert 0 < plain_size(credential) and is_plain_json(credential)
    report = SHARED.verify(GENUINE[0], now=NOW)
    assert report.verdict is Verdict.VALID
    assert all(SHARED.memos.size(m) for m in ("proof_key", "issuer_key", "issuer_listed"))


@settings(max_examples=700, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_replaced_value_reports_the_same(data: st.DataObject) -> None:
    credential = copy.deepcopy(data.draw(st.sampled_from(GENUINE)))
    path, old = data.draw(st.sampled_from(paths(credential)))
    new = data.draw(st.sampled_from(_near_misses(old)) | json_values(max_leaves=4))
    parent = credential
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = new
    now = data.draw(st.sampled_from(TIMES))
    _both(credential, data.draw(st.sampled_from([SHARED, SHARED_KEY])), now)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_removed_or_added_member_reports_the_same(data: st.DataObject) -> None:
    credential = copy.deepcopy(data.draw(st.sampled_from(GENUINE)))
    objects = [((), credential)] + [(p, v) for p, v in paths(credential) if isinstance(v, dict)]
    _, target = data.draw(st.sampled_from(objects))
    if data.draw(st.booleans()) and target:
        del target[data.draw(st.sampled_from(sorted(target)))]
    else:
        target[data.draw(st.text(max_size=12))] = data.draw(json_values(max_leaves=2))
    _both(credential, SHARED, data.draw(st.sampled_from(TIMES)))


@given(json_values(max_leaves=12))
def test_arbitrary_json_reports_the_same(value: Any) -> None:
    _both(value, SHARED, NOW)
    _both({"proof": value}, SHARED, NOW)


def test_a_card_number_is_checked_by_the_batch_verifier_too() -> None:
    _both(GENUINE[0], SHARED, NOW, card_number=CARD)
    report = SHARED.verify(GENUINE[0], now=NOW, card_number=CARD)
    assert report.check("holder_binding").status is Status.PASS


def test_verify_credential_is_the_verifier() -> None:
    for credential in GENUINE:
        _same(
            verify_credential(credential, bundle=BUNDLE, now=NOW),
            Verifier(BUNDLE, reference=True).verify(credential, now=NOW),
        )


def test_verify_many_is_verify_in_order() -> None:
    verifier = Verifier(BUNDLE)
    reports = verifier.verify_many(GENUINE, now=NOW)
    assert [r.verdict for r in reports] == [
        Verifier(BUNDLE, reference=True).verify(c, now=NOW).verdict for c in GENUINE
    ]
    assert reports[0].verdict is Verdict.VALID and reports[2].verdict is Verdict.INVALID
    assert len({r.checked_at for r in verifier.verify_many(GENUINE)}) == 1


def test_remembered_checks_are_not_shared_between_reports() -> None:
    verifier = Verifier(BUNDLE)
    first = verifier.verify(GENUINE[0], now=NOW)
    for check in first.checks:
        if isinstance(check.details, dict):
            check.details.clear()
    second = verifier.verify(GENUINE[0], now=NOW)
    assert second == Verifier(BUNDLE, reference=True).verify(GENUINE[0], now=NOW)
    assert second.check("issuer_listed").details["listing"]["from"] == "2023-03-01"


def test_memos_stop_growing_at_their_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    from credentials import _memo

    monkeypatch.setattr(_memo, "LIMIT", 1)
    verifier = Verifier(BUNDLE)
    for credential in GENUINE:
        _same(
            verifier.verify(credential, now=NOW),
            Verifier(BUNDLE, reference=True).verify(credential, now=NOW),
        )
    assert verifier.memos.size("proof_key") == 1 and verifier.memos.size("issuer_listed") == 1


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_the_plain_proof_and_schema_paths_equal_the_general_ones(data: st.DataObject) -> None:
    credential = copy.deepcopy(data.draw(st.sampled_from(GENUINE)))
    path, old = data.draw(st.sampled_from(paths(credential)))
    parent = credential
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = data.draw(st.sampled_from(_near_misses(old)) | json_values(max_leaves=3))
    if plain_size(credential) < 0:
        return
    for key in (NEW_KEY.public_key, OLD_KEY.public_key):
        assert proof.verify(credential, key, plain=True) == proof.verify(credential, key)
    assert certificate.validate_certificate(
        credential, plain=True
    ) == certificate.validate_certificate(credential)


def _verdict_as_written(checks: list[Any], mode: str) -> Verdict:
    """The verdict rules as `Verdict` states them (the code before its fast path)."""
    statuses = {c.name: c.status for c in checks}
    if Status.FAIL in statuses.values():
        return Verdict.INVALID
    unknown = {name for name, status in statuses.items() if status is Status.UNKNOWN}
    if unknown - {"status", "in_log"}:
        return Verdict.UNVERIFIED
    if "in_log" in unknown:
        return Verdict.UNCONFIRMED
    if unknown:
        return Verdict.STATUS_UNKNOWN
    if mode != "bundle":
        if statuses.get("proof") is Status.PASS:
            return Verdict.SIGNATURE_VALID_ISSUER_NOT_CHECKED
        return Verdict.UNVERIFIED
    must_pass = set(CHECK_NAMES) - {"holder_binding", "in_log"}
    if all(statuses.get(name) is Status.PASS for name in must_pass):
        return Verdict.VALID
    return Verdict.UNVERIFIED


@settings(max_examples=500)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([*CHECK_NAMES, "other"]),
            st.sampled_from(list(Status)),
        ),
        max_size=10,
    )
    | st.lists(
        st.sampled_from([Status.PASS, Status.PASS, Status.SKIPPED]),
        min_size=len(CHECK_NAMES),
        max_size=len(CHECK_NAMES),
    ).map(lambda statuses: list(zip(CHECK_NAMES, statuses, strict=True))),
    st.sampled_from(["bundle", "key", "none"]),
)
def test_the_verdict_follows_its_rules(pairs: list[tuple[str, Status]], mode: Any) -> None:
    checks = [Check(name, status, "CODE", "message") for name, status in pairs]
    assert verdict(checks, mode) is _verdict_as_written(checks, mode)


class _Key(str):
    """A str subclass: equal to a schema key, but not plain JSON."""


def _plain_misses(value: Any) -> list[Any]:
    """What only the plainness half of `_acceptance.accepts(..., plain=True)` can refuse, plus the near misses."""
    out = [*_near_misses(value), 2**53, -(2**53), 2**53 - 1, False, 1.0]
    if isinstance(value, str):
        out += [value + "\udc80", "\ud83d" + value, _Key(value), value + "\u00e9"]
    if isinstance(value, list):
        out += [[*value, "\ud800"], [*value, 1], [*value, {}], [_Key(v) for v in value]]
    if isinstance(value, dict):
        key = next(iter(value), "x")
        out += [{_Key(k) if k == key else k: v for k, v in value.items()}, {**value, 1: 2}]
        out += [{k: [v] if isinstance(v, dict) else v for k, v in value.items()}]
    return out


@settings(max_examples=700, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_accepts_plain_is_accepts_and_plain(data: st.DataObject) -> None:
    credential = copy.deepcopy(data.draw(st.sampled_from(GENUINE)))
    if data.draw(st.booleans()):
        del credential["proof"]
    for _ in range(data.draw(st.integers(0, 2))):
        path, old = data.draw(st.sampled_from(paths(credential)))
        parent = credential
        for part in path[:-1]:
            parent = parent[part]
        if data.draw(st.booleans()):
            parent[path[-1]] = data.draw(
                st.sampled_from(_plain_misses(old)) | json_values(max_leaves=3)
            )
        elif isinstance(parent, dict):
            value = parent.pop(path[-1])
            parent[_Key(path[-1]) if data.draw(st.booleans()) else path[-1]] = value
    expected = plain_size(credential) >= 0 and _acceptance.accepts(credential)
    assert _acceptance.accepts(credential, plain=True) is expected
    if expected:
        assert certificate.validate_certificate(credential, accepted=True) == (
            certificate.validate_certificate(credential)
        )
        assert SHARED.verify(credential, now=NOW) == Verifier(BUNDLE, reference=True).verify(
            credential, now=NOW
        )


def test_accepts_plain_accepts_genuine_credentials_and_refuses_a_str_subclass_key() -> None:
    for credential in GENUINE:
        assert _acceptance.accepts(credential, plain=True)
        changed = copy.deepcopy(credential)
        changed["issuer"] = {_Key("id"): changed["issuer"]["id"], "name": "x"}
        assert _acceptance.accepts(changed) and not _acceptance.accepts(changed, plain=True)
        changed["issuer"] = {"id": credential["issuer"]["id"], "name": "x\ud800"}
        assert _acceptance.accepts(changed) and not _acceptance.accepts(changed, plain=True)


def test_the_memo_keys_hold_everything_the_remembered_checks_read() -> None:
    from credentials import _memo

    base = GENUINE[0]
    changes = [
        (("credentialSubject", "certificate", "occupation", "code"), AI_2022),
        (("credentialSubject", "certificate", "level", "code"), 2),
        (("credentialSubject", "certificate", "level", "name"), "中级"),
        (("credentialSubject", "certificate", "direction"), "大数据分析"),
        (("proof", "created"), "2025-06-02T02:00:00Z"),
        (("validFrom",), "2025-06-02T02:00:00Z"),
        (("issuer", "id"), "urn:uscc:91110000802100433B"),
    ]
    for path, value in changes:
        changed = copy.deepcopy(base)
        target = changed
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value
        assert _memo.issuer_listed_key(changed) != _memo.issuer_listed_key(base), path
        if path[0] in ("proof", "validFrom", "issuer"):
            assert _memo.issuer_key_key(changed) != _memo.issuer_key_key(base), path
    changed = copy.deepcopy(base)
    changed["proof"]["verificationMethod"] = "did:key:z6Mk#z6Mk"
    assert _memo.issuer_key_key(changed) != _memo.issuer_key_key(base)


def test_a_second_credential_of_the_same_issuer_does_not_inherit_the_first_ones_verdict() -> None:
    verifier = Verifier(BUNDLE)
    listed = issue(level=1)
    assert verifier.verify(listed, now=NOW).check("issuer_listed").code == "LISTED_IN_SCOPE"
    # Level 3 was not in scope in 2025: the same issuer, key and time, another verdict.
    unlisted = issue(level=3, serial=2)
    assert verifier.verify(unlisted, now=NOW).check("issuer_listed").code == "OUT_OF_SCOPE"
