"""Trust bundles on the chain from a pinned root to their signer (issue 17, item 3) for the
differential run: the corpus's bundle signed by a bundle key the corpus's root certified, with
certificates expired (at the bundle's issue time and at verification time), not yet valid,
signed by another root, forged, for another key, malformed; signed by a root the pinned one
rotated to, by a root a forged rotation names, through a chain of two rotations listed backwards;
detached signatures of a published file on the same chain and broken in every member; and
continuing-education records signed for the registry on that chain.
Python and the page must accept the same ones and refuse the others with the same code.
"""

from __future__ import annotations

import base64
import copy
import datetime as dt
import hashlib
import json
from collections.abc import Iterator
from typing import Any

from credentials import (
    BindingParams,
    SigningKey,
    binding,
    rootchain,
    sign_bundle,
    sign_proof,
)
from registry.demo.holder import fictitious_id_number

from .conftest import CORPUS

ROOT = SigningKey.from_seed(bytes([0x51]) * 32)  # as scripts/make_conformance_corpus.py
OTHER_ROOT = SigningKey.from_seed(bytes([0x52]) * 32)
BUNDLE_KEY = SigningKey.from_seed(bytes([0x62]) * 32)
SECOND_ROOT = SigningKey.from_seed(bytes([0x63]) * 32)
THIRD_ROOT = SigningKey.from_seed(bytes([0x64]) * 32)
# The cheapest binding the verifiers accept: the cases test the rule, not Argon2id.
BINDING_PARAMS = BindingParams(opslimit=1, memlimit=8 * 1024)
BASE = json.loads((CORPUS / "bundle.json").read_text("utf-8"))
ISSUED = dt.datetime.fromisoformat(BASE["issued"])
DAY = dt.timedelta(days=1)
NOW = ISSUED + DAY

Bundle = tuple[str, bytes, str, int | None]
"""An input's id, the bundle file's bytes, the `now` it is verified at and the highest sequence
already accepted under the pinned root (None: none)."""

# Already accepted under the pinned root: a bundle signed by a certified bundle key (not the root)
# with a lower sequence must still be refused — the record is kept per root the trust descends
# from, not per signer.
_ROLLBACK_CASES = {"certified-older": BASE["sequence"] + 1}


def _signed(signer: SigningKey, **members: Any) -> dict[str, Any]:
    document = copy.deepcopy(BASE)
    del document["proof"]
    document.update(members)
    return sign_bundle(document, signer, created=ISSUED)


def _cert(root: SigningKey = ROOT, key: SigningKey = BUNDLE_KEY, start: int = -1, days: int = 30):
    begin = ISSUED + start * DAY
    return rootchain.certify(root, key.public_key, valid_from=begin, valid_until=begin + days * DAY)


def rotation_of(old: SigningKey, new: SigningKey) -> dict[str, Any]:
    """`old`'s statement that `new` is its successor (a day before the corpus bundle)."""
    return rootchain.rotation(old, new.public_key, issued=ISSUED - DAY)


def _certificate_cases() -> Iterator[tuple[str, dict[str, Any], dt.datetime]]:
    yield ("certified", _signed(BUNDLE_KEY, bundleKeyCertificate=_cert()), NOW)
    yield ("certified-older", _signed(BUNDLE_KEY, bundleKeyCertificate=_cert()), NOW)
    yield ("uncertified", _signed(BUNDLE_KEY), NOW)
    yield ("expired-now", _signed(BUNDLE_KEY, bundleKeyCertificate=_cert(days=3)), NOW + 5 * DAY)
    yield (
        "expired-at-issue",
        _signed(BUNDLE_KEY, bundleKeyCertificate=_cert(start=-3, days=2)),
        NOW,
    )
    yield ("ends-at-issue", _signed(BUNDLE_KEY, bundleKeyCertificate=_cert(days=1)), ISSUED)
    yield ("not-yet-valid", _signed(BUNDLE_KEY, bundleKeyCertificate=_cert(start=1)), NOW + DAY)
    yield ("other-root", _signed(BUNDLE_KEY, bundleKeyCertificate=_cert(root=OTHER_ROOT)), NOW)
    yield ("wrong-key", _signed(BUNDLE_KEY, bundleKeyCertificate=_cert(key=OTHER_ROOT)), NOW)
    forged = _cert(root=OTHER_ROOT)
    forged["rootKey"] = ROOT.public_key.multibase
    yield ("forged-root", _signed(BUNDLE_KEY, bundleKeyCertificate=forged), NOW)
    stretched = _cert(days=3)
    stretched["validUntil"] = "2099-01-01T00:00:00Z"
    yield ("stretched", _signed(BUNDLE_KEY, bundleKeyCertificate=stretched), NOW + 5 * DAY)
    for name, value in {"null": None, "list": [], "number": 1, "empty": {}}.items():
        yield (f"cert-{name}", _signed(BUNDLE_KEY, bundleKeyCertificate=value), NOW)
    for member, value in [("bundleKey", "zBad"), ("validFrom", "2026-13-01T00:00:00Z")]:
        yield (
            f"cert-bad-{member}",
            _signed(BUNDLE_KEY, bundleKeyCertificate={**_cert(), member: value}),
            NOW,
        )


def _rotation_cases() -> Iterator[tuple[str, dict[str, Any], dt.datetime]]:
    first, second = rotation_of(ROOT, SECOND_ROOT), rotation_of(SECOND_ROOT, THIRD_ROOT)
    yield ("rotated", _signed(SECOND_ROOT, rootRotations=[first]), NOW)
    yield ("rotated-twice-backwards", _signed(THIRD_ROOT, rootRotations=[second, first]), NOW)
    yield (
        "rotated-then-certified",
        _signed(BUNDLE_KEY, rootRotations=[first], bundleKeyCertificate=_cert(root=SECOND_ROOT)),
        NOW,
    )
    yield ("rotation-missing", _signed(THIRD_ROOT, rootRotations=[second]), NOW)
    forged = rotation_of(OTHER_ROOT, SECOND_ROOT)
    forged["oldRoot"] = ROOT.public_key.multibase
    yield ("rotation-forged", _signed(SECOND_ROOT, rootRotations=[forged]), NOW)
    yield (
        "rotation-foreign",
        _signed(SECOND_ROOT, rootRotations=[rotation_of(OTHER_ROOT, SECOND_ROOT)]),
        NOW,
    )
    for name, value in {"null": None, "object": {}, "strings": ["x"]}.items():
        yield (f"rotations-{name}", _signed(ROOT, rootRotations=value), NOW)


def bundle_of(sequence: int, *, certified_by: str | None = None, **members: Any) -> dict[str, Any]:
    """A bundle of the corpus world at `sequence`: signed by the bundle key certified by the
    first root (`certified_by="root"`) or by the root it rotated to (`"second"`), else by the
    second root itself; `members` added (the rotations it carries)."""
    if certified_by is None:
        return _signed(SECOND_ROOT, sequence=sequence, **members)
    root = ROOT if certified_by == "root" else SECOND_ROOT
    return _signed(BUNDLE_KEY, sequence=sequence, bundleKeyCertificate=_cert(root=root), **members)


def bundle_inputs() -> list[Bundle]:
    """Every bundle of the chain, the same list every run."""
    cases = [*_certificate_cases(), *_rotation_cases()]
    return [
        (
            name,
            json.dumps(document).encode("utf-8"),
            at.isoformat().replace("+00:00", "Z"),
            _ROLLBACK_CASES.get(name),
        )
        for name, document, at in cases
    ]


# --- detached signatures (the open data's `.sig`), on the same chain --------------------------

FILE = b'{"format":"dte-directory/1","institutions":[{"uscc":"91350100M000100Y43"}]}'


def _detached(signer: SigningKey, body: bytes = FILE, **members: Any) -> dict[str, Any]:
    return {
        "type": "Ed25519DetachedSignature",
        "signs": "/open-data/v1/directory/training.json",
        "sha256": hashlib.sha256(body).hexdigest(),
        "publicKeyMultibase": signer.public_key.multibase,
        "signature": base64.b64encode(signer.sign(body)).decode("ascii"),
        **members,
    }


def _detached_chain_cases() -> Iterator[tuple[str, dict[str, Any], dt.datetime]]:
    first = rotation_of(ROOT, SECOND_ROOT)
    yield ("root", _detached(ROOT), NOW)
    yield ("certified", _detached(BUNDLE_KEY, bundleKeyCertificate=_cert()), NOW)
    yield ("uncertified", _detached(BUNDLE_KEY), NOW)
    yield ("expired-now", _detached(BUNDLE_KEY, bundleKeyCertificate=_cert(days=3)), NOW + 5 * DAY)
    yield ("not-yet-valid", _detached(BUNDLE_KEY, bundleKeyCertificate=_cert(start=2)), NOW)
    yield ("other-root", _detached(BUNDLE_KEY, bundleKeyCertificate=_cert(root=OTHER_ROOT)), NOW)
    yield ("wrong-key", _detached(BUNDLE_KEY, bundleKeyCertificate=_cert(key=OTHER_ROOT)), NOW)
    stretched = _cert(days=3)
    stretched["validUntil"] = "2099-01-01T00:00:00Z"
    yield ("stretched", _detached(BUNDLE_KEY, bundleKeyCertificate=stretched), NOW + 5 * DAY)
    yield ("cert-null", _detached(BUNDLE_KEY, bundleKeyCertificate=None), NOW)
    yield ("rotated", _detached(SECOND_ROOT, rootRotations=[first]), NOW)
    yield (
        "rotated-then-certified",
        _detached(BUNDLE_KEY, rootRotations=[first], bundleKeyCertificate=_cert(root=SECOND_ROOT)),
        NOW,
    )
    forged = rotation_of(OTHER_ROOT, SECOND_ROOT)
    forged["oldRoot"] = ROOT.public_key.multibase
    yield ("rotation-forged", _detached(SECOND_ROOT, rootRotations=[forged]), NOW)
    yield ("rotations-null", _detached(ROOT, rootRotations=None), NOW)


def _detached_document_cases() -> Iterator[tuple[str, Any, dt.datetime]]:
    good = _detached(ROOT)
    yield ("digest-of-another-file", _detached(ROOT, body=FILE + b" "), NOW)
    yield (
        "signature-of-another-file",
        {**good, "signature": _detached(ROOT, b"x")["signature"]},
        NOW,
    )
    yield ("type-other", {**good, "type": "Ed25519Signature2020"}, NOW)
    yield ("not-an-object", [good], NOW)
    yield ("sha256-number", {**good, "sha256": 1}, NOW)
    yield ("key-not-multikey", {**good, "publicKeyMultibase": "zBad"}, NOW)
    yield ("key-missing", {k: v for k, v in good.items() if k != "publicKeyMultibase"}, NOW)
    yield ("signature-not-base64", {**good, "signature": "!!!!"}, NOW)
    yield ("signature-unpadded", {**good, "signature": good["signature"].rstrip("=")}, NOW)
    yield ("signature-short", {**good, "signature": base64.b64encode(b"\0" * 63).decode()}, NOW)
    yield ("signature-null", {**good, "signature": None}, NOW)


def detached_inputs() -> list[tuple[str, bytes, bytes, str]]:
    """Every detached signature case: its id, the file's bytes, the signature document's bytes and
    the `now` it is checked at, the same list every run."""
    cases = [*_detached_chain_cases(), *_detached_document_cases()]
    return [
        (name, FILE, json.dumps(document).encode("utf-8"), at.isoformat().replace("+00:00", "Z"))
        for name, document, at in cases
    ]


# --- continuing-education records, signed for the registry on the same chain -------------------

RECORD = {
    "@context": [
        "https://www.w3.org/ns/credentials/v2",
        "https://dte-registry.cn/contexts/dte-v1.jsonld",
    ],
    "id": "urn:dte:ce-record:" + "0" * 32,
    "type": ["VerifiableCredential", "ContinuingEducationRecord"],
    "issuer": {"id": "urn:dte:registry", "name": "数字技术工程师培育项目公共登记系统"},
    "validFrom": "2026-11-01T00:00:00Z",
}


def _record(signer: SigningKey, at: dt.datetime = ISSUED, **members: Any) -> dict[str, Any]:
    return sign_proof({**RECORD, **members}, signer, created=at)


def _record_cases() -> Iterator[tuple[str, Any, dt.datetime]]:
    first = rotation_of(ROOT, SECOND_ROOT)
    yield ("root", _record(ROOT), NOW)
    yield ("certified", _record(BUNDLE_KEY, bundleKeyCertificate=_cert()), NOW)
    yield ("uncertified", _record(BUNDLE_KEY), NOW)
    yield ("expired-now", _record(BUNDLE_KEY, bundleKeyCertificate=_cert(days=3)), NOW + 5 * DAY)
    late = ISSUED + 3 * DAY
    yield (
        "signed-after-expiry",
        _record(BUNDLE_KEY, late, bundleKeyCertificate=_cert(days=3)),
        NOW,
    )
    yield (
        "signed-before-start",
        _record(BUNDLE_KEY, bundleKeyCertificate=_cert(start=1)),
        NOW + 2 * DAY,
    )
    yield ("other-root", _record(BUNDLE_KEY, bundleKeyCertificate=_cert(root=OTHER_ROOT)), NOW)
    yield (
        "rotated-then-certified",
        _record(BUNDLE_KEY, rootRotations=[first], bundleKeyCertificate=_cert(root=SECOND_ROOT)),
        NOW,
    )
    yield ("changed", {**_record(ROOT), "validFrom": "2020-01-01T00:00:00Z"}, NOW)
    yield ("no-proof", dict(RECORD), NOW)
    bad_time = _record(ROOT)
    bad_time["proof"] = {**bad_time["proof"], "created": "yesterday"}
    yield ("created-not-a-time", bad_time, NOW)
    yield ("proof-set", {**RECORD, "proof": [_record(ROOT)["proof"]]}, NOW)
    yield ("not-an-object", [_record(ROOT)], NOW)
    # Signed, but not routed as records: both verifiers then check them as certificates.
    both = [
        "VerifiableCredential",
        "ContinuingEducationRecord",
        "ProfessionalTechnicalLevelCertificate",
    ]
    yield ("also-a-certificate", _record(ROOT, type=both), NOW)
    yield ("type-a-string", _record(ROOT, type="ContinuingEducationRecord"), NOW)


# Card numbers no real person holds (an unassigned prefecture), and the binding to the first.
CARD = fictitious_id_number("11", dt.date(1990, 1, 1), 21)
OTHER_CARD = fictitious_id_number("11", dt.date(1990, 1, 1), 22)
_SUBJECT = {"type": "ContinuingEducationHolder", "name": "测试"}


def _bound(signer: SigningKey = ROOT, **members: Any) -> dict[str, Any]:
    holder = binding.commit(CARD, salt=bytes(16), params=BINDING_PARAMS)
    return _record(signer, credentialSubject={**_SUBJECT, "holderBinding": holder}, **members)


def _bound_cases() -> Iterator[tuple[str, Any, dt.datetime, str]]:
    """Records checked with a card number: the binding is checked only once the chain holds."""
    yield ("bound-right-card", _bound(), NOW, CARD)
    certified = _bound(BUNDLE_KEY, bundleKeyCertificate=_cert())
    yield ("bound-certified-right-card", certified, NOW, CARD)
    yield ("bound-wrong-card", _bound(), NOW, OTHER_CARD)
    yield ("bound-not-a-card", _bound(), NOW, CARD[:-1] + ("0" if CARD[-1] != "0" else "1"))
    yield ("unbound-with-card", _record(ROOT, credentialSubject=_SUBJECT), NOW, CARD)
    changed = {**_bound(), "validFrom": "2020-01-01T00:00:00Z"}
    yield ("bound-changed-wrong-card", changed, NOW, OTHER_CARD)


def record_inputs() -> list[tuple[str, bytes, str, str | None]]:
    """Every record case: its id, the record's bytes, the `now` it is checked at and the card
    number it is checked with (None: the binding is not checked)."""
    cases = [(name, document, at, None) for name, document, at in _record_cases()]
    return [
        (name, json.dumps(document, ensure_ascii=False).encode("utf-8"), _at(at), card)
        for name, document, at, card in [*cases, *_bound_cases()]
    ]


def _at(moment: dt.datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")
