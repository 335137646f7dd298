"""Hostile descriptions for the differential run (issue 16, item 5): credentials whose holder,
number, occupation, level, issuer and type are odd, so that `credentials.describe` and the page's
`describe.js` are shown to name them alike — HTML and terminal escapes, ID numbers in ASCII and
full-width digits, values past the length limit with characters beyond the BMP, lone surrogates,
numbers that are floats or past 2^53, issuers the bundle lists or not, and continuing-education
records. Signed by the corpus's institution A where the signature can be made, so that some are
VALID (a description then `confirmed`).
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Callable, Iterator
from typing import Any

from credentials import CredentialError, SigningKey, sign_proof

from .conftest import CORPUS

Item = tuple[str, bytes]
"""An input's id and a file's bytes (tests/web/hostile.py makes them `Hostile`)."""

INSTITUTION_A = SigningKey.from_seed(bytes([0x54]) * 32)  # as scripts/make_conformance_corpus.py
VALID: dict[str, Any] = json.loads((CORPUS / "cases" / "valid.json").read_text("utf-8"))

TEXTS: list[Any] = [
    '<img src=x onerror="window.pwned=1">',
    "张三\x1b[2J\x1b[31mVALID\x07",
    "\u202e三张",
    "张三 11010519491231002X",
    "张三 １１０１０５１９４９１２３１００２Ｘ",
    "123456789012345",
    "12345678901234",
    "Z350001251010000016",
    "Z3500012510100000167",
    "P350001251010000019 和 11010519491231002X",
    "😀" * 250,
    "a" * 199 + "😀😀",
    "\ud800 孤",
    "",
    " ",
    0,
    2.5,
    True,
    None,
    ["张三"],
    {"zh": "张三"},
]
NUMBERS: list[Any] = [1, 2, 3, 0, 4, 2.0, 1e0, "2", True, 9007199254740993, -1, None]
HOURS: list[Any] = [48, 48.5, 2.0, 0, -0.0, 1e-5, 0.0001, 1e21, 999999.5, 1000000, "48", None]


def as_json(document: Any) -> bytes:
    # ASCII escapes, so that a lone surrogate is written as the JSON escape \ud800.
    return json.dumps(document).encode("ascii")


def _signed(document: dict[str, Any]) -> bytes:
    document.pop("proof", None)
    try:
        return as_json(sign_proof(document, INSTITUTION_A, created=VALID["proof"]["created"]))
    except CredentialError:  # not canonicalisable (a lone surrogate): shown unsigned
        return as_json(document)


def _edited(place: tuple[str, ...], value: Any) -> bytes:
    document = copy.deepcopy(VALID)
    target = document
    for key in place[:-1]:
        target = target.setdefault(key, {}) if isinstance(target.get(key), dict) else {}
    target[place[-1]] = value
    return _signed(document)


def text_inputs(rng: random.Random) -> Iterator[Item]:
    places = [
        ("credentialSubject", "name"),
        ("credentialSubject", "certificate", "number"),
        ("credentialSubject", "certificate", "direction"),
        ("credentialSubject", "certificate", "occupation", "name"),
        ("credentialSubject", "certificate", "occupation", "code"),
        ("issuer", "name"),
        ("issuer", "id"),
    ]
    for p, place in enumerate(places):
        for t, value in enumerate(TEXTS):
            yield f"text-{p}-{t}", _edited(place, value)
    for n, value in enumerate(NUMBERS):
        yield f"level-{n}", _edited(("credentialSubject", "certificate", "level", "code"), value)
    for n, issuer in enumerate(
        [
            "urn:uscc:91350100M000100Y43",
            "urn:uscc:91110000802100433B",
            {"id": "urn:uscc:91110000802100433B", "name": "不在信任包中的机构"},
            {"name": "没有编号的机构"},
            {},
            rng.choice(TEXTS),
        ]
    ):
        yield f"issuer-{n}", _edited(("issuer",), issuer)
    yield "type-string", _edited(("type",), "ProfessionalTechnicalLevelCertificate")
    yield "type-other", _edited(("type",), ["VerifiableCredential", "SomethingElse"])
    yield "subject-list", _edited(("credentialSubject",), [VALID["credentialSubject"]])


def _ce_record(education: dict[str, Any], record_id: Any) -> bytes:
    document = copy.deepcopy(VALID)
    document["type"] = ["VerifiableCredential", "ContinuingEducationRecord"]
    document["id"] = record_id
    document["credentialSubject"] = {
        "type": "ContinuingEducationHolder",
        "name": "李四",
        "continuingEducation": education,
    }
    return _signed(document)


def ce_record_inputs(rng: random.Random) -> Iterator[Item]:
    entry = {"trainingCertificate": "P350001251010000019", "hours": 48}
    for n, hours in enumerate(HOURS):
        education = {"year": 2026, "totalHours": hours, "entries": [entry]}
        yield f"ce-hours-{n}", _ce_record(education, "urn:dte:ce-record:" + "a" * 32)
    for n, year in enumerate([*NUMBERS, 2026, 2026.0, 10000]):
        education = {"year": year, "totalHours": 48, "entries": [entry] * rng.randint(0, 25)}
        yield f"ce-year-{n}", _ce_record(education, "urn:dte:ce-record:" + "b" * 32)
    for n, record_id in enumerate(["urn:dte:ce-record:", "urn:other:1", 7, "urn:dte:ce-record:x"]):
        yield f"ce-id-{n}", _ce_record({"entries": "none"}, record_id)


CLASSES: dict[str, Callable[[random.Random], Iterator[Item]]] = {
    "words": text_inputs,
    "words-ce": ce_record_inputs,
}
