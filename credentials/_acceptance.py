"""The certificate schema's acceptance, without jsonschema, for plain JSON documents.

jsonschema costs about 0.9 ms a credential, half of an offline verification and most of what
publication spends per credential beyond signing (docs/benchmarks.md). `accepts` decides the
same question by hand: on a plain JSON document (`_jcs.is_plain_json`) it says True exactly when
the shipped schema accepts it, which tests/credentials/test_certificate_fast.py states as a
property; on anything else it may say False where the schema would accept (a float 19.0 for an
integer, a subclass of str), and the caller then asks jsonschema. It demands the exact Python
types (`int`, never `bool`; `str`, `dict`, `list`, never subclasses), the same patterns compiled
the same way (`_schema.compile_pattern`), the same format functions and bounds, all read from the
shipped schema; and it switches itself off when the schema file is not the one it was written
for (`_SCHEMA_SHA256`): a schema edit can make validation slower, never wrong.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from itertools import chain
from typing import Any, Final

from credentials import _schema, binding

__all__ = ["SCHEMA_FILE", "accepts"]

SCHEMA_FILE: Final = "certificate.schema.json"
_SCHEMA_SHA256: Final = "e923ad840d49821868743d6f3101f4d834d4dddaeaa705c879908b7b93b22ed1"


@dataclass(frozen=True)
class _Plan:
    id: re.Pattern[str]
    uscc: re.Pattern[str]
    text: re.Pattern[str]
    date_time: re.Pattern[str]
    number: re.Pattern[str]
    occupation_code: re.Pattern[str]
    field: re.Pattern[str]
    salt: re.Pattern[str]
    digest: re.Pattern[str]
    status_id: re.Pattern[str]
    status_index: re.Pattern[str]
    status_url: re.Pattern[str]
    verification_method: re.Pattern[str]
    proof_value: re.Pattern[str]
    context: tuple[str, ...]
    types: tuple[str, ...]
    schema_ref: tuple[tuple[str, str], ...]
    schema_ref_keys: frozenset[str]
    levels: tuple[tuple[int, str], ...]
    text_max: int
    url_max: int


@cache
def plan() -> _Plan | None:
    """What `accepts` compares with, read from the shipped schema; None when the schema is not
    the one this module was written for."""
    raw = _schema.read("schemas", SCHEMA_FILE)
    if hashlib.sha256(raw.encode("utf-8")).hexdigest() != _SCHEMA_SHA256:
        return None
    schema = json.loads(raw)
    top, defs = schema["properties"], schema["$defs"]
    cert = defs["certificate"]["properties"]
    binding = defs["holderBinding"]["properties"]
    status = defs["statusEntry"]["properties"]
    prf = defs["proof"]["properties"]
    pattern = _schema.compile_pattern
    return _Plan(
        id=pattern(top["id"]["pattern"]),
        uscc=pattern(top["issuer"]["properties"]["id"]["pattern"]),
        text=pattern(defs["text"]["pattern"]),
        date_time=pattern(defs["dateTime"]["pattern"]),
        number=pattern(cert["number"]["pattern"]),
        occupation_code=pattern(cert["occupation"]["properties"]["code"]["pattern"]),
        field=pattern(cert["field"]["pattern"]),
        salt=pattern(binding["salt"]["pattern"]),
        digest=pattern(binding["digest"]["pattern"]),
        status_id=pattern(status["id"]["pattern"]),
        status_index=pattern(status["statusListIndex"]["pattern"]),
        status_url=pattern(status["statusListCredential"]["pattern"]),
        verification_method=pattern(prf["verificationMethod"]["pattern"]),
        proof_value=pattern(prf["proofValue"]["pattern"]),
        context=tuple(top["@context"]["const"]),
        types=tuple(top["type"]["const"]),
        schema_ref=tuple(sorted(top["credentialSchema"]["const"].items())),
        schema_ref_keys=frozenset(top["credentialSchema"]["const"]),
        levels=tuple((lv["code"], lv["name"]) for lv in cert["level"]["enum"]),
        text_max=defs["text"]["maxLength"],
        url_max=status["statusListCredential"]["maxLength"],
    )


_TOP_REQUIRED: Final = frozenset(
    {
        "@context",
        "id",
        "type",
        "issuer",
        "validFrom",
        "credentialSubject",
        "credentialStatus",
        "credentialSchema",
    }
)
_TOP_ALLOWED: Final = _TOP_REQUIRED | {"proof"}
_SUBJECT_KEYS: Final = frozenset({"type", "name", "holderBinding", "certificate"})
_ISSUER_KEYS: Final = frozenset({"id", "name"})
_OCCUPATION_KEYS: Final = frozenset({"code", "name"})
_LEVEL_KEYS: Final = frozenset({"code", "name"})
_CERT_REQUIRED: Final = frozenset({"number", "occupation", "level", "field"})
_CERT_ALLOWED: Final = _CERT_REQUIRED | {"direction"}
_STATUS_KEYS: Final = frozenset(
    {"id", "type", "statusPurpose", "statusListIndex", "statusListCredential"}
)
_PROOF_KEYS: Final = frozenset(
    {
        "type",
        "cryptosuite",
        "created",
        "verificationMethod",
        "proofPurpose",
        "@context",
        "proofValue",
    }
)
_ONLY_STR: Final = {str}


def accepts(document: object, *, plain: bool = False) -> bool:
    """True only if the certificate schema accepts `document` (and, with `plain=True`, only if
    it is also plain JSON, `_jcs.plain_size(document) >= 0`, found in the same pass); False
    means "ask jsonschema", not "invalid". Never raises."""
    found = plan()
    if found is None:
        return False
    try:
        return _accepts(found, document) and (not plain or _accepted_is_plain(document))
    except (KeyError, TypeError, ValueError, AttributeError):
        return False


def _accepts(p: _Plan, doc: Any) -> bool:
    # One small check per object of the schema; each demands exact key sets and exact types.
    if type(doc) is not dict:
        return False
    keys = doc.keys()
    if not (_TOP_REQUIRED <= keys and keys <= _TOP_ALLOWED):
        return False
    subject = doc["credentialSubject"]
    return (
        _top(p, doc)
        and _issuer(p, doc["issuer"])
        and _schema_ref(p, doc["credentialSchema"])
        and type(subject) is dict
        and subject.keys() == _SUBJECT_KEYS
        and _subject(p, subject)
        and _binding(p, subject["holderBinding"])
        and _certificate(p, subject["certificate"])
        and _status(p, doc["credentialStatus"])
        and ("proof" not in doc or _proof(p, doc["proof"]))
    )


def _text(p: _Plan, value: object) -> bool:
    return type(value) is str and 1 <= len(value) <= p.text_max and p.text.search(value) is not None


def _date_time(p: _Plan, value: object) -> bool:
    return (
        type(value) is str and p.date_time.search(value) is not None and _schema.is_date_time(value)
    )


def _int(value: object, low: int, high: int) -> bool:
    return type(value) is int and low <= value <= high


def _const(value: object, expected: str) -> bool:
    return type(value) is str and value == expected


def _strings(value: object, expected: tuple[str, ...]) -> bool:
    # Exactly `str` items (so `==` below is str equality), then one C-level tuple comparison.
    return (
        type(value) is list
        and len(value) == len(expected)
        and (not value or set(map(type, value)) == _ONLY_STR)
        and tuple(value) == expected
    )


# The checks below repeat `type(v) is str and pattern.search(v) is not None` inline rather than
# calling `_match`: they run once per credential verified or issued, and a call costs more than
# the test.


def _top(p: _Plan, doc: dict[str, Any]) -> bool:
    ident, valid_from = doc["id"], doc["validFrom"]
    return (
        _strings(doc["@context"], p.context)
        and _strings(doc["type"], p.types)
        and type(ident) is str
        and p.id.search(ident) is not None
        and _date_time(p, valid_from)
    )


def _issuer(p: _Plan, issuer: Any) -> bool:
    if not (type(issuer) is dict and issuer.keys() == _ISSUER_KEYS):
        return False
    uscc = issuer["id"]
    return type(uscc) is str and p.uscc.search(uscc) is not None and _text(p, issuer["name"])


def _schema_ref(p: _Plan, ref: Any) -> bool:
    if not (type(ref) is dict and ref.keys() == p.schema_ref_keys):
        return False
    for key, expected in p.schema_ref:
        value = ref[key]
        if not (type(value) is str and value == expected):
            return False
    return True


def _subject(p: _Plan, subject: dict[str, Any]) -> bool:
    kind = subject["type"]
    return type(kind) is str and kind == "CertificateHolder" and _text(p, subject["name"])


def _binding(p: _Plan, b: Any) -> bool:
    if not (type(b) is dict and b.keys() == binding.FIELDS):
        return False
    memlimit, salt, digest = b["memlimit"], b["salt"], b["digest"]
    return (
        _const(b["type"], "Argon2idCommitment")
        and _const(b["algorithm"], "argon2id")
        and _int(b["version"], 19, 19)
        and _int(b["opslimit"], 1, 10)
        and _int(memlimit, 8192, 268_435_456)
        and memlimit % 1024 == 0
        and _int(b["parallelism"], 1, 1)
        and _int(b["outputLength"], 32, 32)
        and type(salt) is str
        and p.salt.search(salt) is not None
        and type(digest) is str
        and p.digest.search(digest) is not None
    )


def _certificate(p: _Plan, cert: Any) -> bool:
    if type(cert) is not dict:
        return False
    keys = cert.keys()
    if not (_CERT_REQUIRED <= keys and keys <= _CERT_ALLOWED):
        return False
    number, field, occupation, level = (
        cert["number"],
        cert["field"],
        cert["occupation"],
        cert["level"],
    )
    if not (type(occupation) is dict and occupation.keys() == _OCCUPATION_KEYS):
        return False
    code = occupation["code"]
    return (
        type(number) is str
        and p.number.search(number) is not None
        and type(code) is str
        and p.occupation_code.search(code) is not None
        and _text(p, occupation["name"])
        and ("direction" not in cert or _text(p, cert["direction"]))
        and type(level) is dict
        and level.keys() == _LEVEL_KEYS
        and type(level["code"]) is int
        and type(level["name"]) is str
        and (level["code"], level["name"]) in p.levels
        and type(field) is str
        and p.field.search(field) is not None
    )


def _status(p: _Plan, status: Any) -> bool:
    if not (type(status) is dict and status.keys() == _STATUS_KEYS):
        return False
    url, ident, index = status["statusListCredential"], status["id"], status["statusListIndex"]
    return (
        type(ident) is str
        and p.status_id.search(ident) is not None
        and _const(status["type"], "BitstringStatusListEntry")
        and _const(status["statusPurpose"], "revocation")
        and type(index) is str
        and p.status_index.search(index) is not None
        and type(url) is str
        and p.status_url.search(url) is not None
        and len(url) <= p.url_max
        and _schema.is_uri(url)
    )


def _proof(p: _Plan, proof: Any) -> bool:
    if not (type(proof) is dict and proof.keys() == _PROOF_KEYS):
        return False
    method, value = proof["verificationMethod"], proof["proofValue"]
    return (
        _const(proof["type"], "DataIntegrityProof")
        and _const(proof["cryptosuite"], "eddsa-jcs-2022")
        and _date_time(p, proof["created"])
        and type(method) is str
        and p.verification_method.search(method) is not None
        and _const(proof["proofPurpose"], "assertionMethod")
        and _strings(proof["@context"], p.context)
        and type(value) is str
        and p.proof_value.search(value) is not None
    )


def _accepted_is_plain(doc: Any) -> bool:
    # After `_accepts`, every object has exactly the schema's keys and every value its exact
    # type. What plainness adds: keys of exactly `str` (a subclass compares equal to a schema
    # key) and strings that encode as UTF-8 (no lone surrogate) among those not compared with a
    # constant, listed here.
    subject = doc["credentialSubject"]
    cert, issuer, status = subject["certificate"], doc["issuer"], doc["credentialStatus"]
    binding, occupation = subject["holderBinding"], cert["occupation"]
    objects = [doc, issuer, doc["credentialSchema"], subject, binding, cert, occupation]
    objects += [cert["level"], status]
    texts = [doc["id"], doc["validFrom"], issuer["id"], issuer["name"], subject["name"]]
    texts += [binding["salt"], binding["digest"], cert["number"], cert["field"]]
    texts += [occupation["code"], occupation["name"], status["id"]]
    texts += [status["statusListIndex"], status["statusListCredential"]]
    if "direction" in cert:
        texts.append(cert["direction"])
    if "proof" in doc:
        proof = doc["proof"]
        objects.append(proof)
        texts += (proof["created"], proof["verificationMethod"], proof["proofValue"])
    if set(map(type, chain.from_iterable(objects))) != _ONLY_STR:
        return False
    # Python strings never pair surrogates, so the joined text encodes exactly when each does.
    joined = "".join(texts)
    if joined.isascii():
        return True
    try:
        joined.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True
