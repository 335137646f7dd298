"""The `in_log` check and the verdict for retired and compromised keys (issue 15, items 3, 4, 6).

The attack: after `registry keys rotate`, someone holding the retired key signs a certificate
with another holder's name, `created` back-dated inside the key's window. The bundle still
lists the key for that window, so the signature, the key window and the listing all pass. Only
the registry's log can tell: the genuine certificates of that key are below the log's size at
retirement; the forgery is in no log, or (if the registry itself was made to log it) above it.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from credentials import qr, sign_proof
from credentials.bundle import BundleError, TrustBundle, load_bundle
from credentials.report import Status, Verdict
from credentials.transparency import certificate_leaf, leaf_hash
from credentials.verifier import Verifier, verify_credential
from tests.credentials._log_support import (
    ENVELOPE,
    LOG,
    LOG_ENTRY,
    ORIGIN,
    OTHER_LOG,
    RETIREMENT_SIZE,
    WITNESS_1,
    WITNESS_2,
    checkpoint_note,
    cosigned,
    envelope,
    filler,
    log_bundle_document,
    log_institutions,
    logged,
)
from tests.credentials._support import (
    KEY_SWITCH,
    NOW,
    OLD_KEY,
    at,
    issue,
    json_values,
    paths,
    root_public,
)

IN_WINDOW = at("2024-06-01T02:00:00")
"""Inside OLD_KEY's window (2023-01-01 to KEY_SWITCH)."""


def load(document: dict[str, Any]) -> TrustBundle:
    return load_bundle(document, root_public())


@pytest.fixture(scope="module")
def bundle() -> TrustBundle:
    return load(log_bundle_document())


def verify(value: Any, bundle: TrustBundle, **kwargs: Any) -> Any:
    return verify_credential(value, bundle=bundle, now=NOW, **kwargs)


def outcome(report: Any) -> tuple[str, str, str]:
    check = report.check("in_log")
    return report.verdict.value, check.status.value, check.code


def forge(name: str = "李四", when: dt.datetime = IN_WINDOW) -> dict[str, Any]:
    """As an attacker would: after the rotation, sign with the retired key (which they hold),
    another holder's name, `created` inside the retired key's window."""
    assert when < KEY_SWITCH
    forged = issue(key=OLD_KEY, when=when, serial=77)
    assert forged["proof"]["created"] < "2025-01-01"
    # re-sign with the changed name: the signature is genuine, the content is not
    forged = copy.deepcopy(forged)
    forged["credentialSubject"]["name"] = name
    forged.pop("proof")
    return sign_proof(forged, OLD_KEY, created=when)


# --- the plain case: a current key --------------------------------------------------------------


def test_a_logged_certificate_is_in_the_log(bundle: TrustBundle) -> None:
    file, _ = logged(issue(), 41, 57)
    report = verify(file, bundle)
    assert outcome(report) == ("VALID", "PASS", "IN_LOG")
    assert report.check("in_log").message.startswith("in the registry's public log: entry 41 of 57")
    assert report.check("in_log").details == {"leafIndex": 41, "treeSize": 57, "origin": ORIGIN}


def test_a_bare_credential_and_a_file_without_inclusion_are_not_evaluated(
    bundle: TrustBundle,
) -> None:
    bare = verify(issue(), bundle)
    assert outcome(bare) == ("VALID", "SKIPPED", "NOT_EVALUATED")
    empty = verify({"envelope": ENVELOPE, "credential": issue()}, bundle)
    assert outcome(empty) == ("VALID", "SKIPPED", "NOT_EVALUATED")


def test_an_envelope_of_another_kind_is_refused(bundle: TrustBundle) -> None:
    report = verify({"envelope": "dte-registry/credential-file/v9", "credential": issue()}, bundle)
    assert report.verdict is Verdict.INVALID
    assert (report.check("input").status, report.check("input").code) == (
        Status.FAIL,
        "ENVELOPE_UNSUPPORTED",
    )


def test_another_certificates_proof_is_a_leaf_mismatch(bundle: TrustBundle) -> None:
    file, _ = logged(issue(), 3, 8)
    file["credential"] = issue(serial=2)
    assert outcome(verify(file, bundle)) == ("INVALID", "FAIL", "LOG_LEAF_MISMATCH")


def test_a_changed_credential_no_longer_matches_its_leaf(bundle: TrustBundle) -> None:
    file, _ = logged(issue(), 3, 8)
    file["credential"]["credentialSubject"]["name"] = "李四"  # the proof fails first
    assert verify(file, bundle).check("proof").status is Status.FAIL


@pytest.mark.parametrize(
    ("mangle", "code"),
    [
        (lambda inc: inc.update(treeSize=inc["treeSize"] + 1), "LOG_PROOF_INVALID"),
        (lambda inc: inc.update(leafIndex=inc["leafIndex"] + 1), "LOG_LEAF_MISMATCH"),
        (lambda inc: inc.update(leafIndex=57), "LOG_PROOF_INVALID"),
        (lambda inc: inc["proof"].pop(), "LOG_PROOF_INVALID"),
        (lambda inc: inc["proof"].append(inc["proof"][0]), "LOG_PROOF_INVALID"),
        (lambda inc: inc["proof"].reverse(), "LOG_LEAF_MISMATCH"),
        (lambda inc: inc.update(leafIndex=2**64), "LOG_ENVELOPE_MALFORMED"),
        (lambda inc: inc.update(treeSize=10**30), "LOG_ENVELOPE_MALFORMED"),
        (lambda inc: inc.update(leafIndex=41.0), "LOG_ENVELOPE_MALFORMED"),
        (lambda inc: inc.update(leafIndex=True), "LOG_ENVELOPE_MALFORMED"),
        (lambda inc: inc.update(leafIndex=-1), "LOG_ENVELOPE_MALFORMED"),
        (lambda inc: inc.update(proof="AAAA"), "LOG_ENVELOPE_MALFORMED"),
        (
            lambda inc: inc["proof"].__setitem__(0, inc["proof"][0].rstrip("=")),
            "LOG_ENVELOPE_MALFORMED",
        ),
        (
            lambda inc: inc["proof"].__setitem__(
                0, inc["proof"][0].replace("+", "-").replace("/", "_") + "x"
            ),
            "LOG_ENVELOPE_MALFORMED",
        ),
        (lambda inc: inc.update(checkpoint=None), "LOG_ENVELOPE_MALFORMED"),
        (lambda inc: inc.update(checkpoint=inc["checkpoint"] + "x"), "LOG_CHECKPOINT_UNTRUSTED"),
        (
            lambda inc: inc.update(checkpoint=inc["checkpoint"].replace("\n57\n", "\n58\n")),
            "LOG_CHECKPOINT_UNTRUSTED",
        ),
    ],
)
def test_a_wrong_inclusion_is_invalid_with_its_code(
    bundle: TrustBundle, mangle: Any, code: str
) -> None:
    file, _ = logged(issue(), 41, 57)
    mangle(file["inclusion"])
    assert outcome(verify(file, bundle)) == ("INVALID", "FAIL", code)


def test_a_checkpoint_by_another_key_or_origin_is_untrusted(bundle: TrustBundle) -> None:
    credential = issue()
    hashes = filler(9)
    hashes[4] = leaf_hash(certificate_leaf(credential))
    for note in (
        checkpoint_note(hashes, signer=OTHER_LOG),  # same name, other key: ignored, so no key
        checkpoint_note(hashes, origin="evil.example/log"),  # right key, another origin
    ):
        report = verify(envelope(credential, hashes, 4, note=note), bundle)
        assert outcome(report) == ("INVALID", "FAIL", "LOG_CHECKPOINT_UNTRUSTED")


def test_a_log_key_no_longer_valid_is_untrusted() -> None:
    expired = replace(LOG_ENTRY, valid_until=at("2026-01-01T00:00:00"))
    bundle = load(log_bundle_document(logs=[expired]))
    file, _ = logged(issue(), 1, 2)
    assert outcome(verify(file, bundle)) == ("INVALID", "FAIL", "LOG_CHECKPOINT_UNTRUSTED")


def test_a_bundle_without_logs_cannot_trust_any_checkpoint() -> None:
    bundle = load(log_bundle_document(logs=[]))
    file, _ = logged(issue(), 1, 2)
    assert outcome(verify(file, bundle)) == ("INVALID", "FAIL", "LOG_CHECKPOINT_UNTRUSTED")


# --- the back-dated forgery with a retired key (issue 15, item 4) -------------------------------


def test_the_back_dated_forgery_is_never_valid(bundle: TrustBundle) -> None:
    forged = forge()
    # Everything the bundle can say about it passes: that is the attack.
    bare = verify(forged, bundle)
    for name in ("proof", "issuer_key", "issuer_listed", "schema"):
        assert bare.check(name).status is Status.PASS, name
    # The QR (no proof) and the bare file: cannot be confirmed, never VALID.
    assert outcome(bare) == ("UNCONFIRMED", "UNKNOWN", "LOG_CONFIRMATION_REQUIRED")
    decoded = qr.decode_text(qr.encode_text(forged))
    assert outcome(verify(decoded, bundle)) == (
        "UNCONFIRMED",
        "UNKNOWN",
        "LOG_CONFIRMATION_REQUIRED",
    )
    assert outcome(verify({"envelope": ENVELOPE, "credential": forged}, bundle))[0] == (
        "UNCONFIRMED"
    )
    # A file with a proof: the forgery is in no log, so it can only borrow a genuine entry...
    genuine = issue(key=OLD_KEY, when=IN_WINDOW)
    file, _ = logged(genuine, 5, 40)
    file["credential"] = forged
    assert outcome(verify(file, bundle)) == ("INVALID", "FAIL", "LOG_LEAF_MISMATCH")
    # ...or be logged after the rotation (a registry made to log it): past the size at retirement.
    late, _ = logged(forged, RETIREMENT_SIZE, 40)
    assert outcome(verify(late, bundle)) == ("INVALID", "FAIL", "KEY_USED_AFTER_RETIREMENT")


def test_a_genuine_certificate_of_a_retired_key_is_valid_with_its_file(
    bundle: TrustBundle,
) -> None:
    genuine = issue(key=OLD_KEY, when=IN_WINDOW)
    assert verify(genuine, bundle).verdict is Verdict.UNCONFIRMED  # the QR case
    file, _ = logged(genuine, RETIREMENT_SIZE - 1, 40)
    report = verify(file, bundle)
    assert outcome(report) == ("VALID", "PASS", "IN_LOG")
    assert report.check("in_log").details["logSizeLimit"] == RETIREMENT_SIZE


def test_a_retired_key_without_the_size_at_retirement_cannot_be_confirmed() -> None:
    bundle = load(log_bundle_document(institution_list=log_institutions(retirement_size=None)))
    file, _ = logged(issue(key=OLD_KEY, when=IN_WINDOW), 0, 40)
    assert outcome(verify(file, bundle)) == ("UNCONFIRMED", "UNKNOWN", "LOG_CONFIRMATION_REQUIRED")


# --- compromised keys ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compromised() -> TrustBundle:
    """OLD_KEY compromised from 2024-09-01; the last checkpoint before then had 6 leaves."""
    institution_list = log_institutions(compromised=at("2024-09-01T00:00:00"), compromise_size=6)
    return load(log_bundle_document(institution_list=institution_list))


def test_a_compromised_key_needs_a_proof_from_before_the_compromise(
    compromised: TrustBundle,
) -> None:
    before = issue(key=OLD_KEY, when=IN_WINDOW)
    assert outcome(verify(before, compromised))[0] == "UNCONFIRMED"
    good, _ = logged(before, 5, 40)
    assert outcome(verify(good, compromised)) == ("VALID", "PASS", "IN_LOG")
    bad, _ = logged(before, 6, 40)
    assert outcome(verify(bad, compromised)) == ("INVALID", "FAIL", "KEY_COMPROMISED")
    forged = forge()
    assert outcome(verify(forged, compromised))[0] == "UNCONFIRMED"
    after = issue(key=OLD_KEY, when=at("2024-10-01T00:00:00"))
    report = verify(after, compromised)
    assert report.verdict is Verdict.INVALID
    assert report.check("issuer_key").code == "KEY_COMPROMISED"


def test_a_compromised_key_needs_its_log_size() -> None:
    institution_list = log_institutions(compromised=at("2024-09-01T00:00:00"))
    with pytest.raises(BundleError) as err:
        log_bundle_document(institution_list=institution_list)
    assert err.value.code == "BUNDLE_SCHEMA"


# --- witnesses (item 6) --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def witnessed() -> TrustBundle:
    return load(log_bundle_document(witnesses=[WITNESS_1, WITNESS_2]))


def test_witnesses_are_counted_when_required(witnessed: TrustBundle) -> None:
    file, _ = logged(issue(), 2, 9)
    plain = file["inclusion"]["checkpoint"]
    assert outcome(verify(file, witnessed, require_witnesses=1)) == (
        "INVALID",
        "FAIL",
        "LOG_WITNESSES_MISSING",
    )
    file["inclusion"]["checkpoint"] = cosigned(plain, WITNESS_1)
    assert outcome(verify(file, witnessed, require_witnesses=1))[1] == "PASS"
    assert outcome(verify(file, witnessed, require_witnesses=2))[2] == "LOG_WITNESSES_MISSING"
    file["inclusion"]["checkpoint"] = cosigned(plain, WITNESS_1, WITNESS_2)
    report = verify(file, witnessed, require_witnesses=2)
    assert outcome(report) == ("VALID", "PASS", "IN_LOG")
    assert report.check("in_log").details["witnesses"] == 2
    # the same witness twice counts once
    file["inclusion"]["checkpoint"] = cosigned(plain, WITNESS_1, WITNESS_1)
    assert outcome(verify(file, witnessed, require_witnesses=2))[2] == "LOG_WITNESSES_MISSING"


def test_a_cosignature_on_another_checkpoint_is_refused(witnessed: TrustBundle) -> None:
    file, hashes = logged(issue(), 2, 9)
    other = cosigned(checkpoint_note(hashes[:8]), WITNESS_1)
    moved = file["inclusion"]["checkpoint"] + other.split("\n")[-2] + "\n"
    file["inclusion"]["checkpoint"] = moved
    assert outcome(verify(file, witnessed, require_witnesses=1)) == (
        "INVALID",
        "FAIL",
        "LOG_COSIGNATURE_INVALID",
    )
    # not asked for witnesses: cosignatures are not looked at
    assert outcome(verify(file, witnessed))[0] == "VALID"


def test_require_witnesses_is_a_count() -> None:
    for bad in (-1, True, 1001):
        with pytest.raises(ValueError, match="require_witnesses"):
            Verifier(None, require_witnesses=bad)


def test_the_envelope_is_json_as_the_registry_writes_it(bundle: TrustBundle) -> None:
    file, _ = logged(issue(), 0, 1)
    assert file["inclusion"]["proof"] == []
    again = json.loads(json.dumps(file, ensure_ascii=False))
    assert outcome(verify(again, bundle)) == ("VALID", "PASS", "IN_LOG")
    assert base64.b64decode(file["inclusion"]["checkpoint"].split("\n")[2])
    assert LOG.key.name == ORIGIN


# --- one checkpoint, many files: its signatures are checked once per verifier ------------------


def _files_under_one_checkpoint(count: int) -> tuple[list[dict[str, Any]], list[bytes]]:
    """Credential files of `count` certificates logged in one tree, under one checkpoint."""
    credentials = [issue(serial=n + 2, index=1000 + n) for n in range(count)]
    hashes = filler(2 * count + 3)
    for n, credential in enumerate(credentials):
        hashes[2 * n + 1] = leaf_hash(certificate_leaf(credential))
    note = checkpoint_note(hashes)
    return [envelope(c, hashes, 2 * n + 1, note=note) for n, c in enumerate(credentials)], hashes


def test_a_verifier_checks_one_checkpoints_signature_once(bundle: TrustBundle) -> None:
    files, _ = _files_under_one_checkpoint(6)
    verifier = Verifier(bundle)
    reports = [verifier.verify(file, now=NOW) for file in files]
    assert {outcome(r) for r in reports} == {("VALID", "PASS", "IN_LOG")}
    assert verifier.memos.size("checkpoint") == 1
    # the same reports as a verifier that remembers nothing
    reference = Verifier(bundle, reference=True)
    assert reports == [reference.verify(file, now=NOW) for file in files]
    assert reference.memos.size("checkpoint") == 0


def _flip(line: str) -> str:
    """`line` with one base64 character of its signature changed (well inside the base64, so
    the signature stays canonical base64 and only its bytes differ)."""
    at = len(line.rstrip("\n")) - 20
    return line[:at] + ("A" if line[at] != "A" else "B") + line[at + 1 :]


def _tampered(note: str, hashes: list[bytes]) -> dict[str, tuple[str, str]]:
    """Checkpoints with the genuine one's origin and size that the bundle's log did not sign,
    and why each is refused."""
    text, signature = note.split("\n\n")
    other_root = checkpoint_note([*hashes[:-1], leaf_hash(b"forged")]).split("\n")[2]
    genuine_root = text.split("\n")[2]
    flipped = _flip(signature)
    bad, unknown = "NOTE_SIGNATURE_INVALID", "NOTE_UNTRUSTED"
    return {
        "root replaced": (note.replace(genuine_root, other_root), bad),
        "signature altered": (text + "\n\n" + flipped, bad),
        "same body, another key of the log's name": (checkpoint_note(hashes, OTHER_LOG), unknown),
        "extension line added": (text + "\nextra\n\n" + signature, bad),
    }


def test_a_tampered_checkpoint_is_refused_after_the_genuine_one_was_remembered(
    bundle: TrustBundle,
) -> None:
    files, hashes = _files_under_one_checkpoint(2)
    genuine = files[0]["inclusion"]["checkpoint"]
    verifier = Verifier(bundle)
    assert outcome(verifier.verify(files[0], now=NOW)) == ("VALID", "PASS", "IN_LOG")
    for what, (note, reason) in _tampered(genuine, hashes).items():
        assert note != genuine and note.split("\n")[:2] == genuine.split("\n")[:2], what
        file = copy.deepcopy(files[1])
        file["inclusion"]["checkpoint"] = note
        report = verifier.verify(file, now=NOW)
        assert outcome(report) == ("INVALID", "FAIL", "LOG_CHECKPOINT_UNTRUSTED"), what
        assert report.check("in_log").details["reason"] == reason, what
        again = verifier.verify(file, now=NOW)  # refused again once its refusal is remembered
        assert outcome(again) == ("INVALID", "FAIL", "LOG_CHECKPOINT_UNTRUSTED"), what
    assert outcome(verifier.verify(files[1], now=NOW)) == ("VALID", "PASS", "IN_LOG")


def test_a_remembered_checkpoint_still_needs_a_valid_log_key_at_each_time() -> None:
    expiring = replace(LOG_ENTRY, valid_until=at("2026-11-26T13:00:00"))
    bundle = load(log_bundle_document(logs=[expiring]))
    files, _ = _files_under_one_checkpoint(1)
    verifier = Verifier(bundle)
    assert outcome(verifier.verify(files[0], now=NOW))[2] == "IN_LOG"
    later = verifier.verify(files[0], now=at("2026-11-26T13:30:00"))
    assert outcome(later) == ("INVALID", "FAIL", "LOG_CHECKPOINT_UNTRUSTED")


def test_a_remembered_checkpoint_still_has_its_cosignatures_checked(
    witnessed: TrustBundle,
) -> None:
    files, _ = _files_under_one_checkpoint(2)
    good = cosigned(files[0]["inclusion"]["checkpoint"], WITNESS_1)
    verifier = Verifier(witnessed, require_witnesses=1)
    files[0]["inclusion"]["checkpoint"] = good
    assert outcome(verifier.verify(files[0], now=NOW)) == ("VALID", "PASS", "IN_LOG")
    line = good.split("\n")[-2]
    bad = good.replace(line, _flip(line))
    files[1]["inclusion"]["checkpoint"] = bad
    assert outcome(verifier.verify(files[1], now=NOW)) == (
        "INVALID",
        "FAIL",
        "LOG_COSIGNATURE_INVALID",
    )


# One verifier for the property below: its memos (remembered checkpoints) carry over.
_FILES, _ = _files_under_one_checkpoint(3)
_SHARED = Verifier(load(log_bundle_document(witnesses=[WITNESS_1])))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_a_changed_credential_file_reports_what_a_verifier_remembering_nothing_reports(
    data: st.DataObject,
) -> None:
    file = copy.deepcopy(data.draw(st.sampled_from(_FILES)))
    path, old = data.draw(st.sampled_from(paths(file)))
    changes: list[Any] = [json_values(max_leaves=3)]
    if isinstance(old, str) and old:
        at_ = data.draw(st.integers(0, len(old) - 1))
        changes.append(st.just(old[:at_] + ("A" if old[at_] != "A" else "B") + old[at_ + 1 :]))
        changes.append(st.just(old + "\n"))
    if isinstance(old, int):
        changes.append(st.just(old + 1))
    parent = file
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = data.draw(st.one_of(*changes))
    reference = Verifier(_SHARED.bundle, reference=True)
    assert _SHARED.verify(file, now=NOW) == reference.verify(file, now=NOW)
    # and the genuine files still pass after whatever was remembered
    genuine = data.draw(st.sampled_from(_FILES))
    assert outcome(_SHARED.verify(genuine, now=NOW)) == ("VALID", "PASS", "IN_LOG")
